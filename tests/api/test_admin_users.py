"""The users page (/admin/users): an admin adds a user, changes a role and disables a user through forms that
need the CSRF token; each change is audited; every other role is refused."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.world import PASSWORD
from wildtrace.service import audit_events, get_user


def test_admin_manages_users_from_the_page(app, login, world):  # type: ignore[no-untyped-def]
    store, _ids = world
    admin = login("admin")
    page = admin.get("/admin/users")
    assert page.status_code == 200 and 'href="/admin/users"' in page.text and 'data-user="analyst"' in page.text

    added = admin.post("/admin/users", data={"username": "newbie", "password": PASSWORD, "role": "partner"},
                       follow_redirects=False)
    assert added.status_code == 303 and get_user(store, "newbie").role.value == "partner"
    newbie = TestClient(app)
    assert newbie.post("/api/auth/login", json={"username": "newbie", "password": PASSWORD}).status_code == 200
    assert newbie.get("/api/auth/me").json()["role"] == "partner"

    changed = admin.post("/admin/users/newbie", data={"action": "role", "role": "analyst"}, follow_redirects=False)
    assert changed.status_code == 303 and get_user(store, "newbie").role.value == "analyst"
    assert newbie.get("/api/auth/me").status_code == 401  # the old session ended with the old role

    assert admin.post("/admin/users/newbie", data={"action": "disable"}).status_code == 200
    assert get_user(store, "newbie").disabled
    assert newbie.post("/api/auth/login", json={"username": "newbie", "password": PASSWORD}).status_code == 401
    assert admin.post("/admin/users/newbie", data={"action": "enable"}).status_code == 200
    assert not get_user(store, "newbie").disabled

    actions = [(e.action, e.object_id) for e in audit_events(store, "admin", "user", None, 100, 0)]
    for action in ("user_added", "user_role_changed", "user_disabled", "user_enabled"):
        assert (action, "newbie") in actions

    bad = admin.post("/admin/users", data={"username": "newbie", "password": PASSWORD, "role": "analyst"})
    assert bad.status_code == 409 and "exists already" in bad.text
    bad = admin.post("/admin/users/newbie", data={"action": "role", "role": "superuser"})
    assert bad.status_code == 422 and "superuser" in bad.text and get_user(store, "newbie").role.value == "analyst"
    assert admin.post("/admin/users/nobody", data={"action": "disable"}).status_code == 404
    hostile = admin.post("/admin/users", data={"username": "<b>x</b>", "password": PASSWORD, "role": "analyst"})
    assert hostile.status_code == 422 and "<b>x</b>" not in hostile.text


def test_users_page_needs_the_csrf_token_and_the_admin_role(login):  # type: ignore[no-untyped-def]
    admin = login("admin")
    del admin.headers["X-CSRF-Token"]
    forged = admin.post("/admin/users", data={"username": "forged", "password": PASSWORD, "role": "admin"})
    assert forged.status_code == 403
    for role in ("investigator", "analyst", "partner"):
        client = login(role)
        assert client.get("/admin/users").status_code == 403
        assert 'href="/admin/users"' not in client.get("/").text
        refused = client.post("/admin/users", data={"username": "x" + role, "password": PASSWORD, "role": "admin"})
        assert refused.status_code == 403
