"""Verified API tokens and sessions are kept a few seconds (no store query per request), yet a user disabled, given
another role or signed out in this process is refused or changed on the very next request, and a change made by
another process takes effect once the kept answer expires."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from fastapi.testclient import TestClient

from wildtrace.service import create_token, set_role, user_for_token
from wildtrace.service._recent import RECENT_SECONDS, Recent
from wildtrace.store import open_store


def _bearer(app, token: str) -> TestClient:  # type: ignore[no-untyped-def]
    return TestClient(app, headers={"Authorization": f"Bearer {token}"})


def test_a_user_disabled_here_is_refused_on_the_next_request(app, login, world, clock):
    store, _ = world
    api = _bearer(app, create_token(store, "analyst", "script"))
    page = login("analyst")
    assert api.get("/api/auth/me").status_code == 200 and page.get("/api/auth/me").status_code == 200  # kept now
    assert login("admin").post("/api/users/analyst/disable").status_code == 200
    assert api.get("/api/auth/me").status_code == 401  # no waiting for the kept answer to expire
    assert page.get("/api/auth/me").status_code == 401


def test_a_new_role_applies_on_the_next_request(app, world, clock):
    store, _ = world
    api = _bearer(app, create_token(store, "analyst", "script"))
    assert api.get("/api/auth/me").json()["role"] == "analyst"
    set_role(store, "analyst", "partner")
    assert api.get("/api/auth/me").json()["role"] == "partner"
    assert api.get("/api/cases").status_code == 403


def test_a_signed_out_session_is_refused_at_once(login, clock):
    client = login("analyst")
    assert client.get("/api/auth/me").status_code == 200
    assert client.post("/api/auth/logout").status_code == 200
    assert client.get("/api/auth/me").status_code == 401


def test_a_change_by_another_process_takes_effect_once_the_kept_answer_expires(app, login, world, clock):
    store, _ = world
    token = create_token(store, "analyst", "script")
    api, page = _bearer(app, token), login("analyst")
    assert api.get("/api/auth/me").status_code == 200 and page.get("/api/auth/me").status_code == 200
    other = open_store(store.url)  # another handle on the same store: what the command line would use
    try:
        other.execute("UPDATE wb_users SET disabled = true WHERE username = 'analyst'")
    finally:
        if other is not store:
            other.close()
    clock[0] += RECENT_SECONDS / 2
    assert api.get("/api/auth/me").status_code == 200  # still within the kept answer's seconds
    clock[0] += RECENT_SECONDS / 2 + 0.01
    assert api.get("/api/auth/me").status_code == 401
    assert page.get("/api/auth/me").status_code == 401


def test_an_unknown_token_is_not_kept_as_refused(world, clock):
    store, _ = world
    assert user_for_token(store, "wt_later") is None
    store.insert_rows("wb_tokens", [{"token_hash": hashlib.sha256(b"wt_later").hexdigest(), "username": "analyst",
                                     "name": "later", "created_at": datetime.now(UTC), "revoked": False}],
                      ["token_hash", "username", "name", "created_at", "revoked"], ["token_hash"])
    user = user_for_token(store, "wt_later")
    assert user is not None and user.username == "analyst"


def test_a_kept_answer_ends_with_its_own_deadline(world):
    store, _ = world
    now = [0.0]
    recent = Recent(ttl=10, clock=lambda: now[0])
    recent.put(store, "sid", "alice", recent.stamp(store), until=3.0)  # a session ending before the kept seconds
    assert recent.get(store, "sid") == "alice"
    now[0] = 3.0
    assert recent.get(store, "sid") is None


def test_an_answer_looked_up_before_a_change_is_not_kept_after_it(world):
    store, _ = world
    recent = Recent()
    stamp = recent.stamp(store)  # a lookup starts...
    recent.forget(store)  # ...a user is disabled meanwhile...
    recent.put(store, "token", "analyst", stamp)  # ...and its answer, from before, arrives
    assert recent.get(store, "token") is None
    recent.put(store, "token", "analyst", recent.stamp(store))
    assert recent.get(store, "token") == "analyst"

