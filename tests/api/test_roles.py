"""Who sees what, as a matrix: every route of the app's route table (API and pages), called as every role,
shows no identifier that the role's audience may not see. A new route is in the matrix by itself; it needs an
example for a new path parameter or request body (the test says which)."""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from tests.api.conftest import KeywordScreener
from tests.api.world import BACKUP_PHONE, PASSWORD, PHONE, build_world
from wildtrace.api import create_app
from wildtrace.config import Settings
from wildtrace.model import Case
from wildtrace.service import _users, add_user, create_token
from wildtrace.share import audience_for_role, audience_key, load_policy, pseudonym
from wildtrace.store import Store, open_store

KEY = "matrix-share-key"
ANALYST = audience_key(KEY.encode(), "analyst")  # the analyst role's pseudonym key
ROLES = ("admin", "investigator", "analyst", "partner", "platform")
TIPSTER = "tipster.li@example.org"
# The world's identifiers and the class the policy gives them (written out here, not read from the store, so
# that the scan does not share the redactor's view of what an identifier is).
IDENTIFIERS = [
    (PHONE, "contact"), (BACKUP_PHONE, "contact"), ("13500001111", "contact"), ("ivory_king88", "contact"),
    (TIPSTER, "contact"), ("Wang Lei", "private_name"), ("Wang L.", "private_name"), ("Li Si", "private_name"),
    ("wallet:w-881", "payment"), ("w-881", "payment"), ("wallet:buyer-1", "payment"), ("广州市 某路 1号", "location"),
]


def _flatten(routes: list[Any]) -> Iterator[APIRoute]:
    for route in routes:
        if hasattr(route, "original_router"):  # FastAPI keeps included routers as branches
            yield from _flatten(route.original_router.routes)
        elif isinstance(route, APIRoute):
            yield route


def route_table(app: FastAPI) -> list[tuple[str, str, APIRoute]]:
    return [(method, route.path, route) for route in _flatten(app.router.routes) for method in sorted(route.methods)]


def _collection_app() -> FastAPI:
    folder = tempfile.mkdtemp(prefix="wt-routes-")
    return create_app(open_store(str(Path(folder) / "routes.duckdb")), Settings(secret_key="x", share_key=KEY,
                                                                                 data_dir=folder))


ROUTES = route_table(_collection_app())


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FastAPI, Store, dict[str, Any]]]:
    folder = tmp_path_factory.mktemp("matrix")
    store = open_store(str(folder / "w.duckdb"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_users, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        ids = build_world(store)
        for name, role in (("platform", "platform"), ("spare", "analyst"), ("analyst2", "analyst")):
            add_user(store, name, PASSWORD, role)
    app = create_app(store, Settings(secret_key="s", share_key=KEY, data_dir=str(folder)), screener=KeywordScreener())
    app.state.tokens = {role: create_token(store, role) for role in ROLES}
    inv, ana = _client(app, "investigator"), _client(app, "analyst")
    items = [f"post:{ids['posts'][0]}", "account:wechat:ivory_king", "trader:t-1", "shipment:SF100200300",
             "transaction:tx1", "alert:al-1"]
    own = inv.post("/api/cases", json={"title": f"call {PHONE}", "items": items}).json()["id"]
    inv.post(f"/api/cases/{own}/notes", json={"text": f"Li Si answers on {PHONE}"})
    theirs = ana.post("/api/cases", json={"title": "analyst case",
                                          "items": [f"post:{ids['posts'][0]}", "shipment:SF100200300"]}).json()["id"]
    decision = inv.post(f"/api/posts/{ids['posts'][0]}/decisions", json={
        "decision": "confirm", "note": f"same as {PHONE}",
        "correction": {"species": ["pangolin"], "products": ["scales"]}}).json()["id"]
    attachment = inv.post(f"/api/cases/{own}/attachments", files={"file": (f"Li Si {PHONE}.txt", f"call {PHONE}")},
                          data={"note": f"receipt of {BACKUP_PHONE}"}).json()["attachment_id"]
    inv.post("/api/alerts/bulk", json={"ids": ["al-1"], "action": "escalate", "reason": f"Li Si pays {PHONE}"})
    TestClient(app).post("/api/tips", json={"text": f"象牙 {BACKUP_PHONE}", "note": "seen", "contact": TIPSTER})
    ids.update(case=own, analyst_case=theirs, decision_id=decision, attachment_id=attachment)
    yield app, store, ids
    store.close()


def _client(app: FastAPI, role: str) -> TestClient:
    """A client of ``role`` with its API token (sign-in is rate limited; the token is the same principal)."""
    return TestClient(app, headers={"Authorization": f"Bearer {app.state.tokens[role]}"})


def _path_values(ids: dict[str, Any], role: str) -> dict[str, str]:
    def h(value: str) -> str:
        audience = audience_for_role(role)
        return value if audience == "investigator" else pseudonym(value, audience_key(KEY.encode(), audience))

    return {"post_id": ids["posts"][0], "case_id": ids["case"], "alert_id": "al-1", "trader_id": h("t-1"),
            "account_id": h("wechat:ivory_king"), "subject": f"trader:{h('t-1')}", "sha256": "ab" * 32,
            "username": "spare", "decision_id": ids["decision_id"], "attachment_id": ids["attachment_id"],
            "ident": f"phone:{h('+86' + PHONE)}", "token_id": "0" * 16}


FILES = "__files__"  # in a body: the files of a multipart upload
# Request bodies by route (a new route with a body needs one here).
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/api/auth/login"): {"username": "spare", "password": PASSWORD},
    ("POST", "/api/auth/tokens"): {"name": "matrix"},
    ("POST", "/api/posts/{post_id:path}/decisions"): {"decision": "escalate", "note": f"see {PHONE}",
                                                      "correction": {"species": ["tiger"], "products": []}},
    ("POST", "/api/cases"): {"title": "new", "items": ["shipment:SF100200300"]},
    ("PUT", "/api/cases/{case_id}/visibility"): {"team": ["analyst2"], "roles": [], "shared": []},
    ("POST", "/api/cases/{case_id}/items"): {"ref": "transaction:tx1"},
    ("POST", "/api/cases/{case_id}/notes"): {"text": f"call {PHONE}"},
    ("PATCH", "/api/cases/{case_id}"): {"status": "active"},
    ("PATCH", "/api/alerts/{alert_id}"): {"status": "assigned", "reason": f"Li Si {PHONE}"},
    ("POST", "/api/alerts/bulk"): {"ids": ["al-1", "nope"], "action": "close", "reason": f"refund {PHONE}"},
    ("POST", "/api/alerts/{alert_id}/case"): {"title": f"alert of {PHONE}"},
    ("POST", "/api/cases/{case_id}/attachments"): {"note": f"from {PHONE}",
                                                   FILES: {"file": (f"{PHONE}.txt", f"Wang Lei {PHONE}")}},
    ("POST", "/api/lexicon/reviews"): {"term": "zzmatrix", "decision": "reject"},
    ("POST", "/api/users"): {"username": "matrix-new", "password": "long enough pw", "role": "partner"},
    ("POST", "/api/check/post"): {"text": f"XY 象牙 {PHONE} ivory_king88"},
    ("POST", "/api/check/payment"): {"payer": "wallet:buyer-1", "payee": "wallet:w-881", "amount": 10},
    ("POST", "/api/check/shipment"): {"sender_phone": PHONE, "receiver_phone": "13500001111"},
    ("POST", "/api/tips"): {"text": "象牙 tip", "contact": TIPSTER},
    ("POST", "/api/captures"): {"url": "https://bazaar.example/p/9", "title": "t", "selection": f"象牙 {PHONE}",
                                "html": f"<p>象牙 {PHONE}</p>",
                                "screenshot": "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADU"
                                              "lEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="},
    ("POST", "/login"): {"username": "spare", "password": PASSWORD},
    ("POST", "/review/{post_id:path}/decide"): {"decision": "dismiss"},
    ("POST", "/alerts/bulk"): {"ids": "al-1", "action": "close", "reason": f"paid {PHONE}"},
    ("POST", "/review/decisions/{decision_id}/undo"): {"back": "/review"},
    ("POST", "/cases/{case_id}/attachments"): {"note": f"about {PHONE}",
                                               FILES: {"file": (f"{PHONE}.html", f"<script>{PHONE}</script>")}},
    ("POST", "/cases"): {"title": "page case", "item": "shipment:SF100200300"},
    ("POST", "/cases/{case_id}/visibility"): {"team": "analyst2", "roles": "", "shared": ""},
    ("POST", "/cases/{case_id}/items"): {"ref": "alert:al-1"},
    ("POST", "/cases/{case_id}/notes"): {"text": f"note {PHONE}"},
    ("POST", "/cases/{case_id}/status"): {"status": "active"},
    ("POST", "/lexicon"): {"term": "zzpage", "decision": "reject"},
    ("POST", "/tip"): {"text": "象牙 tip"},
    ("POST", "/admin/users"): {"username": "matrixpage", "password": PASSWORD, "role": "partner"},
    ("POST", "/admin/users/{username}"): {"action": "role", "role": "analyst"},
}
SKIP = {"/api/openapi.json"}


def _shown(response: Any) -> str:
    """Everything a response shows: its body, or every file of a zip."""
    if response.headers.get("content-type", "").startswith("application/zip"):
        with zipfile.ZipFile(io.BytesIO(response.content)) as zf:
            return "\n".join(zf.read(n).decode("utf-8", "replace") for n in zf.namelist())
    text = response.text
    try:
        return json.dumps(response.json(), ensure_ascii=False)
    except ValueError:
        return text


def forbidden(role: str) -> list[str]:
    actions = load_policy().audience(audience_for_role(role)).actions
    return [value for value, cls in IDENTIFIERS if actions[cls] != "keep"]


def call(app: FastAPI, ids: dict[str, Any], method: str, path: str, route: APIRoute, role: str) -> Any:
    values = _path_values(ids, role)
    concrete = path
    for param in route.dependant.path_params:
        assert param.name in values, f"add an example value for path parameter {param.name!r} ({path})"
        concrete = concrete.replace("{" + param.name + ":path}", values[param.name])
        concrete = concrete.replace("{" + param.name + "}", values[param.name])
    body = BODIES.get((method, path))
    assert route.body_field is None or body is not None, f"add an example body for {method} {path}"
    client = _client(app, role)
    if body is None:
        return client.request(method, concrete)
    if FILES in body:
        return client.request(method, concrete, data={k: v for k, v in body.items() if k != FILES}, files=body[FILES])
    if path.startswith("/api"):
        return client.request(method, concrete, json=body)
    return client.request(method, concrete, data=body)


@pytest.mark.parametrize(("method", "path"), [(m, p) for m, p, _ in ROUTES if p not in SKIP])
def test_every_route_as_every_role_shows_only_what_the_role_may_see(matrix: tuple, method: str, path: str) -> None:
    app, _, ids = matrix
    route = next(r for m, p, r in ROUTES if (m, p) == (method, path))
    for role in ROLES:
        response = call(app, ids, method, path, route, role)
        assert response.status_code < 500, (role, method, path, response.text[:300])
        shown = _shown(response)
        leaked = [v for v in forbidden(role) if v in shown]
        assert not leaked, f"{method} {path} shows {leaked} to {role}"


def test_the_matrix_covers_pages_and_api(matrix: tuple) -> None:
    paths = {p for _, p, _ in ROUTES}
    assert {"/api/cases/{case_id}/bundle", "/cases/{case_id}", "/api/lexicon/suggestions", "/lexicon",
            "/api/accounts/{account_id:path}", "/accounts/{account_id:path}"} <= paths


def test_the_redaction_is_by_role_not_a_loss(matrix: tuple) -> None:
    """The investigator reads what the others may not (else a matrix of 403s would pass)."""
    app, _, ids = matrix
    inv = _client(app, "investigator")
    shown = "".join(_shown(inv.get(p)) for p in (f"/api/cases/{ids['case']}", "/api/accounts/wechat:ivory_king2",
                                                  f"/api/cases/{ids['case']}/bundle", "/api/tips"))
    assert {PHONE, "Li Si", "Wang L.", TIPSTER} <= {v for v, _ in IDENTIFIERS if v in shown}
    partner = _client(app, "partner")
    assert partner.get(f"/api/accounts/{pseudonym('wechat:ivory_king2', audience_key(KEY.encode(), 'partner'))}")\
        .status_code == 200
    assert partner.get("/api/queue").json()["items"]


def test_analyst_sees_own_case_pseudonymised_others_not_at_all_and_a_shared_one_in_full(matrix: tuple) -> None:
    app, store, ids = matrix
    analyst, inv = _client(app, "analyst"), _client(app, "investigator")
    own = analyst.get(f"/api/cases/{ids['analyst_case']}")
    assert own.status_code == 200 and own.json()["view"] == "analyst"
    assert PHONE not in own.text and "Li Si" not in own.text and "13500001111" not in own.text
    case = ids["case"]
    assert analyst.get(f"/api/cases/{case}").status_code == 404
    assert analyst.get(f"/api/cases/{case}/bundle").status_code == 404
    assert analyst.get(f"/cases/{case}").status_code == 404
    assert case not in analyst.get("/api/cases").text
    # in the team: the analyst's (pseudonymised) view; the case's account is named by its pseudonym
    assert inv.put(f"/api/cases/{case}/visibility", json={"team": ["analyst"]}).status_code == 200
    team_view = analyst.get(f"/api/cases/{case}")
    assert team_view.status_code == 200 and PHONE not in team_view.text and "Li Si" not in team_view.text
    assert f"account:{pseudonym('wechat:ivory_king', ANALYST)}" in team_view.json()["case"]["items"]
    bundle = analyst.get(f"/api/cases/{case}/bundle")
    assert PHONE not in _shown(bundle) and json.loads(zipfile.ZipFile(io.BytesIO(bundle.content)).read(
        "manifest.json"))["withheld_warcs"] == []
    # an analyst may not share the full view; an investigator may
    assert analyst.put(f"/api/cases/{ids['analyst_case']}/visibility",
                       json={"shared": ["analyst2"]}).status_code == 403
    assert inv.put(f"/api/cases/{case}/visibility", json={"team": ["analyst"], "shared": ["analyst"]}).json()[
        "shared"] == ["analyst"]
    full = analyst.get(f"/api/cases/{case}")
    assert full.json()["view"] == "investigator" and PHONE in full.text and "Li Si" in full.text
    assert store.get(Case, case) is not None
    views = [e for e in inv.get("/api/audit", params={"object_id": case}).json()["items"] if e["action"] == "view"]
    assert views[0]["actor"] == "analyst" and views[0]["detail"]["view"] == "investigator"


def test_redacted_roles_add_case_items_by_pseudonym(matrix: tuple) -> None:
    app, _, ids = matrix
    analyst = _client(app, "analyst")
    case = ids["analyst_case"]
    assert analyst.post(f"/api/cases/{case}/items", json={"ref": "account:wechat:ivory_king2"}).status_code == 404
    added = analyst.post(f"/api/cases/{case}/items",
                         json={"ref": f"account:{pseudonym('wechat:ivory_king2', ANALYST)}"})
    assert added.status_code == 200
    assert "account:wechat:ivory_king2" in _client(app, "investigator").get(f"/api/cases/{case}").json()["case"][
        "items"]
