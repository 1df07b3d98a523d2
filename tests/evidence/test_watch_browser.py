"""Watch through headless Chromium against pages served on loopback whose content only exists once their
JavaScript ran: a listing whose links a script inserts (discovery), a post whose ad, view counter and clock a
script changes on every load (not edits) and whose price comes from an API (an edit), and a members' page
reached through a signed-in profile."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner
from warcio.archiveiterator import ArchiveIterator

from tests.evidence.conftest import Site
from wildtrace.cli.main import app
from wildtrace.evidence import CHROMIUM, Evidence, Watcher, browser_context

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed")

PNG_A = b"\x89PNG\r\n\x1a\n" + b"A" * 64
SEARCH = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>search</title></head><body>
<nav><a href="/about">about</a></nav><ul id="results">loading</ul>
<script>fetch('/api/search.json').then(r => r.json()).then(d => {
  document.getElementById('results').innerHTML = d.map(p => '<li><a href="' + p + '">item</a></li>').join('');
});</script></body></html>"""
POST = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>老料手镯</title></head><body>
<header id="views"></header><aside class="ad" id="ad"></aside><article id="post">loading</article>
<footer id="clock"></footer>
<script>
const pick = n => Math.floor(Math.random() * n);
const ads = ['cheap tea', 'phone cases', 'luxury watches', 'travel deals'];
document.getElementById('ad').innerHTML = '<img src="/ads/' + pick(4) + '.png"><p>Sponsored: ' + ads[pick(4)]
  + ' ' + pick(90) + '% off</p>';
document.getElementById('views').textContent = 'Views: ' + (1000 + pick(5000));
document.getElementById('clock').textContent = 'rendered ' + new Date().toISOString();
fetch('/api/post.json?id=ID').then(r => r.json()).then(d => {
  document.getElementById('post').innerHTML = '<h1>' + d.title + '</h1><p>' + d.title + ' ' + d.price
    + '元 加V: ' + d.contact + '</p><img src="/img/a.png"><p>Contact on WeChat for pictures of every piece, '
    + 'courier shipping nationwide.</p>';
});
</script></body></html>"""
LOGIN = """<!DOCTYPE html><html><body><input id="user"><input id="password" type="password">
<button id="go">sign in</button><script>document.getElementById('go').onclick = () => {
  fetch('/api/login?user=' + encodeURIComponent(document.getElementById('user').value) + '&password='
        + encodeURIComponent(document.getElementById('password').value))
    .then(r => r.ok ? r.json() : Promise.reject(r.status))
    .then(d => { localStorage.setItem('token', d.token); location.href = '/members/1'; });
};</script></body></html>"""
MEMBERS = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>members</title></head><body>
<article id="post">please sign in to see this post</article>
<script>fetch('/api/members.json?token=' + (localStorage.getItem('token') || 'none'))
  .then(r => r.ok ? r.json() : Promise.reject(r.status))
  .then(d => { document.getElementById('post').innerHTML = '<p>' + d.text + '</p><p>Contact on WeChat for '
    + 'pictures of every piece, courier shipping nationwide.</p>'; }).catch(() => {});
</script></body></html>"""


def _post(site: Site, n: int, price: int, contact: str = "lao_wang88") -> str:
    site.set("/img/a.png", PNG_A, ctype="image/png")
    for ad in range(4):
        site.set(f"/ads/{ad}.png", PNG_A + bytes([ad]), ctype="image/png")
    site.set(f"/api/post.json?id={n}", json.dumps({"title": "老料XY手镯", "price": price, "contact": contact}),
             ctype="application/json")
    return site.set(f"/p/{n}", POST.replace("ID", str(n)))


def _dom(evidence: Evidence, url: str) -> str:
    last = evidence.history(url)[-1]
    with evidence.warc_file(last).open("rb") as fh:
        records = {r.rec_headers.get_header("WARC-Target-URI"): r.content_stream().read() for r in ArchiveIterator(fh)}
    assert records[f"urn:view:{url}"].startswith(b"\x89PNG")  # with its screenshot
    return records[f"urn:dom:{url}"].decode()


def test_a_listing_rendered_by_javascript_adds_its_posts(evidence: Evidence, site: Site) -> None:
    posts = [_post(site, n, 1000 * n) for n in (1, 2)]
    site.set("/api/search.json", json.dumps(["/p/1", "/p/2", "/about"]), ctype="application/json")
    listing = site.set("/search?q=xy", SEARCH)
    plain = Watcher(evidence, timeout=10)
    plain.add(listing, discover=r"/p/[0-9]+$")
    assert [r.discovered for r in plain.run_once()] == [()]  # the server's HTML holds no link
    plain.remove(listing)

    watcher = Watcher(evidence, timeout=10, browser=True)
    watcher.add(listing, discover=r"/p/[0-9]+$")
    [first] = watcher.run_once()
    assert first.outcome == "new" and list(first.discovered) == posts
    second = {r.url: r.outcome for r in watcher.run_once()}
    assert second == {listing: "unchanged", posts[0]: "new", posts[1]: "new"}
    assert "老料XY手镯 2000元" in _dom(evidence, posts[1])
    assert json.loads((watcher.get(posts[1]) or {})["post_view"])["price"] == 2000
    assert evidence.verify().ok


def test_a_rotating_ad_is_no_edit_over_ten_rounds_and_a_price_change_is(evidence: Evidence, site: Site) -> None:
    url = _post(site, 1, 5000)
    watcher = Watcher(evidence, timeout=10, browser=True)
    watcher.add(url)
    with watcher.pages() as pages:  # one browser for the ten rounds; each loads the page anew
        outcomes = [watcher.check(watcher.get(url) or {}, pages).outcome for _ in range(10)]
    assert outcomes == ["new"] + ["unchanged"] * 9
    _post(site, 1, 6200)
    [result] = watcher.run_once()
    assert (result.outcome, result.message) == ("edited", "price up from 5000 to 6200 CNY")
    first, second = evidence.history(url)
    assert second.version_of == first.sha256 and "6200元" in _dom(evidence, url)
    assert (watcher.get(url) or {})["versions"] == 2 and evidence.verify().ok


def test_a_members_page_through_a_signed_in_profile(evidence: Evidence, site: Site, tmp_path: Path) -> None:
    site.set("/login", LOGIN)
    site.set("/api/login?user=monitor&password=s3cret", json.dumps({"token": "tok-7f3a"}), ctype="application/json")
    site.set("/api/members.json?token=tok-7f3a", json.dumps({"text": "members only: 象牙手镯 8000元 wx_ivory88"}),
             ctype="application/json")
    url = site.set("/members/1", MEMBERS)
    Watcher(evidence).add(url)
    assert [r.outcome for r in Watcher(evidence, timeout=10, browser=True).run_once()] == ["new"]
    assert "please sign in" in _dom(evidence, url)

    profile = tmp_path / "profile"
    with browser_context(profile) as context:  # the investigator signs in once, by hand
        page = context.new_page()
        page.goto(site.base + "/login")
        page.fill("#user", "monitor")
        page.fill("#password", "s3cret")
        page.click("#go")
        page.wait_for_url(url)
    watcher = Watcher(evidence, timeout=10, browser=True, profile=profile)
    [result] = watcher.run_once()
    assert result.outcome == "edited" and "price added: 8000" in result.message
    assert "members only: 象牙手镯 8000元" in _dom(evidence, url)
    assert not any(p.is_relative_to(profile) for p in evidence.root.rglob("*"))  # never inside the store
    with pytest.raises(ValueError, match="outside the evidence store"):
        Watcher(evidence, browser=True, profile=evidence.root / "profile")
    with pytest.raises(ValueError, match="only used when watching with the browser"):
        Watcher(evidence, profile=profile)


def test_watch_cli_with_the_browser(tmp_path: Path, site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WILDTRACE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("WILDTRACE_DB", str(tmp_path / "w.duckdb"))
    runner = CliRunner()
    url = _post(site, 3, 3000)
    assert runner.invoke(app, ["watch", "add", url]).exit_code == 0
    alone = runner.invoke(app, ["watch", "run", "--once", "--profile", str(tmp_path / "profile")])
    assert alone.exit_code != 0 and "give --browser too" in str(alone.exception or alone.output)
    first = runner.invoke(app, ["watch", "run", "--once", "--browser", "--timeout", "10", "--json"])
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["outcome"] == "new"
    listing = json.loads(runner.invoke(app, ["watch", "list", "--json"]).stdout)
    assert json.loads(listing[0]["post_view"])["price"] == 3000  # the price the script rendered
