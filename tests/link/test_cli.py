import json

from typer.testing import CliRunner

from tests.link.factories import account
from tests.link.test_pipeline import world  # noqa: F401  (fixture)
from wildtrace.cli.main import app

runner = CliRunner()


def _run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_run_traders_profile_why_and_eval(world, tmp_path):  # noqa: F811
    db = world.url
    world.close()
    summary = json.loads(_run("link", "run", "--db", db, "--json"))
    assert summary["traders"] == 3
    traders = json.loads(_run("link", "traders", "--db", db, "--json"))
    assert len(traders) == 3
    assert "BACKUP after block of wx:ivoryking" in _run("link", "profile", "wx:ivoryking_bak", "--db", db)
    why = _run("link", "why", "wx:ivoryking", "wx:loner", "--db", db)
    assert "different traders" in why and "shared hub, not used: phone 95338" in why
    assert "95338" in _run("link", "hubs", "--db", db)
    truth = tmp_path / "accounts.csv"
    truth.write_text("account_id,person_id,is_backup,backup_of\nwx:ivoryking,P1,false,\n"
                     "wx:ivoryking_bak,P1,true,wx:ivoryking\nqq:90001,P2,false,\nwx:jadehouse,P2,false,\n"
                     "wx:loner,P3,false,\n")
    scores = json.loads(_run("eval", "link", "--truth", str(truth), "--db", db, "--json", "--no-pictures"))
    assert scores["bcubed"]["f1"] == 1.0 and scores["backup"]["recall"] == 1.0


def test_network_and_top_without_flows(world, tmp_path):  # noqa: F811
    db = world.url
    world.close()
    _run("link", "run", "--db", db, "--no-probabilistic")
    out = tmp_path / "net.graphml"
    summary = json.loads(_run("link", "network", "--db", db, "--out", str(out), "--json"))
    assert summary["traders"] == 3 and out.exists()
    assert len(json.loads(_run("link", "top", "--db", db, "--json"))) == 3


def test_profile_of_unknown_subject_fails_cleanly(store):
    db = store.url
    store.close()
    result = runner.invoke(app, ["link", "profile", "nobody", "--db", db])
    assert result.exit_code != 0


def test_eval_reports_the_accounts_of_a_trader_that_posts_nothing_apart(world, tmp_path):  # noqa: F811
    world.put([account("wx:quiet", "某人", location="西安")])  # in the trade by the truth, never posts
    db = world.url
    world.close()
    _run("link", "run", "--db", db)
    assert "posts nothing: what it sells is unknown" in _run("link", "profile", "wx:quiet", "--db", db)
    truth = tmp_path / "accounts.csv"
    truth.write_text("account_id,person_id,is_trader,category\nwx:ivoryking,P1,1,A\nwx:ivoryking_bak,P1,1,A\n"
                     "qq:90001,P2,1,B\nwx:jadehouse,P2,1,B\nwx:loner,P3,0,\nwx:quiet,P4,1,B\n")
    text = _run("eval", "link", "--truth", str(truth), "--db", db, "--no-pictures")
    assert "category accuracy on trader accounts: 1.000 (4/4)" in text
    assert ("and 1 trader account(s) whose trader posts nothing (true categories B 1): category unknown, not scored "
            "above; counted wrong 0.800") in text
