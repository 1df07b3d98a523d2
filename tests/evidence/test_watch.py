"""Watching URLs on a local HTTP server: edits become versions, removals are recorded, nothing is lost."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner
from warcio.archiveiterator import ArchiveIterator

from tests.evidence.conftest import Site
from wildtrace.cli.main import app
from wildtrace.evidence import Evidence, Politeness, Watcher, WatchResult
from wildtrace.model import Post


def _page(body: str) -> str:
    return (f"<html><head><title>listing</title></head><body><article><p>{body}</p>"
            "<p>Contact on WeChat for pictures of every piece, courier shipping nationwide.</p></article>"
            "</body></html>")


def _outcomes(watcher: Watcher) -> dict[str, str]:
    return {r.url: r.outcome for r in watcher.run_once()}


def _payload(evidence: Evidence, sha: str) -> bytes:
    path = evidence.root / f"warc/{sha[:2]}/{sha}.warc.gz"
    with path.open("rb") as fh:
        return next(r.content_stream().read() for r in ArchiveIterator(fh) if r.rec_type == "response")


def test_edit_is_a_new_version_and_deletion_keeps_the_earlier_capture(evidence: Evidence, site: Site) -> None:
    evidence.store.add([Post(id="p1", platform="forum", text="XY bangle", url=site.base + "/p/1")])
    url = site.set("/p/1", _page("老料XY手镯 5000元"))
    watcher = Watcher(evidence, timeout=5)
    assert watcher.add(url)["post_id"] == "p1"  # linked to the stored post by URL

    assert _outcomes(watcher) == {url: "new"}
    assert _outcomes(watcher) == {url: "unchanged"}
    site.set("/p/1", _page("老料XY手镯 4200元 降价"))
    assert _outcomes(watcher) == {url: "edited"}
    site.set("/p/1", "<h1>gone</h1>", status=404)
    assert _outcomes(watcher) == {url: "removed"}
    assert _outcomes(watcher) == {url: "still_removed"}

    first, second, removed = evidence.history(url)
    assert second.version_of == first.sha256 and removed.version_of == second.sha256
    assert removed.removed and removed.http_status == 404 and not first.removed
    assert b"5000" in _payload(evidence, first.sha256)
    assert b"4200" in _payload(evidence, second.sha256)
    post = evidence.store.get(Post, "p1")
    assert post.deleted_at == removed.captured_at
    row = watcher.get(url)
    assert row["gone"] and row["versions"] == 2 and row["last_status"] == 404
    assert evidence.verify().ok


def test_removed_marker_410_and_reappearance(evidence: Evidence, site: Site) -> None:
    marked = site.set("/a", _page("turtle shell comb"))
    custom = site.set("/b", _page("hornbill casque"))
    vanished = site.set("/c", _page("rhino horn cup"))
    watcher = Watcher(evidence, timeout=5)
    for url in (marked, vanished):
        watcher.add(url)
    watcher.add(custom, marker="Listing withdrawn by seller")
    assert set(_outcomes(watcher).values()) == {"new"}
    site.set("/a", _page("该内容已被删除"))
    site.set("/b", _page("Listing withdrawn by seller"))
    site.set("/c", "", status=410)
    assert _outcomes(watcher) == {marked: "removed", custom: "removed", vanished: "removed"}
    site.set("/a", _page("turtle shell comb, back again"))
    assert _outcomes(watcher)[marked] == "reappeared"


def test_server_errors_and_unreachable_urls_are_not_removals(evidence: Evidence, site: Site) -> None:
    url = site.set("/x", _page("pangolin scales"))
    watcher = Watcher(evidence, timeout=2)
    watcher.add(url)
    watcher.add("http://127.0.0.1:9/nothing-listens-here")
    watcher.run_once()
    site.set("/x", "busy", status=503)
    outcomes = {r.url: r for r in watcher.run_once()}
    assert outcomes[url].outcome == "error" and outcomes[url].http_status == 503
    assert outcomes["http://127.0.0.1:9/nothing-listens-here"].outcome == "error"
    assert not watcher.get(url)["gone"] and len(evidence.history(url)) == 1


def test_watch_cli(tmp_path: Path, site: Site, monkeypatch) -> None:
    monkeypatch.setenv("WILDTRACE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("WILDTRACE_DB", str(tmp_path / "w.duckdb"))
    runner = CliRunner()
    assert runner.invoke(app, ["watch", "run", "--once"]).exit_code != 0  # empty watchlist
    url = site.set("/p/9", _page("ivory chopsticks"))
    assert runner.invoke(app, ["watch", "add", url]).exit_code == 0
    first = runner.invoke(app, ["watch", "run", "--once", "--json"])
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["outcome"] == "new"
    site.set("/p/9", _page("ivory chopsticks, sold"))
    second = runner.invoke(app, ["watch", "run", "--rounds", "2", "--interval", "0"])
    assert second.stdout.split()[0] == "edited" and "unchanged" in second.stdout
    listing = json.loads(runner.invoke(app, ["watch", "list", "--json"]).stdout)
    assert listing[0]["versions"] == 2 and listing[0]["url"] == url
    assert runner.invoke(app, ["watch", "remove", url]).exit_code == 0
    assert "empty" in runner.invoke(app, ["watch", "list"]).stdout


PNG_A, PNG_B = b"\x89PNG\r\n\x1a\n" + b"A" * 64, b"\x89PNG\r\n\x1a\n" + b"B" * 64


def _listing(round_: int, price: int = 5000, contact: str = "lao_wang88", picture: str = "/img/a.png") -> str:
    """A marketplace page whose ad, view counter and render time change every time it is served."""
    return (f"<html><head><title>老料手镯</title></head><body><header>Views: {1000 + 37 * round_} · rendered "
            f"10:{round_:02d}:01</header><aside class='ad'><img src='/ads/{round_ % 4}.png'><p>Sponsored: "
            f"{['cheap tea', 'phone cases', 'luxury watches', 'travel deals'][round_ % 4]} {round_}% off</p></aside>"
            f"<article><h1>老料手镯</h1><p>老料XY手镯 {price}元 加V: {contact}</p><img src='{picture}'>"
            "<p>Contact on WeChat for pictures of every piece, courier shipping nationwide.</p></article>"
            f"<footer>© 2026 · served in {round_ * 3 + 11} ms</footer></body></html>")


def test_rotating_ads_counters_and_times_are_not_edits_over_ten_rounds(evidence: Evidence, site: Site) -> None:
    site.set("/img/a.png", PNG_A, ctype="image/png")
    for n in range(4):
        site.set(f"/ads/{n}.png", PNG_B + bytes([n]), ctype="image/png")
    url = site.set("/p/1", _listing(0))
    watcher = Watcher(evidence, timeout=5)
    watcher.add(url)
    outcomes = []
    for round_ in range(10):
        site.set("/p/1", _listing(round_))
        outcomes.append(_outcomes(watcher)[url])
    assert outcomes == ["new"] + ["unchanged"] * 9
    assert len(evidence.history(url)) == 1 and watcher.get(url)["versions"] == 1


def test_an_edit_says_what_changed(evidence: Evidence, site: Site) -> None:
    site.set("/img/a.png", PNG_A, ctype="image/png")
    site.set("/img/b.png", PNG_B, ctype="image/png")
    url = site.set("/p/1", _listing(0))
    watcher = Watcher(evidence, timeout=5)
    watcher.add(url)
    assert [r.outcome for r in watcher.run_once()] == ["new"]
    steps = [(dict(price=6200), "price up from 5000 to 6200 CNY"),
             (dict(price=4800), "price down from 6200 to 4800 CNY"),
             (dict(price=4800, contact="ivory_king2"), "contact changed: wechat:lao_wang88 -> wechat:ivory_king2"),
             (dict(price=4800, contact="ivory_king2", picture="/img/b.png"), "picture swapped")]
    for round_, (change, said) in enumerate(steps, start=1):
        site.set("/p/1", _listing(round_, **change))
        [result] = watcher.run_once()
        assert (result.outcome, result.message) == ("edited", said)
        assert watcher.get(url)["last_change"] == said
    assert [c.version_of is not None for c in evidence.history(url)] == [False, True, True, True, True]
    assert evidence.verify().ok


def _search_page(*paths: str) -> str:
    links = "".join(f"<li><a href='{p}'>item</a></li>" for p in paths)
    return (f"<html><body><nav><a href='/about'>about</a><a href='javascript:void(0)'>x</a>"
            f"<a href='http://elsewhere.example/p/9'>partner</a></nav><ul>{links}</ul></body></html>")


def test_a_watched_listing_adds_the_posts_it_links_to(evidence: Evidence, site: Site) -> None:
    for n in range(1, 5):
        site.set(f"/p/{n}", _page(f"象牙手镯 {n}000元"))
    listing = site.set("/search?q=xy", _search_page("/p/1", "p/2", "/p/2", f"{site.base}/p/3#comments"))
    watcher = Watcher(evidence, timeout=5)
    watcher.add(listing, discover=r"/p/[0-9]+$")
    [first] = watcher.run_once()
    expected = [f"{site.base}/p/{n}" for n in (1, 2, 3)]
    assert first.outcome == "new" and list(first.discovered) == expected  # same host, matching, once each
    second = {r.url: (r.outcome, r.discovered) for r in watcher.run_once()}
    assert second == {listing: ("unchanged", ()), **{u: ("new", ()) for u in expected}}
    assert {watcher.get(u)["discovered_from"] for u in expected} == {listing}
    site.set("/search?q=xy", _search_page("/p/4", "/p/1"))
    third = {r.url: r.discovered for r in watcher.run_once()}
    assert third[listing] == (f"{site.base}/p/4",)
    assert f"{site.base}/p/4" in {r["url"] for r in watcher.entries()}
    assert "http://elsewhere.example/p/9" not in {r["url"] for r in watcher.entries()}


def test_cli_discovery_pattern_is_checked(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("WILDTRACE_DB", str(tmp_path / "w.duckdb"))
    bad = CliRunner().invoke(app, ["watch", "add", "https://x.example/list", "--discover", "(unclosed"])
    assert bad.exit_code != 0 and "not a regular expression" in str(bad.exception or bad.output)


def test_schedules_jitter_and_per_host_politeness(evidence: Evidence, site: Site) -> None:
    hourly, often = site.set("/p/1", _page("老料XY手镯 5000元")), site.set("/p/2", _page("犀角杯 8000元"))
    site.set("/p/3", _page("玳瑁手镯 900元"))
    other_host = site.base.replace("127.0.0.1", "localhost") + "/p/3"
    watcher = Watcher(evidence, timeout=5)
    watcher.add(hourly, schedule="0 * * * *")
    watcher.add(often, schedule="*/5 * * * *")
    watcher.add(other_host)  # no schedule: the run's interval
    with pytest.raises(ValueError, match="not a cron expression"):
        watcher.add(hourly, schedule="every hour")
    slept: list[float] = []
    polite = Politeness(10.0, sleep=slept.append)
    t0 = datetime(2026, 3, 14, 10, 2, tzinfo=UTC)
    assert [r.url for r in watcher.run_due(t0, 1800, jitter=30, politeness=polite)] == [hourly, often, other_host]
    assert len(slept) == 1 and 0 < slept[0] <= 10  # the second request to 127.0.0.1 waited; localhost did not
    due = {r["url"]: r["next_check_at"] for r in watcher.entries()}
    for url, at in ((hourly, t0.replace(hour=11, minute=0)), (often, t0.replace(minute=5)),
                    (other_host, t0 + timedelta(seconds=1800))):
        assert at <= due[url] <= at + timedelta(seconds=30), url
    assert watcher.run_due(t0 + timedelta(minutes=1), 1800, politeness=polite) == []
    assert [r.url for r in watcher.run_due(t0.replace(minute=6), 1800, politeness=polite)] == [often]
    assert {r.url for r in watcher.run_due(t0.replace(hour=11, minute=1), 1800)} == {hourly, often, other_host}


def test_run_forever_checks_what_is_due_then_sleeps_until_the_next(evidence: Evidence, site: Site) -> None:
    watcher = Watcher(evidence, timeout=5)
    watcher.add(site.set("/p/1", _page("象牙 5000元")), schedule="*/5 * * * *")
    seen: list[WatchResult] = []
    naps: list[float] = []

    def nap(seconds: float) -> None:
        naps.append(seconds)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        watcher.run_forever(3600, jitter=0, per_host_delay=0, on_result=seen.append, sleep=nap)
    assert [r.outcome for r in seen] == ["new"] and 1 <= naps[0] <= 60
