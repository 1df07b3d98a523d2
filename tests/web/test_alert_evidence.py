"""In headless Chromium: an alert citing more payments than a page shows its count on the alerts page, its
evidence page the first page with "73 items cited, 1-50 shown" and the rest on the next, payers redacted for
roles that see redacted records; its SAR draft page lists every payment with the totals."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.api.world import add_big_alert
from tests.web.test_triage import sign_in

pytestmark = pytest.mark.browser
N = 73


@pytest.fixture(scope="module")
def big_alert(served) -> list[str]:  # type: ignore[no-untyped-def]
    return add_big_alert(served[1], N)


@pytest.mark.parametrize("role", ["investigator", "analyst"])
def test_a_big_alert_shows_its_count_and_pages_every_payment(served, browser, big_alert, shots: Path,  # type: ignore[no-untyped-def]
                                                             role: str):
    base, _, _ = served
    page = sign_in(browser, base, role)
    page.goto(f"{base}/alerts")
    link = page.locator('tr[data-alert="al-big"] a.evidence')
    assert link.inner_text() == f"{N} items"
    with page.expect_navigation():
        link.click()
    assert page.inner_text("#evidence-count").startswith(f"{N} items cited, 1–50 shown")
    assert page.inner_text("#evidence-subject").startswith("flagged counterparty on ")
    assert ("w-881" in page.inner_text("#evidence-subject")) == (role == "investigator")
    first = page.locator("#evidence-payments tr td:first-child").all_inner_texts()
    assert first == big_alert[:50]
    text = page.inner_text("#evidence-payments")
    assert ("wallet:buyer-1" in text) == (role == "investigator")  # payers are pseudonyms for analysts
    if role == "analyst":
        page.screenshot(path=shots / "workbench-alert-evidence.png", full_page=True)
    with page.expect_navigation():
        page.click("#next-page")
    assert page.inner_text("#evidence-count").startswith(f"{N} items cited, 51–{N} shown")
    assert page.locator("#evidence-payments tr td:first-child").all_inner_texts() == big_alert[50:]
    assert page.locator("#next-page").count() == 0 and page.csp_errors == []
    if role == "investigator":  # the SAR draft lists every payment, with the totals
        page.goto(f"{base}/alerts/al-big/sar")
        ids = page.locator("#sar-transactions tr td:first-child").all_inner_texts()
        assert set(big_alert) <= set(ids)
        total = page.inner_text("#sar-transactions tr.total")
        assert total.startswith(f"total, {len(ids)} transactions: received {sum(100 + i for i in range(N)):,.2f} CNY")
    page.context.close()
