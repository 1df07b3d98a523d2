"""Pivoting in headless Chromium (CSP on) from the two places that had identifiers without a page to go to: an
analyst follows the pseudonym of a phone written only in a post without an account, and an investigator follows
a wallet from a SAR draft to its page."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.web.test_browser import sign_in
from wildtrace.extract import extract_fields
from wildtrace.model import Post, Verdict

pytestmark = pytest.mark.browser
TEXT = "出售象牙手镯 价格8000元 电话 136 0000 1234 钱包 wallet:w-tip7"


def test_an_analyst_follows_a_contact_of_a_post_without_an_account(served, browser, shots: Path):  # type: ignore[no-untyped-def]
    base, store, _ids = served
    store.add([Post(id="capture-pivot", platform="wechat", text=TEXT, posted_at=datetime.now(UTC))])
    store.put([Verdict(post_id="capture-pivot", score=0.95, tier="high", extracted=extract_fields(TEXT),
                       screened_at=datetime.now(UTC))])
    page = browser.new_page()
    sign_in(page, base, "analyst")
    page.goto(f"{base}/posts/capture-pivot")
    phone = page.locator("#fact-sheet a.ident-phone")
    assert phone.count() == 1 and phone.inner_text().startswith("h:") and "1234" not in page.inner_text("main")
    shown = phone.inner_text()
    with page.expect_navigation():
        phone.click()
    pseudonym = page.inner_text("#ident-value")
    assert pseudonym == shown and "/identifiers/phone" in page.url
    assert page.locator("a[href='/posts/capture-pivot']").count() == 1
    page.go_back()
    wallet = page.locator("#fact-sheet a.ident-payment_account")
    with page.expect_navigation():
        wallet.click()
    assert page.locator("a[href='/posts/capture-pivot']").count() == 1
    page.screenshot(path=shots / "workbench-unowned-analyst.png", full_page=True)
    page.close()


def test_an_investigator_follows_a_wallet_from_a_sar_draft(served, browser, shots: Path):  # type: ignore[no-untyped-def]
    base, _store, _ids = served
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, base, "investigator")
    page.goto(f"{base}/alerts/al-1/sar")
    assert "Why suspicious" in page.inner_text("main")
    payee = page.locator("#sar-transactions a.ident-payment_account", has_text="wallet:w-881")
    assert payee.count() >= 1
    page.screenshot(path=shots / "workbench-sar.png", full_page=True)
    with page.expect_navigation():
        payee.first.click()
    assert page.inner_text("#ident-value") == "wallet:w-881"
    assert "5,000.00" in page.inner_text("#ident-payments")  # the SAR's payment, now with the wallet's money
    assert not [e for e in errors if "Content Security Policy" in e]  # the page is styled without inline style
    page.close()
