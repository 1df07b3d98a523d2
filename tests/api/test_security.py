"""Redaction for partners on every endpoint that returns personal data; the audit chain; public tips."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from tests.api.world import BACKUP_PHONE, PHONE
from wildtrace.service import record, verify_audit
from wildtrace.share import audience_key, pseudonym

KEY = b"test-share-key"  # the app fixture's share key


def _h(value: str, audience: str) -> str:
    return pseudonym(value, audience_key(KEY, audience))


def _gets(audience: str) -> list[str]:
    """The pages a reading role opens, its pseudonyms in the paths."""
    trader, account, account2 = (_h(v, audience) for v in ("t-1", "wechat:ivory_king", "wechat:ivory_king2"))
    return ["/api/overview", "/api/queue?limit=100", "/api/queue?status=all&tier=high&tier=medium&tier=none",
            "/api/posts/wechat:ivory_king/p0", "/api/posts/{xss}", "/api/traders", f"/api/traders/{trader}",
            f"/api/accounts/{account}", f"/api/accounts/{account2}", f"/api/network/{trader}?depth=3",
            f"/api/network/account:{account}?depth=3", "/api/alerts"]


PERSONAL = (PHONE, BACKUP_PHONE, "Wang Lei", "Wang L.", "ivory_king88", "Li Si", "wallet:w-881")


@pytest.mark.parametrize("role", ["partner", "analyst"])
def test_partner_sees_no_personal_data_anywhere(login, world, role):
    _, ids = world
    partner, investigator = login(role), login("investigator")
    for path in _gets(role):
        path = path.format(xss=ids["xss_post"])
        body = partner.get(path)
        assert body.status_code == 200, path
        text = json.dumps(body.json(), ensure_ascii=False)
        leaked = [p for p in PERSONAL if p in text]
        assert not leaked, f"{path} shows {leaked} to a partner"
    for path in ("/api/check/post", "/api/check/shipment"):
        payload = {"text": f"XY {PHONE}"} if path.endswith("post") else {"sender_phone": PHONE}
        assert PHONE not in partner.post(path, json=payload).text
    full = json.dumps(investigator.get("/api/accounts/wechat:ivory_king2").json(), ensure_ascii=False)
    assert PHONE in full and "Wang L." in full  # the redaction is by role, not a loss of data
    assert partner.get("/api/media/" + "ab" * 32).status_code == 403


@pytest.mark.parametrize("role", ["partner", "analyst"])
def test_a_real_id_does_not_tell_its_pseudonym(login, world, role):
    """A redacted role asks by pseudonym only: a real handle or trader id answers as unknown, so nobody can map
    the values they know to pseudonyms (and so read other pseudonymised exports)."""
    client = login(role)
    for path in ("/api/accounts/wechat:ivory_king", "/api/traders/t-1", "/api/network/t-1",
                 "/api/network/account:wechat:ivory_king", "/api/network/ident:phone:" + PHONE,
                 "/accounts/wechat:ivory_king", "/traders/t-1", "/network/account:wechat:ivory_king"):
        r = client.get(path)
        assert r.status_code == 404, path
        assert _h("wechat:ivory_king", role) not in r.text and _h("t-1", role) not in r.text
    trader, account = _h("t-1", role), _h("wechat:ivory_king", role)
    shown = client.get(f"/api/accounts/{account}").json()
    assert shown["account"]["id"] == account
    graph = client.get(f"/api/network/trader:{trader}").json()
    assert {n["id"] for n in graph["nodes"]} >= {f"trader:{trader}", f"account:{account}"}
    assert login("investigator").get("/api/accounts/wechat:ivory_king").status_code == 200


def test_audit_chain_detects_tampering(login, world):
    store, _ = world
    login("analyst").get("/api/posts/wechat:ivory_king/p0")
    record(store, "tester", "view", "post", "x", {"n": 1})
    assert verify_audit(store)["ok"] and verify_audit(store)["events"] >= 3
    store.execute("UPDATE audit_events SET actor = 'someone else' WHERE seq = 2")
    result = verify_audit(store)
    assert not result["ok"] and result["broken_at"] == 2 and "edited" in result["problems"][0]


def test_audit_chain_stays_whole_under_concurrent_writers(world):
    from concurrent.futures import ThreadPoolExecutor

    store, _ = world
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: record(store, f"u{i % 4}", "view", "post", str(i)), range(80)))
    result = verify_audit(store)
    assert result["ok"] and result["events"] == 80


def test_public_tip_lands_in_the_queue(app, login):
    client = TestClient(app)
    r = client.post("/api/tips", json={"url": "https://example.org/p/1", "text": "出售犀角 私聊", "note": "seen today"})
    assert r.status_code == 201
    post_id = r.json()["post_id"]
    queue = login("analyst").get("/api/queue", params={"limit": 100}).json()["items"]
    assert post_id in {i["post_id"] for i in queue}
    assert client.post("/api/tips", json={"note": "nothing else"}).status_code == 422
    assert client.post("/api/tips", json={"text": "x" * 10001}).status_code == 422
    codes = [client.post("/api/tips", json={"text": f"tip {i}"}).status_code for i in range(25)]
    assert 429 in codes
