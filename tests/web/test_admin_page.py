"""The users page in headless Chromium, CSP on: an admin adds a user, changes its role and disables it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.api.world import PASSWORD
from tests.web.test_browser import sign_in
from wildtrace.service import create_token, get_user, token_id

pytestmark = pytest.mark.browser


def test_admin_manages_users_in_the_browser(served, browser, shots: Path):  # type: ignore[no-untyped-def]
    base, store, _ids = served
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, base, "admin")
    page.click("nav >> text=Users")
    page.wait_for_selector("#users")
    page.fill("#add-user input[name=username]", "field_officer")
    page.fill("#add-user input[name=password]", PASSWORD)
    page.select_option("#add-user select[name=role]", "partner")
    with page.expect_navigation():
        page.click("#add-user button[type=submit]")
    row = page.locator("tr[data-user=field_officer]")
    assert row.locator(".role").inner_text() == "partner"
    row.locator("select[name=role]").select_option("analyst")
    with page.expect_navigation():
        row.locator("button[value=role]").click()
    assert page.locator("tr[data-user=field_officer] .role").inner_text() == "analyst"
    with page.expect_navigation():
        page.locator("tr[data-user=field_officer] button[value=disable]").click()
    assert page.locator("tr[data-user=field_officer] .state").inner_text() == "disabled"
    page.screenshot(path=shots / "admin-users.png", full_page=True)
    user = get_user(store, "field_officer")
    assert user is not None and user.role.value == "analyst" and user.disabled
    context.close()


def test_admin_revokes_a_token_in_the_browser_and_it_is_refused_at_once(served, browser):  # type: ignore[no-untyped-def]
    base, store, _ids = served
    token = create_token(store, "partner", "nightly feed")
    context = browser.new_context()
    api = context.request
    bearer = {"Authorization": f"Bearer {token}"}
    assert api.get(f"{base}/api/auth/me", headers=bearer).status == 200
    page = context.new_page()
    sign_in(page, base, "admin")
    page.goto(f"{base}/admin/users")
    row = page.locator(f"tr[data-user=partner] .token[data-token='{token_id(token)}']")
    assert "nightly feed" in row.inner_text() and token not in page.content()
    with page.expect_navigation():
        row.locator("button[value=revoke]").click()
    assert page.locator(f"tr[data-user=partner] .token[data-token='{token_id(token)}'] .state").inner_text() == \
        "revoked"
    assert api.get(f"{base}/api/auth/me", headers=bearer).status == 401
    context.close()


@pytest.mark.parametrize("role", ["investigator", "analyst", "partner"])
def test_only_an_admin_has_the_users_page(served, browser, role: str):  # type: ignore[no-untyped-def]
    base, _store, _ids = served
    page = browser.new_page()
    sign_in(page, base, role)
    assert page.locator("nav >> text=Users").count() == 0
    assert page.goto(f"{base}/admin/users").status == 403
    token = page.get_attribute("meta[name=csrf-token]", "content")
    refused = page.request.post(f"{base}/admin/users", form={"csrf_token": token or "", "username": "intruder",
                                                            "password": PASSWORD, "role": "admin"})
    assert refused.status == 403
    page.close()
