from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import stix2

from tests.report.world import World, make_world
from wildtrace.model import Account, Post, Transaction
from wildtrace.share import (
    ExportOptions,
    Redactor,
    audience_key,
    export,
    import_file,
    load_policy,
    read_ftm,
    read_stix,
    validate_ftm,
)
from wildtrace.share._csv import cell
from wildtrace.store import Store, open_store

KEY = b"k"
TLP_IDS = {"public": stix2.TLP_WHITE.id, "partner": stix2.TLP_GREEN.id, "platform": stix2.TLP_AMBER.id,
           "investigator": stix2.TLP_RED.id}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, World, Path]]:
    folder = tmp_path_factory.mktemp("share")
    store = open_store(str(folder / "a.duckdb"))
    w = make_world(store, seed=5, weeks=3, base=12)
    yield store, w, folder
    store.close()


def _export(store: Store, fmt: str, audience: str, out: Path) -> Path:
    export(store, fmt, out, ExportOptions(audience=audience), key=KEY)
    return out


def _text(path: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8-sig") for p in sorted(path.glob("*.csv"))) if path.is_dir() \
        else path.read_text(encoding="utf-8")


@pytest.mark.parametrize("audience", ["public", "partner", "platform", "investigator"])
def test_ftm_export_validates_against_the_model(world: tuple, audience: str, tmp_path: Path) -> None:
    store, _, _ = world
    path = _export(store, "ftm", audience, tmp_path / "e.ftm.json")
    entities = list(read_ftm(path.read_text(encoding="utf-8").splitlines()))
    assert validate_ftm(entities) == []
    schemata = {e.schema.name for e in entities}
    assert {"Person", "UserAccount", "Message"} <= schemata
    if audience in ("platform", "investigator"):
        assert {"Payment", "BankAccount"} <= schemata
    assert "Similar" in schemata


def test_ftm_export_passes_the_librarys_own_validate_command(world: tuple, tmp_path: Path) -> None:
    path = _export(world[0], "ftm", "partner", tmp_path / "e.ftm.json")
    ftm = Path(sys.executable).with_name("ftm")
    done = subprocess.run([str(ftm), "validate", "-i", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == len(path.read_text(encoding="utf-8").splitlines())


@pytest.mark.parametrize("audience", ["public", "partner", "platform", "investigator"])
def test_stix_export_parses_strictly_and_is_marked_for_the_audience(world: tuple, audience: str,
                                                                     tmp_path: Path) -> None:
    store, _, _ = world
    path = _export(store, "stix", audience, tmp_path / "e.stix.json")
    bundle = read_stix(path.read_text(encoding="utf-8"))
    types = {o.type for o in bundle.objects}
    assert {"identity", "user-account", "note", "indicator", "sighting", "relationship", "marking-definition"} <= types
    for o in bundle.objects:
        if o.type != "marking-definition":
            assert TLP_IDS[audience] in o.object_marking_refs


@pytest.mark.parametrize("audience", ["public", "partner"])
@pytest.mark.parametrize("fmt", ["ftm", "stix", "csv"])
def test_narrow_exports_carry_no_phone_messenger_id_bank_account_or_name(world: tuple, fmt: str, audience: str,
                                                                         tmp_path: Path) -> None:
    store, w, _ = world
    text = _text(_export(store, fmt, audience, tmp_path / f"e.{fmt}"))
    leaked = [value for value in w.sensitive if value in text]
    assert not leaked
    assert "Wang" not in text and "bank:" not in text and "wallet:" not in text


def test_investigator_export_keeps_what_the_narrow_ones_drop(world: tuple, tmp_path: Path) -> None:
    store, w, _ = world
    text = _text(_export(store, "csv", "investigator", tmp_path / "csv"))
    assert all(value in text for value in w.sensitive[:3])


def test_round_trip_export_import_export_gives_the_same_entities(world: tuple, tmp_path: Path) -> None:
    store, _, _ = world
    for fmt in ("ftm", "stix"):
        first = _export(store, fmt, "investigator", tmp_path / f"a.{fmt}")
        empty = open_store(str(tmp_path / f"b-{fmt}.duckdb"))
        result = import_file(empty, first)
        assert result.new["accounts"] > 0 and result.new["posts"] > 0
        again = _export(empty, fmt, "investigator", tmp_path / f"b.{fmt}")
        assert again.read_text(encoding="utf-8") == first.read_text(encoding="utf-8")
        empty.close()


def test_import_merges_without_duplicating_what_is_known(world: tuple, tmp_path: Path) -> None:
    store, _, _ = world
    path = _export(store, "ftm", "investigator", tmp_path / "a.ftm")
    other = open_store(str(tmp_path / "o.duckdb"))
    import_file(other, path)
    counts = [other.count(m) for m in (Account, Post, Transaction)]
    second = import_file(other, path)
    assert sum(second.new.values()) == 0 and second.kept == 0
    assert [other.count(m) for m in (Account, Post, Transaction)] == counts
    assert counts[1] == store.count(Post, "id IN (SELECT post_id FROM verdicts WHERE tier IN ('high', 'medium'))")
    back = import_file(store, _export(other, "stix", "investigator", tmp_path / "o.stix"))
    assert back.new.get("accounts", 0) == 0 and back.new.get("posts", 0) == 0
    other.close()


def test_bad_import_names_the_line(tmp_path: Path, store: Store) -> None:
    bad = tmp_path / "bad.ftm"
    bad.write_text('{"id": "x", "schema": "Person", "properties": {"name": ["a"]}}\n{not json\n', encoding="utf-8")
    with pytest.raises(ValueError, match="line 2"):
        import_file(store, bad)


def test_spreadsheet_cells_do_not_run_as_formulas() -> None:
    assert cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert cell("-12.5") == "-12.5"
    assert cell(["a", "b"]) == "a; b"


def test_cli_export_and_import(world: tuple, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from wildtrace.cli.main import app

    store, _, folder = world
    store.execute("CHECKPOINT")
    out = tmp_path / "cli.stix"
    runner = CliRunner(env={"WILDTRACE_SHARE_KEY": "k"})
    result = runner.invoke(app, ["export", "--db", str(folder / "a.duckdb"), "--format", "stix", "--audience",
                                 "partner", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["tlp"] == "green"
    result = runner.invoke(app, ["import", "--db", str(tmp_path / "n.duckdb"), str(out), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["new"]["accounts"] > 0
    printed = runner.invoke(app, ["export", "--db", str(folder / "a.duckdb"), "--format", "ftm", "--audience",
                                  "partner", "--out", str(tmp_path / "p.ftm.json")]).output
    lines = (tmp_path / "p.ftm.json").read_text(encoding="utf-8").splitlines()
    assert f": {len(lines)} FtM entities, made of what the audience may see of " in printed
    for given, said in ((tmp_path, "is a folder"), (tmp_path / "none.ftm.json", "no such file")):
        refused = runner.invoke(app, ["import", "--db", str(tmp_path / "n.duckdb"), str(given)])
        assert refused.exit_code == 1 and said in str(refused.exception)  # one line, by the entry point
    bad = runner.invoke(app, ["export", "--db", str(folder / "a.duckdb"), "--format", "xml", "--audience", "public",
                              "--out", str(out)])
    assert bad.exit_code != 0


def _payments(path: Path, fmt: str) -> dict[str, float]:
    """Amount of each payment (by transaction id) an export carries."""
    if fmt == "csv":
        table = path / "transactions.csv"
        if not table.exists():
            return {}
        rows = list(csv.DictReader(table.read_text(encoding="utf-8-sig").splitlines()))
        return {r["id"]: float(r["amount"]) for r in rows}
    if fmt == "ftm":
        return {e.first("transactionNumber"): float(e.first("amount"))
                for e in read_ftm(path.read_text(encoding="utf-8").splitlines()) if e.schema.name == "Payment"}
    notes = [o for o in read_stix(path.read_text(encoding="utf-8")).objects
             if o.type == "note" and "payment" in o.get("labels", [])]
    return {o.external_references[0].external_id: float(o.content.split("\n")[0].split(": ")[1].split()[0])
            for o in notes}


@pytest.mark.parametrize("audience", ["public", "partner", "analyst", "platform", "investigator"])
def test_an_audience_gets_the_same_payments_in_every_format(world: tuple, audience: str, tmp_path: Path) -> None:
    """The policy's `withhold` decides once per audience whether payments leave: partners and the public get none in
    any format; the others get every payment with its amount in FtM, STIX and CSV alike."""
    store = world[0]
    carried = {fmt: _payments(_export(store, fmt, audience, tmp_path / f"e.{fmt}"), fmt)
               for fmt in ("csv", "ftm", "stix")}
    assert carried["csv"] == carried["ftm"] == carried["stix"], {f: len(p) for f, p in carried.items()}
    withheld = "transaction" in load_policy().audience(audience).withhold
    assert withheld == (audience in ("public", "partner"))
    if withheld:
        assert carried["csv"] == {} and not (tmp_path / "e.csv" / "payment_accounts.csv").exists()
    else:
        stored = {t.id: t.amount for t in store.find(Transaction)}
        assert carried["csv"] and all(stored[i] == amount for i, amount in carried["csv"].items())


def _pseudonyms(path: Path) -> set[str]:
    return set(re.findall(r"h:[0-9a-f]{16}", _text(path)))


def test_each_audience_has_its_own_pseudonyms_and_keeps_them_across_releases(world: tuple, tmp_path: Path) -> None:
    """A partner's and the public's releases cannot be joined on pseudonyms (each audience's key is derived from
    the share key); a later release of one audience shows the same pseudonyms; no key is in an export."""
    store = world[0]
    public, partner = (_pseudonyms(_export(store, "csv", a, tmp_path / a)) for a in ("public", "partner"))
    assert public and partner and not public & partner
    again = _pseudonyms(_export(store, "csv", "partner", tmp_path / "partner-again"))
    assert again == partner
    fresh = Redactor("partner", key=KEY)  # another process, another day: the key is derived, not stored
    rows = csv.DictReader((tmp_path / "partner" / "accounts.csv").read_text(encoding="utf-8-sig").splitlines())
    exported = {r["id"] for r in rows}
    assert exported and exported <= {fresh.pseudonym(a.id) for a in store.find(Account)}
    for audience in ("public", "partner"):
        assert audience_key(KEY, audience).hex() not in _text(tmp_path / audience)


@pytest.mark.parametrize("audience", ["public", "partner", "analyst", "platform", "investigator"])
def test_every_identifier_value_an_audience_is_given_is_in_every_format(world: tuple, audience: str,
                                                                         tmp_path: Path) -> None:
    """An account's identifiers as the audience may see them (values or pseudonyms) are in FtM (phone, email or
    notes of the UserAccount) and STIX (an identifiers note on the user-account) as in CSV."""
    store = world[0]
    rows = list(csv.DictReader((_export(store, "csv", audience, tmp_path / "csv") / "identifiers.csv")
                               .read_text(encoding="utf-8-sig").splitlines()))
    given = {(r["kind"], r["value"]) for r in rows if r.get("value")}
    assert given or audience in ("public", "partner")  # they are shown no contact or payment value
    ftm = [e for e in read_ftm(_export(store, "ftm", audience, tmp_path / "e.ftm").read_text(encoding="utf-8")
                               .splitlines()) if e.schema.name == "UserAccount"]
    in_ftm = {(k, v) for e in ftm for k in ("phone", "email") for v in e.get(k)} | {
        tuple(n.split(": ", 1)) for e in ftm for n in e.get("notes") if ": " in n}
    stix = read_stix(_export(store, "stix", audience, tmp_path / "e.stix").read_text(encoding="utf-8"))
    in_stix = {tuple(line.split(": ", 1)) for o in stix.objects if o.type == "note"
               and "identifiers" in o.get("labels", []) for line in o.content.splitlines()}
    assert given <= in_ftm, sorted(given - in_ftm)[:5]
    assert given == in_stix, sorted(given ^ in_stix)[:5]
