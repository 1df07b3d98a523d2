"""End to end in headless Chromium: sign in, review with the keyboard (a stored-XSS post stays text), open a
trader's network, build a case and export its bundle, see the audit entries, send a tip; a partner sees no phone."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.api.world import BACKUP_PHONE, PASSWORD, PHONE, XSS
from wildtrace.model import Decision
from wildtrace.service import verify_bundle
from wildtrace.share import audience_key, pseudonym

pytestmark = pytest.mark.browser


def sign_in(page, base: str, user: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#whoami")


def test_investigator_workflow(served, browser, shots: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    base, store, ids = served
    # CSP off in this context: escaping alone must keep the hostile post inert (and the test may evaluate JS)
    context = browser.new_context(accept_downloads=True, bypass_csp=True)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    sign_in(page, base, "investigator")  # the role that sees personal data, so the hostile text is shown raw
    page.screenshot(path=shots / "overview.png", full_page=True)

    page.goto(f"{base}/review")
    reviewed = []
    for key in ("c", "d", "e"):
        post_id = page.get_attribute("#post", "data-post-id")
        reviewed.append(post_id)
        if post_id == ids["xss_post"]:
            assert page.inner_text(".post-text").startswith(XSS)  # shown as text
            assert page.locator(".post-text script, .post-text img, .post-text a").count() == 0
            page.screenshot(path=shots / "review-hostile-post.png", full_page=True)
        else:
            assert page.locator(".post-text mark").count() >= 1  # matched spans highlighted
        with page.expect_navigation():
            page.keyboard.press(key)
    assert ids["xss_post"] in reviewed and "pwned" not in page.title() and not dialogs
    decided = {d.post_id: d.decision for d in store.find(Decision, "decided_by = 'investigator'")}
    assert decided == dict(zip(reviewed, ["confirm", "dismiss", "escalate"], strict=True))

    page.goto(f"{base}/network/trader:t-1")
    page.wait_for_function("Number(document.getElementById('graph').dataset.nodes || 0) >= 3")
    before = int(page.get_attribute("#graph", "data-nodes"))
    page.evaluate("() => { wildtraceGraph.getElementById('account:wechat:ivory_king').emit('tap'); }")
    page.wait_for_function(f"Number(document.getElementById('graph').dataset.nodes) > {before}")
    page.screenshot(path=shots / "network.png", full_page=True)

    page.goto(f"{base}/cases")
    page.fill("input[name=title]", "Ivory King <b>network</b>")
    page.fill("input[name=item]", f"post:{ids['xss_post']}")
    page.click("text=New case")
    page.wait_for_selector("#case-title")
    assert "<b>network</b>" in page.inner_text("#case-title")
    page.fill("textarea[name=text]", "backup account appeared after the block")
    page.click("text=Add note")
    page.wait_for_selector("text=backup account appeared after the block")
    page.screenshot(path=shots / "case.png", full_page=True)
    with page.expect_download() as download:
        page.click("#bundle")
    saved = tmp_path / "bundle.zip"
    download.value.save_as(saved)
    assert verify_bundle(saved.read_bytes())["ok"]

    page.goto(f"{base}/audit")
    audit = page.inner_text("#audit")
    for action in ("decide", "case_created", "case_note_added", "export", "login"):
        assert action in audit
    assert "intact" in page.inner_text("#chain")
    page.screenshot(path=shots / "audit.png", full_page=True)
    page.goto(f"{base}/alerts")
    page.click("a.sar >> nth=0")
    page.wait_for_selector("text=Why suspicious")
    assert "tx1" in page.content()  # the draft cites the transaction by id
    page.screenshot(path=shots / "sar.png", full_page=True)
    for name, path in (("traders", "/traders"), ("trader", "/traders/t-1"), ("alerts", "/alerts"),
                       ("account", "/accounts/wechat:ivory_king2")):
        page.goto(base + path)
        page.screenshot(path=shots / f"{name}.png", full_page=True)
    context.close()


def test_public_tip_without_an_account(served, browser, shots: Path):  # type: ignore[no-untyped-def]
    base, store, _ = served
    page = browser.new_page()
    page.goto(f"{base}/tip")
    page.fill("input[name=url]", "https://market.example/item/99")
    page.fill("textarea[name=text]", "出售犀角 私聊 <script>alert(1)</script>")
    page.click("text=Send report")
    page.wait_for_selector("#tip-done")
    page.screenshot(path=shots / "tip.png", full_page=True)
    tip_id = page.inner_text("#tip-done").split("report ")[1].split(" ")[0]
    assert store.query("SELECT post_id FROM wb_tips WHERE id = ?", [tip_id])
    page.close()


def test_partner_sees_no_phone_number_on_any_page(served, browser, shots: Path):  # type: ignore[no-untyped-def]
    base, _, ids = served
    page = browser.new_page(bypass_csp=True)  # lets the test wait on a JS condition
    sign_in(page, base, "partner")
    trader, account = (pseudonym(v, audience_key(b"test-share-key", "partner")) for v in ("t-1", "wechat:ivory_king2"))
    for name, path in (("partner-overview", "/"), ("partner-review", "/review"),
                       ("partner-post", f"/posts/{ids['posts'][0]}"), ("partner-trader", f"/traders/{trader}"),
                       ("partner-account", f"/accounts/{account}"), ("partner-alerts", "/alerts"),
                       ("partner-network", f"/network/trader:{trader}")):
        page.goto(base + path)
        if name == "partner-network":
            page.wait_for_function("Number(document.getElementById('graph').dataset.nodes || 0) >= 1")
        content = page.content()
        assert PHONE not in content and BACKUP_PHONE not in content, path
        if name == "partner-alerts":
            assert page.locator("a.sar").count() == 0  # a SAR draft names people: not for this audience
        page.screenshot(path=shots / f"{name}.png", full_page=True)
    page.close()
