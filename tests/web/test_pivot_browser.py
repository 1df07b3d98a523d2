"""Search and pivot in headless Chromium, as each role: the search box, an identifier's page, its trader, the
trader's money, a case. Investigators pivot on values; analysts on the pseudonyms they are shown (a value finds
nothing); partners, who see no contacts or payment accounts, still reach the trader from a post."""

from __future__ import annotations

import io
import json
from pathlib import Path
from urllib.parse import unquote

import pytest
from PIL import Image, ImageDraw

from tests.api.world import BACKUP_PHONE, PHONE
from tests.web.test_browser import sign_in
from wildtrace.evidence import Evidence
from wildtrace.model import MediaItem
from wildtrace.share import audience_key, pseudonym

pytestmark = pytest.mark.browser


def h(value: str, audience: str = "analyst") -> str:
    return pseudonym(value, audience_key(b"test-share-key", audience))


def _search(page, query: str) -> None:  # type: ignore[no-untyped-def]
    page.fill("header.top form.search input[name=q]", query)
    with page.expect_navigation():
        page.press("header.top form.search input[name=q]", "Enter")


def _case_from_trader(page, title: str) -> str:  # type: ignore[no-untyped-def]
    page.fill("#trader-case input[name=title]", title)
    with page.expect_navigation():
        page.click("#trader-case button")
    page.wait_for_selector("#case-title")
    return page.inner_text("#case-title")


@pytest.mark.parametrize("role", ["investigator", "admin"])
def test_investigator_pivots_from_a_phone_to_a_case(served, browser, shots: Path, role: str):  # type: ignore[no-untyped-def]
    base, store, _ = served
    page = browser.new_page()
    sign_in(page, base, role)
    _search(page, PHONE)
    assert page.locator("#hits-identifiers a.ident-phone").inner_text() == PHONE
    if role == "investigator":
        page.screenshot(path=shots / "workbench-search.png", full_page=True)
    with page.expect_navigation():
        page.click("#hits-identifiers a.ident-phone")
    assert page.inner_text("#ident-value") == PHONE
    holders = page.inner_text("#ident-accounts")
    assert "ivory_king2" in holders and "seen in profile" in holders
    assert "SF100200300" in page.inner_text("#ident-parcels")
    if role == "investigator":
        page.screenshot(path=shots / "workbench-identifier.png", full_page=True)
    with page.expect_navigation():
        page.click("#ident-traders a >> text=t-1")
    with page.expect_navigation():
        page.click("#trader-identifiers a >> text=wallet:w-881")
    assert "5,000.00 CNY" in page.inner_text("#ident-money")  # the money into the trader's wallet
    page.go_back()
    assert "5,000.00 CNY" in page.inner_text("#trader-money")
    if role == "investigator":
        page.screenshot(path=shots / "workbench-trader.png", full_page=True)
    title = _case_from_trader(page, f"{role}: Ivory King's money")
    assert "Ivory King" in title
    assert "t-1" in page.inner_text("main")
    case_id = page.url.rsplit("/", 1)[1]
    assert store.query("SELECT items FROM cases WHERE id = ?", [case_id])[0]["items"] == '["trader:t-1"]'
    page.close()


def test_analyst_pivots_on_pseudonyms_and_finds_nothing_by_value(served, browser, shots: Path):  # type: ignore[no-untyped-def]
    base, store, _ = served
    page = browser.new_page()
    sign_in(page, base, "analyst")
    _search(page, PHONE)
    assert "0 results" in page.inner_text("#search-total") and PHONE not in page.content()
    _search(page, h('+86' + PHONE))
    with page.expect_navigation():
        page.click("#hits-identifiers a.ident-phone")
    assert page.inner_text("#ident-value") == h('+86' + PHONE)
    assert PHONE not in page.content() and BACKUP_PHONE not in page.content()
    page.screenshot(path=shots / "workbench-analyst-identifier.png", full_page=True)
    with page.expect_navigation():
        page.click(f"#ident-traders a >> text={h('t-1')}")
    money = page.inner_text("#trader-money")
    assert "5,000.00 CNY" in money and "wallet:w-881" not in page.content()
    assert page.locator("#trader-identifiers a.ident-payment_account").inner_text() == h("wallet:w-881")
    title = _case_from_trader(page, "analyst: the same trader")
    assert "the same trader" in title
    case_id = page.url.rsplit("/", 1)[1]
    assert store.query("SELECT items FROM cases WHERE id = ?", [case_id])[0]["items"] == '["trader:t-1"]'
    assert h("t-1") in page.inner_text("main") and "wechat:ivory_king" not in page.content()
    page.close()


def test_partner_reaches_the_trader_from_a_post_but_no_contact(served, browser, shots: Path):  # type: ignore[no-untyped-def]
    base, _, ids = served
    page = browser.new_page()
    sign_in(page, base, "partner")
    _search(page, h('+86' + PHONE, "partner"))
    assert page.locator("#hits-identifiers").count() == 0  # contacts are withheld from partners, pseudonyms too
    _search(page, "象牙 手镯")
    with page.expect_navigation():
        page.click(f"#hits-posts a >> text={ids['posts'][0]}")
    assert "Why flagged" in page.inner_text("#post-why")
    with page.expect_navigation():
        page.click(".post-head a >> text=its money")
    assert unquote(page.url).endswith(f"/traders/{h('t-1', 'partner')}#money")
    assert "5,000.00 CNY" in page.inner_text("#trader-money")
    assert page.locator("#trader-identifiers a.ident").count() == 0 and page.locator("#trader-case").count() == 0
    assert PHONE not in page.content() and "w-881" not in page.content()
    page.screenshot(path=shots / "workbench-partner-trader-money.png", full_page=True)
    assert page.goto(f"{base}/identifiers/phone:{h('+86' + PHONE, 'partner')}").status == 404
    assert page.goto(f"{base}/cases").status == 403  # a partner reads; cases are the workers'
    page.close()


@pytest.fixture(scope="module")
def pictured(served) -> str:  # type: ignore[no-untyped-def]
    """The id of a post whose picture (in the evidence store) shows a messenger ID and the phone."""
    _, store, ids = served
    picture = Image.new("RGB", (360, 120), "white")
    ImageDraw.Draw(picture).text((12, 40), f"WeChat ivory_king88  {PHONE}", fill="black")
    data = io.BytesIO()
    picture.save(data, format="PNG")
    sha = Evidence(store, Path(ids["data_dir"])).blobs.put(data.getvalue())
    store.put([MediaItem(sha256=sha, mime="image/png", size=len(data.getvalue()),
                         ocr_text=f"WeChat ivory_king88 {PHONE}")])
    post = ids["posts"][0]
    store.execute("UPDATE posts SET media = ? WHERE id = ?", [json.dumps([sha]), post])
    return post


@pytest.mark.parametrize("role", ["investigator", "admin"])
def test_a_post_shows_its_picture_with_the_text_read_in_it(served, browser, shots: Path, pictured: str, role: str
                                                           ):  # type: ignore[no-untyped-def]
    base, _, _ = served
    page = browser.new_page()
    sign_in(page, base, role)
    page.goto(f"{base}/posts/{pictured}")
    img = page.locator("figure.picture img")
    img.scroll_into_view_if_needed()  # pictures load lazily
    img.evaluate("img => img.decode()")  # resolves once the picture is loaded and decoded (rejects if it is not)
    assert img.evaluate("img => img.naturalWidth") == 360
    assert f"WeChat ivory_king88 {PHONE}" in page.inner_text("figure.picture figcaption")
    assert "code word XY for ivory" in page.inner_text("#post-why")
    if role == "investigator":
        page.screenshot(path=shots / "workbench-post.png", full_page=True)
    # the identifiers written in the post and read in its picture are links to their pages
    assert page.locator("figure.picture .ocr a.ident-messenger_id").inner_text() == "ivory_king88"
    with page.expect_navigation():
        page.click(".post-text a.ident-phone")
    assert page.inner_text("#ident-value") == "+86" + PHONE
    assert "ivory_king2" in page.inner_text("#ident-accounts")  # the same phone, however it is written
    page.close()


@pytest.mark.parametrize("role", ["analyst", "partner"])
def test_a_redacted_role_reads_the_picture_s_text_scrubbed_and_not_the_picture(
        served, browser, pictured: str, role: str):  # type: ignore[no-untyped-def]
    base, store, _ = served
    page = browser.new_page()
    sign_in(page, base, role)
    page.goto(f"{base}/posts/{pictured}")
    assert page.locator("figure.picture").count() == 1 and page.locator("figure.picture img").count() == 0
    caption = page.inner_text("figure.picture figcaption")
    assert "Text in the picture" in caption and PHONE not in caption and "ivory_king88" not in caption
    assert page.locator(".post-text a.ident").count() == 0 and PHONE not in page.content()
    sha = json.loads(store.query("SELECT media FROM posts WHERE id = ?", [pictured])[0]["media"])[0]
    assert page.request.get(f"{base}/api/media/{sha}").status == 403
    page.close()


def test_a_network_identifier_opens_its_page(served, browser):  # type: ignore[no-untyped-def]
    base, _, _ = served
    page = browser.new_page()
    sign_in(page, base, "investigator")
    page.goto(f"{base}/network/account:wechat:ivory_king")
    node = f"ident:phone:{PHONE}"
    found = False
    for _ in range(100):  # the graph is fetched and drawn after the page loads
        found = page.evaluate("id => !!(window.wildtraceGraph && wildtraceGraph.getElementById(id).length)", node)
        if found:
            break
        page.wait_for_timeout(100)
    assert found
    page.evaluate("id => wildtraceGraph.getElementById(id).emit('dbltap')", node)
    page.wait_for_url(f"**/identifiers/phone%3A{PHONE}")  # (expect_navigation missed this script-set location)
    assert unquote(page.url).endswith(f"/identifiers/phone:{PHONE}")
    assert page.inner_text("#ident-value") == PHONE
    page.close()
