from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, date, timedelta
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from tests.report.world import World, make_world
from wildtrace.cli.main import app
from wildtrace.model import Capture, Post, content_hash
from wildtrace.report import (
    BrandError,
    ReportOptions,
    build_report,
    detect_changes,
    fold_code_word,
    load_brand,
    queries_path,
    render_html,
    render_pdf,
    score_changes,
    write_report,
)
from wildtrace.report._charts import all_charts
from wildtrace.screen import squeeze
from wildtrace.share import audience_key, pseudonym
from wildtrace.store import Store, open_store

PUBLIC = audience_key(b"k", "public")  # the report is for the public
HOSTILE = "<script>alert('x')</script>"


@pytest.fixture(scope="module")
def world_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, World, Path]]:
    path = tmp_path_factory.mktemp("world") / "w.duckdb"
    store = open_store(str(path))
    world = make_world(store, seed=3, hostile=HOSTILE)
    yield store, world, path
    store.close()


@pytest.fixture(scope="module")
def report(world_store: tuple[Store, World, Path]) -> dict:
    store, world, _ = world_store
    return build_report(store, ReportOptions(world.start, world.end), key=b"k")


@pytest.mark.parametrize("seed", range(5))
def test_change_points_date_a_crackdown_and_its_rebound(seed: int) -> None:
    rng = np.random.default_rng(seed)
    series = rng.poisson([80] * 4 + [44] * 8 + [80] * 8)
    found = detect_changes(series)
    drops = [c for c in found if c["direction"] == "drop"]
    rebounds = [c for c in found if c["direction"] == "rebound"]
    assert drops and drops[0]["index"] == 4
    assert -0.6 < drops[0]["change"] < -0.3
    assert rebounds and abs(rebounds[-1]["index"] - 12) <= 1


def test_no_change_is_found_in_a_steady_series() -> None:
    rng = np.random.default_rng(7)
    assert detect_changes(rng.poisson([60] * 20)) == []


def test_report_finds_the_crackdown_and_rebound_of_the_world(report: dict, world_store: tuple) -> None:
    world = world_store[1]
    changes = report["sections"]["changes"]["changes"]
    drop = next(c for c in changes if c["direction"] == "drop")
    assert drop["week"] == world.drop_week
    assert -0.7 < drop["change"] < -0.25
    assert any(c["direction"] == "rebound" and abs(c["week"] - world.rebound_week) <= 1 for c in changes)


def test_night_share_is_in_the_posters_local_time(report: dict, world_store: tuple) -> None:
    assert report["sections"]["timing"]["night_share"] == pytest.approx(world_store[1].night_share, abs=0.001)


def test_price_per_gram_per_type_matches_the_truth_and_no_bound_is_negative(report: dict,
                                                                           world_store: tuple) -> None:
    world = world_store[1]
    rows = {r["product_type"]: r for r in report["sections"]["products"]["types"]}
    for ptype, prices in world.prices.items():
        stats = rows[ptype]["cny_per_gram"]
        assert stats["n"] == len(prices)
        assert stats["median"] == pytest.approx(np.median(np.round(prices, 2)), abs=0.01)
        assert stats["p25"] == pytest.approx(np.percentile(np.round(prices, 2), 25), abs=0.01)
        assert stats["mean"] == pytest.approx(np.mean(prices), abs=0.01)
        assert 0 < stats["ci_low"] <= stats["median"] <= stats["ci_high"]
        assert rows[ptype]["usd_per_gram"]["median"] < stats["median"]
    # semi-worked ivory's spread (7.4 +- 3.4) put mean - sd below zero in small samples: no bound is negative now
    bounds = [v for r in rows.values() for d in (r["cny_per_gram"], r["usd_per_gram"])
              for k, v in d.items() if k != "n" and v is not None]
    assert bounds and min(bounds) > 0


def test_reposts_of_one_picture_count_as_one_item(report: dict, world_store: tuple) -> None:
    world = world_store[1]
    assert report["sections"]["volume"]["flagged"] == world.flagged
    assert report["sections"]["volume"]["unique_items"] == world.items < world.flagged


def test_a_look_alike_product_photo_is_another_item() -> None:
    """A resized copy agrees on all three hashes; a look-alike shot of another item agrees on pHash alone, which
    chained every plain-background photo into one item before."""
    import pandas as pd

    from wildtrace.report._sections import item_ids

    def flip(value: int, bits: int) -> str:
        return f"{value ^ ((1 << bits) - 1):016x}"

    p, d, w = 0x0F0F_3C3C_A5A5_5A5A, 0x1234_5678_9ABC_DEF0, 0x0FF0_F00F_3CC3_C33C
    rows = [("a", f"{p:016x}", f"{d:016x}", f"{w:016x}"), ("b", flip(p, 1), flip(d, 2), flip(w, 1)),
            ("c", flip(p, 3), flip(d, 40), flip(w, 30))]
    pictures = pd.DataFrame(rows, columns=["sha256", "phash", "dhash", "whash"])
    posts = pd.DataFrame({"id": ["p1", "p2", "p3"], "media": [["a"], ["b"], ["c"]]})
    assert item_ids(posts, pictures).tolist() == ["p1", "p1", "p3"]


def test_new_code_words_are_those_not_seen_before_the_period(world_store: tuple) -> None:
    store, world, _ = world_store
    def words(weeks_in: int) -> dict:
        start = world.start + timedelta(days=7 * weeks_in)
        rows = build_report(store, ReportOptions(start, world.end))["sections"]["code_words"]["words"]
        return {w["term"]: w for w in rows}

    late, early = words(world.new_word_week + 1), words(world.new_word_week - 2)
    assert not late[world.new_word]["new"] and not late["XY"]["new"]
    assert early[world.new_word]["new"] and not early["XY"]["new"]


def test_variants_of_a_code_word_are_one_entry_folded_as_the_screener_folds(report: dict) -> None:
    words = report["sections"]["code_words"]["words"]
    xy = [w for w in words if w["key"] == squeeze("XY")]
    assert len(xy) == 1 and xy[0]["term"] == "XY"
    assert set(xy[0]["variants"]) == {"XY", "xy", "X.Y", "X Y"}
    assert xy[0]["posts"] == report["sections"]["volume"]["flagged"]
    assert len({w["key"] for w in words}) == len(words)
    cow = fold_code_word("Cow bone = elephant")
    assert cow[0] == fold_code_word("cow bone")[0] == fold_code_word("COW-BONE")[0] and cow[1:] == ("Cow bone",
                                                                                                "elephant")


def test_partial_weeks_are_marked_and_left_out_of_trends(world_store: tuple) -> None:
    store, world, _ = world_store
    # from the Sunday before the first Monday (as the demo did: the UTC date of the first post) to a Tuesday
    start, end = world.start - timedelta(days=1), world.end - timedelta(days=5)
    data = build_report(store, ReportOptions(start, end), key=b"k")
    weeks = data["sections"]["volume"]["weeks"]
    assert [w["days"] for w in (weeks[0], weeks[-1])] == [1, 2]
    assert weeks[0]["partial"] and weeks[-1]["partial"] and not any(w["partial"] for w in weeks[1:-1])
    assert all(date.fromisoformat(w["start"]).weekday() == 0 for w in weeks)
    assert weeks[1]["iso"] == "{}-W{:02d}".format(*world.start.isocalendar()[:2])
    changes = data["sections"]["changes"]
    assert changes["full_weeks"] == len(weeks) - 2 == len(changes["series"])
    drop = next(c for c in changes["changes"] if c["direction"] == "drop")
    assert drop["date"] == (world.start + timedelta(weeks=world.drop_week - 1)).isoformat()
    volume = data["sections"]["volume"]
    assert volume["early_weeks"][0] == weeks[1]["iso"] and volume["late_weeks"][-1] == weeks[-2]["iso"]


def test_traders_categories_backups_and_pseudonymised_top_traders(report: dict, world_store: tuple) -> None:
    traders = report["sections"]["traders"]
    assert traders["available"] and sum(c["share"] for c in traders["categories"]) == pytest.approx(1.0)
    assert traders["backup_accounts"] == 4
    assert all(t["trader"].startswith("h:") for t in traders["top_traders"])


def test_every_figure_names_queries_the_report_prints(report: dict) -> None:
    for section in report["sections"].values():
        assert section["source"]["queries"]
        assert set(section["source"]["queries"]) <= set(report["queries"])


def test_html_escapes_hostile_text_and_leaks_no_handles(report: dict, world_store: tuple) -> None:
    html = render_html(report)
    assert HOSTILE not in html and "&lt;script&gt;" in html
    for account in world_store[1].accounts:
        assert account.split(":")[1] not in html


def test_without_the_linking_stage_the_traders_section_says_no_data(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "s.duckdb"))
    world = make_world(store, seed=1, weeks=6, base=20)
    store.execute("DROP TABLE link_members")
    data = build_report(store, ReportOptions(world.start, world.end))
    assert data["sections"]["traders"]["available"] is False
    assert "no data" in render_html(data)


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils not installed")
def test_pdf_renders_with_the_cjk_font_and_is_not_blank(report: dict, tmp_path: Path) -> None:
    pdf = render_pdf(report, tmp_path / "r.pdf")
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "WenQuanYi" in fonts
    subprocess.run(["pdftoppm", "-r", "40", "-f", "1", "-l", "1", "-png", str(pdf), str(tmp_path / "p")], check=True)
    page = np.asarray(Image.open(next(tmp_path.glob("p*.png"))).convert("L"), dtype=float)
    assert (page < 200).mean() > 0.01


def test_cli_writes_the_report_and_refuses_bad_dates(world_store: tuple, tmp_path: Path) -> None:
    _, world, path = world_store
    out = tmp_path / "r.json"
    runner = CliRunner(env={"WILDTRACE_SHARE_KEY": "k", "WILDTRACE_DATA_DIR": str(tmp_path)})
    result = runner.invoke(app, ["report", "--db", str(path), "--from", world.start.isoformat(), "--to",
                                 world.end.isoformat(), "--format", "json", "--out", str(out), "--json",
                                 "--event", (world.start.replace(day=world.start.day + 28)).isoformat()])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["sections"]["changes"]["events"][0]["change"] < 0
    assert json.loads(result.stdout)["flagged"] == world.flagged
    bad = runner.invoke(app, ["report", "--db", str(path), "--from", "2026-13-01", "--to", "2026-01-01", "--out",
                              str(out)])
    assert bad.exit_code != 0


def test_change_scores_count_matches_of_the_same_kind_within_the_tolerance() -> None:
    found = [{"index": 4, "direction": "drop"}, {"index": 9, "direction": "rebound"},
             {"index": 15, "direction": "drop"}]
    scores = score_changes(found, [(4, "drop"), (12, "rise")], tolerance=1)
    assert scores["matched"] == 1 and scores["precision"] == pytest.approx(1 / 3) and scores["recall"] == 0.5
    assert score_changes(found, [(4, "drop"), (10, "rise")], tolerance=1)["matched"] == 2
    assert score_changes([], [(4, "drop")])["f1"] == 0.0


def test_eval_changes_command_scores_a_labelled_series(tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    series = tmp_path / "s.csv"
    series.write_text("week,count\n" + "".join(f"{i + 1},{v}\n" for i, v in
                                               enumerate(rng.poisson([90] * 4 + [50] * 8 + [90] * 8))))
    labels = tmp_path / "l.csv"
    labels.write_text("week,direction\n5,drop\n13,rise\n")
    result = CliRunner().invoke(app, ["eval", "changes", str(series), str(labels), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["recall"] == 1.0
    bad = CliRunner().invoke(app, ["eval", "changes", str(labels), str(series)])
    assert bad.exit_code != 0


def _sentence(report: dict, section: str, word: str) -> dict:
    return next(x for x in report["summary"] if x["section"] == section and word in x["text"])


def test_summary_numbers_are_the_stores(report: dict, world_store: tuple) -> None:
    store, world, _ = world_store
    start, end = ReportOptions(world.start, world.end).bounds()
    rows = store.query(
        "SELECT p.account_id, p.posted_at, p.posted_at_tz, v.extracted FROM posts p "
        "JOIN verdicts v ON v.post_id = p.id WHERE v.tier IN ('high', 'medium') AND p.posted_at >= ? "
        "AND p.posted_at < ?", [start, end])
    volume = _sentence(report, "volume", "screening flagged")
    assert volume["numbers"]["flagged"] == len(rows) and f"flagged {len(rows):,} of" in volume["text"]
    local = [(r["posted_at"] + timedelta(minutes=r["posted_at_tz"])).astimezone(UTC).hour for r in rows]
    night = round(float(np.mean([h in (21, 22, 23, 0, 1, 2, 3, 4, 5) for h in local])), 3)
    sentence = _sentence(report, "timing", "21:00")
    assert sentence["numbers"]["night_share"] == night and sentence["text"].startswith(f"{night:.0%}")
    prices: dict[str, list[float]] = {}
    for r in rows:
        e = json.loads(r["extracted"])
        prices.setdefault(e["product_type"], []).append(e["price_per_gram_cny"])
    quoted = _sentence(report, "products", "CNY/g")["numbers"]
    assert set(quoted) == {t for t, v in prices.items() if len(v) >= 5}
    for ptype, numbers in quoted.items():
        assert numbers["median"] == pytest.approx(np.median(prices[ptype]), abs=0.005)
        assert numbers["p25"] == pytest.approx(np.percentile(prices[ptype], 25), abs=0.005)
        assert numbers["n"] == len(prices[ptype])
    traders = store.query("SELECT count(DISTINCT m.trader_id) AS n FROM link_members m JOIN posts p ON p.account_id = "
                          "m.account_id JOIN verdicts v ON v.post_id = p.id WHERE v.tier IN ('high', 'medium') AND "
                          "p.posted_at >= ? AND p.posted_at < ?", [start, end])[0]["n"]
    active = _sentence(report, "traders", "posted flagged ads")["numbers"]
    assert active["active"] == traders == active["new"] + active["returning"]
    m = _sentence(report, "measurement", "Screening is right")["numbers"]
    assert m["low"] <= m["estimate"] == round(len(rows) * m["precision"] / m["recall"]) <= m["high"]
    for x in report["summary"]:
        assert set(x["source"]["queries"]) <= set(report["queries"]), x["id"]


def test_queries_go_beside_the_report_not_into_it(report: dict, tmp_path: Path) -> None:
    out = write_report(report, tmp_path / "r.html", "html")
    html = out.read_text(encoding="utf-8")
    assert "SELECT" not in html and "[S1]" in html
    sql = queries_path(out).read_text(encoding="utf-8")
    assert report["queries"]["posts_in_period"] in sql and "[S1] wildtrace.report._sections.volume" in sql


def test_thin_data_says_it_cannot_tell(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "thin.duckdb"))
    world = make_world(store, seed=4, weeks=12, base=4)
    data = build_report(store, ReportOptions(world.start, world.end))
    changes = data["sections"]["changes"]
    assert not changes["can_tell"] and (changes["detectable_drop"] is None or changes["detectable_drop"] > 0.45)
    text = _sentence(data, "changes", "eekly volume")["text"]
    assert text.startswith("Too thin to tell") or (changes["changes"] and "Smaller changes" in render_html(data))
    assert any("too thin" in x for x in data["limitations"])


def test_seizures_lead_back_to_the_seller_by_pseudonym(report: dict, world_store: tuple) -> None:
    world = world_store[1]
    seizures = report["sections"]["seizures"]
    assert seizures["n"] == 2 and seizures["linked"] == 1
    linked = next(r for r in seizures["rows"] if r["sellers"])
    assert [s["seller"] for s in linked["sellers"]] == [pseudonym(world.seized_trader, PUBLIC)]
    assert linked["sellers"][0]["via"] == "sender" and "place" not in linked
    studies = report["case_studies"]["studies"]
    assert len(studies) == 1 and studies[0]["origin"] == "seizure" and studies[0]["summary"]["posts"] > 0
    html = render_html(report)
    for value in world.sensitive:
        assert value not in html, value


def test_networks_rank_traders_by_money_with_pseudonyms(report: dict) -> None:
    networks = report["sections"]["networks"]
    assert networks["available"] and networks["receivers"]
    top = networks["receivers"][0]  # T01 holds two of the five cards paid 3,000 each
    assert top["received"] == 6000 and top["who"] == pseudonym("T01", PUBLIC) and top["kind"] == "trader"
    assert sum(r["received"] for r in networks["receivers"] if r["kind"] == "trader") == 15000


def test_the_report_takes_a_brand_and_chinese_headings(report: dict, tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    Image.new("RGB", (40, 20), "#123456").save(logo)
    brand = tmp_path / "brand.yaml"
    brand.write_text("organisation: 'Wild <NGO>'\nlogo: logo.png\nlanguage: zh\ncolours: {primary: '#0a3d62', "
                     "accent: '#e58e26', text: '#111111'}\nfooter: 'CC BY'\n", encoding="utf-8")
    html = render_html(report, load_brand(brand))
    assert "摘要" in html and "案例研究" in html and "#0a3d62" in html and "data:image/png;base64," in html
    assert "Wild &lt;NGO&gt;" in html
    assert "Summary" in render_html(report, load_brand(brand, "en"))
    brand.write_text("colours: {primary: red, accent: '#e58e26', text: '#111111'}\n", encoding="utf-8")
    with pytest.raises(BrandError, match=r"brand.yaml: colours.primary"):
        load_brand(brand)
    with pytest.raises(BrandError, match="--lang 'fr'"):
        load_brand(None, "fr")


def test_time_to_deletion_comes_from_the_watch_timeline(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "watch.duckdb"))
    world = make_world(store, seed=2, weeks=6, base=10)
    posts = [p for p in store.find(Post) if p.id.startswith("p")][:4]
    captures, watch = [], []
    for k, post in enumerate(posts):  # seen 2 h after posting; the first three found gone at 2 + 2k + 1 h
        url = f"https://example.org/{post.id}"
        seen = Capture(sha256=content_hash(url, "seen"), url=url, post_id=post.id, collector="t",
                       captured_at=post.posted_at + timedelta(hours=2))
        captures.append(seen)
        if k < 3:
            captures.append(Capture(sha256=content_hash(url, "gone"), url=url, post_id=post.id, collector="t",
                                    removed=True, version_of=seen.sha256,
                                    captured_at=post.posted_at + timedelta(hours=3 + 2 * k)))
        watch.append({"url": url, "post_id": post.id, "marker": None, "added_at": post.posted_at, "versions": 1,
                      "gone": k < 3})
    store.put(captures)
    store.insert_rows("watchlist", watch, list(watch[0]), ["url"])
    data = build_report(store, ReportOptions(world.start, world.end))
    d = data["sections"]["deletions"]
    assert d["watched"] == 4 and d["watch_deleted"] == 3 and d["watch_share"]["share"] == 0.75
    assert d["at_least_hours"]["median"] == 2.0 and d["at_most_hours"]["median"] == 5.0
    assert d["within_24h"]["share"] == 1.0
    assert "Of 4 flagged ads watched, 3 (75%) were deleted" in _sentence(data, "deletions", "deleted")["text"]


@pytest.mark.filterwarnings("error")
def test_charts_draw_symbols_in_code_words_and_an_empty_period_without_warnings(report: dict,
                                                                                world_store: tuple) -> None:
    """Sellers write symbols into code words (象⭐牙, 象🐘牙): the charts' fonts have them (a missing glyph is a
    warning, here an error); a period without posts draws its charts without a legend warning."""
    store, world, _ = world_store
    starred = json.loads(json.dumps(report, default=str))
    words = starred["sections"]["code_words"]["words"]
    words[0] = {**words[0], "term": "象⭐牙"}
    words[1] = {**words[1], "term": "象🐘牙"}
    assert set(all_charts(starred, load_brand(None).colours)) >= {"volume", "species", "hours", "code_words"}
    empty = build_report(store, ReportOptions(world.end + timedelta(days=70), world.end + timedelta(days=98)))
    assert not empty["sections"]["volume"]["platforms"]
    assert set(all_charts(empty, load_brand(None).colours)) == {"volume", "species", "hours"}
