"""Accounts, sessions, tokens, CSRF and the sign-in rate limit."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.world import PASSWORD
from wildtrace.api._ratelimit import Throttle
from wildtrace.service import Role, add_user, authenticate, set_disabled


def test_password_is_stored_as_argon2_and_checked(world):
    store, _ = world
    row = store.query("SELECT password_hash FROM wb_users WHERE username = 'analyst'")[0]
    assert row["password_hash"].startswith("$argon2") and PASSWORD not in row["password_hash"]
    assert authenticate(store, "analyst", PASSWORD).role == Role.ANALYST
    assert authenticate(store, "analyst", PASSWORD + "x") is None
    assert authenticate(store, "nobody", PASSWORD) is None


def test_bad_users_are_refused(world):
    store, _ = world
    for name, password, role in (("a b", PASSWORD, "analyst"), ("ok", "short", "analyst"),
                                 ("ok", PASSWORD, "emperor"), ("analyst", PASSWORD, "analyst")):
        try:
            add_user(store, name, password, role)
        except ValueError as exc:
            assert str(exc)
        else:
            raise AssertionError(f"{name}/{role} was accepted")


def test_pages_and_api_need_a_sign_in(app):
    client = TestClient(app)
    assert client.get("/api/queue").status_code == 401
    assert client.get("/api/queue").json()["reason"]
    r = client.get("/review", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_session_writes_need_the_csrf_token(login):
    client = login("analyst")
    token = client.headers.pop("X-CSRF-Token")
    body = {"decision": "confirm"}
    post = "wechat:ivory_king/p0"
    assert client.post(f"/api/posts/{post}/decisions", json=body).status_code == 403
    client.headers["X-CSRF-Token"] = token + "x"
    assert client.post(f"/api/posts/{post}/decisions", json=body).status_code == 403
    client.headers["X-CSRF-Token"] = token
    assert client.post(f"/api/posts/{post}/decisions", json=body).status_code == 201


def test_api_token_works_without_csrf_and_dies_with_its_user(app, login, world):
    store, _ = world
    token = login("analyst").post("/api/auth/tokens", json={"name": "script"}).json()["token"]
    bare = TestClient(app)
    bare.headers["Authorization"] = f"Bearer {token}"
    assert bare.get("/api/auth/me").json()["username"] == "analyst"
    assert bare.post("/api/posts/wechat:ivory_king/p0/decisions", json={"decision": "dismiss"}).status_code == 201
    set_disabled(store, "analyst")
    assert bare.get("/api/auth/me").status_code == 401
    bare.headers["Authorization"] = "Bearer wt_forged"
    assert bare.get("/api/auth/me").status_code == 401


def test_logout_ends_the_session(login):
    client = login("analyst")
    assert client.post("/api/auth/logout").status_code == 200
    assert client.get("/api/auth/me").status_code == 401


def test_sign_in_is_throttled_but_the_right_password_gets_in(app):
    app.state.login_limiter = Throttle(limit=10, window=60, delay=0.001, max_delay=0.01, max_wait=0.005)
    client = TestClient(app)
    codes = [client.post("/api/auth/login", json={"username": "analyst", "password": "wrong password"}).status_code
             for _ in range(14)]
    assert codes[:10] == [401] * 10 and codes[-1] == 429  # slowed, and turned away once the queue is too long
    app.state.login_limiter = Throttle(limit=10, window=60, delay=0.001, max_delay=0.01)
    for _ in range(11):
        client.post("/api/auth/login", json={"username": "analyst", "password": "wrong password"})
    # the right password gets through while throttled (after its wait)
    assert client.post("/api/auth/login", json={"username": "analyst", "password": PASSWORD}).status_code == 200


def test_roles_are_enforced(login):
    partner, analyst, admin = login("partner"), login("analyst"), login("admin")
    assert partner.post("/api/posts/wechat:ivory_king/p0/decisions", json={"decision": "confirm"}).status_code == 403
    assert partner.get("/api/cases").status_code == 403
    assert analyst.get("/api/users").status_code == 403
    assert analyst.post("/api/users", json={"username": "x", "password": PASSWORD, "role": "admin"}).status_code == 403
    r = admin.post("/api/users", json={"username": "newbie", "password": PASSWORD, "role": "analyst"})
    assert r.status_code == 201
    again = admin.post("/api/users", json={"username": "newbie", "password": PASSWORD, "role": "analyst"})
    assert again.status_code == 409
    assert {u["username"] for u in admin.get("/api/users").json()["items"]} >= {"newbie", "partner"}
