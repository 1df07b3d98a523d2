"""API tokens are listed by id and revoked: by the admin API, the users page, the user's own API and the command
line. A token revoked in the workbench is refused on the very next request (no waiting for a kept sign-in); one
revoked from another process once the kept answer expires (within 2 s); the user's other tokens still work."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.api.test_recent_sign_ins import _bearer
from tests.api.world import PASSWORD
from wildtrace.cli.main import app as cli
from wildtrace.service import (
    audit_events,
    create_token,
    list_tokens,
    revoke_token,
    token_id,
    user_for_token,
)
from wildtrace.service._recent import RECENT_SECONDS
from wildtrace.store import open_store


def test_an_admin_revokes_a_token_through_the_api_and_it_is_refused_at_once(app, login, world, clock):
    store, _ = world
    script, other = create_token(store, "analyst", "script"), create_token(store, "analyst", "laptop")
    api, spare = _bearer(app, script), _bearer(app, other)
    assert api.get("/api/auth/me").status_code == 200 and spare.get("/api/auth/me").status_code == 200  # kept now
    admin = login("admin")
    listed = admin.get("/api/users/analyst/tokens").json()["items"]
    assert {(t["id"], t["name"], t["revoked"]) for t in listed} >= {(token_id(script), "script", False),
                                                                     (token_id(other), "laptop", False)}
    assert script not in json.dumps(listed)  # only the id, never the token
    revoked = admin.post(f"/api/users/analyst/tokens/{token_id(script)}/revoke")
    assert revoked.status_code == 200 and revoked.json()["revoked"] == [token_id(script)]
    assert api.get("/api/auth/me").status_code == 401  # the very next request, though it was kept a moment ago
    assert spare.get("/api/auth/me").status_code == 200  # the user's other token still works
    assert {t["name"]: t["revoked"] for t in admin.get("/api/users/analyst/tokens").json()["items"]}["script"]
    assert admin.post(f"/api/users/analyst/tokens/{token_id(script)}/revoke").status_code == 404  # already
    assert admin.post("/api/users/analyst/tokens/abc/revoke").status_code == 404  # too short to name one
    assert admin.post("/api/users/nobody/tokens/all/revoke").status_code == 404
    assert token_id(other) in admin.post("/api/users/analyst/tokens/all/revoke").json()["revoked"]
    assert spare.get("/api/auth/me").status_code == 401
    events = [(e.action, e.detail.get("token_id")) for e in audit_events(store, "admin", "user", "analyst", 100, 0)]
    assert ("token_revoked", token_id(script)) in events and ("token_revoked", token_id(other)) in events
    assert login("investigator").post(f"/api/users/analyst/tokens/{token_id(other)}/revoke").status_code == 403


def test_a_user_lists_and_revokes_their_own_tokens(app, login, world, clock):
    store, _ = world
    analyst = login("analyst")
    made = analyst.post("/api/auth/tokens", json={"name": "notebook"}).json()
    assert made["id"] == token_id(made["token"])
    api = _bearer(app, made["token"])
    assert api.get("/api/auth/me").json()["username"] == "analyst"
    mine = analyst.get("/api/auth/tokens").json()["items"]
    assert [t["name"] for t in mine if t["id"] == made["id"]] == ["notebook"]
    theirs = create_token(store, "investigator", "theirs")
    assert analyst.delete(f"/api/auth/tokens/{token_id(theirs)}").status_code == 404  # not one of the analyst's
    assert _bearer(app, theirs).get("/api/auth/me").status_code == 200
    assert api.delete(f"/api/auth/tokens/{made['id']}").status_code == 200  # a token may revoke itself
    assert api.get("/api/auth/me").status_code == 401
    assert analyst.get("/api/auth/me").status_code == 200  # the session is not a token


def test_the_users_page_revokes_a_token(app, login, world, clock):
    store, _ = world
    token = create_token(store, "partner", "feed")
    api = _bearer(app, token)
    assert api.get("/api/auth/me").status_code == 200
    admin = login("admin")
    page = admin.get("/admin/users").text
    assert f'data-token="{token_id(token)}"' in page and token not in page
    forged = TestClient(app)
    forged.post("/api/auth/login", json={"username": "admin", "password": PASSWORD})
    refused = forged.post("/admin/users/partner", data={"action": "revoke", "token": token_id(token)})
    assert refused.status_code == 403  # no CSRF token
    assert api.get("/api/auth/me").status_code == 200
    done = admin.post("/admin/users/partner", data={"action": "revoke", "token": token_id(token)},
                      follow_redirects=False)
    assert done.status_code == 303
    assert api.get("/api/auth/me").status_code == 401
    assert "revoked" in admin.get("/admin/users").text
    assert admin.post("/admin/users/partner", data={"action": "revoke", "token": ""}).status_code == 404
    assert admin.post("/admin/users/partner", data={"action": "revoke", "token": "f" * 16}).status_code == 404


def test_a_token_revoked_from_another_process_is_refused_once_the_kept_answer_expires(app, world, clock):
    store, _ = world
    token = create_token(store, "analyst", "script")
    api = _bearer(app, token)
    assert api.get("/api/auth/me").status_code == 200
    other = open_store(store.url)  # what the command line uses
    try:
        assert revoke_token(other, "analyst", token) == [token_id(token)]  # named by the token itself
    finally:
        if other is not store:
            other.close()
    if other is not store:  # a separate handle: this process learns of it when the kept answer expires
        clock[0] += RECENT_SECONDS / 2
        assert api.get("/api/auth/me").status_code == 200
    clock[0] += RECENT_SECONDS + 0.01
    assert api.get("/api/auth/me").status_code == 401


def test_the_command_line_lists_and_revokes_tokens(tmp_path):  # type: ignore[no-untyped-def]
    db = str(tmp_path / "w.duckdb")
    runner = CliRunner()
    assert runner.invoke(cli, ["users", "add", "bob", "--role", "analyst", "--password", PASSWORD,
                               "--db", db]).exit_code == 0
    made = json.loads(runner.invoke(cli, ["users", "token", "bob", "--name", "cron", "--db", db, "--json"]).stdout)
    second = runner.invoke(cli, ["users", "token", "bob", "--db", db]).stdout.strip()
    listed = runner.invoke(cli, ["users", "tokens", "bob", "--db", db])
    assert listed.exit_code == 0 and made["id"] in listed.stdout and "cron" in listed.stdout
    assert made["token"] not in listed.stdout
    neither = runner.invoke(cli, ["users", "revoke", "bob", "--db", db])
    assert neither.exit_code != 0 and "--all" in str(neither.exception)  # main() prints it on one line
    unknown = runner.invoke(cli, ["users", "revoke", "bob", "0" * 16, "--db", db])
    assert unknown.exit_code != 0 and "no token" in str(unknown.exception)
    done = runner.invoke(cli, ["users", "revoke", "bob", made["id"], "--db", db, "--json"])
    assert done.exit_code == 0 and json.loads(done.stdout)["revoked"] == [made["id"]]
    with open_store(db) as s:
        assert {t["id"]: t["revoked"] for t in list_tokens(s, "bob")} == {made["id"]: True, token_id(second): False}
        assert [e.action for e in audit_events(s, "cli", "user", "bob", 10, 0)].count("token_revoked") == 1
    assert runner.invoke(cli, ["users", "revoke", "bob", "--all", "--db", db]).exit_code == 0
    with open_store(db) as s:
        assert all(t["revoked"] for t in list_tokens(s, "bob"))
        assert user_for_token(s, made["token"]) is None and user_for_token(s, second) is None
    assert runner.invoke(cli, ["users", "tokens", "nobody", "--db", db]).exit_code != 0
