"""Traders, accounts, the network graph with reasons, alerts and real-time checks."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.world import BACKUP_PHONE, PHONE
from wildtrace.api import create_app
from wildtrace.config import Settings
from wildtrace.service import create_token


def test_trader_and_account(login, world):
    client = login("investigator")
    t = client.get("/api/traders/t-1").json()
    assert [a["is_backup"] for a in t["accounts"]] == [False, True]
    assert client.get("/api/traders/wechat:ivory_king2").json()["trader_id"] == "t-1"  # by account id
    a = client.get("/api/accounts/wechat:ivory_king2").json()
    assert a["trader_id"] == "t-1" and a["is_backup"]
    assert {i["value"] for i in a["identifiers"]} == {PHONE, BACKUP_PHONE}
    assert client.get("/api/traders/none").status_code == 404
    assert client.get("/api/traders").json()["items"][0]["trader_id"] == "t-1"
    assert client.get("/api/traders", params={"category": "Z"}).status_code == 422


def test_network_expands_through_identifiers_payments_and_parcels(login):
    client = login("investigator")
    g = client.get("/api/network/t-1", params={"depth": 3}).json()
    ids = {n["id"] for n in g["nodes"]}
    assert {"trader:t-1", "account:wechat:ivory_king", "account:wechat:ivory_king2", f"ident:phone:{PHONE}",
            "ident:payment_account:wallet:w-881"} <= ids
    assert all(e["reasons"] and e["source"] in ids and e["target"] in ids for e in g["edges"])
    link = [e for e in g["edges"] if e["kind"] == "link"]
    assert link and PHONE in link[0]["reasons"][0]
    phone = client.get(f"/api/network/ident:phone:{PHONE}").json()
    assert "parcel:SF100200300" in {n["id"] for n in phone["nodes"]}
    wallet = client.get("/api/network/ident:payment_account:wallet:w-881").json()
    pay = [e for e in wallet["edges"] if e["kind"] == "payment"]
    assert pay and "5000.00 CNY" in pay[0]["reasons"][0]
    assert client.get("/api/network/nobody").status_code == 404
    assert client.get("/api/network/t-1", params={"depth": 9}).status_code == 422


def test_alert_assignment_and_status(login):
    client = login("analyst")
    r = client.patch("/api/alerts/al-1", json={"assignee": "analyst"})
    assert r.json()["status"] == "assigned" and r.json()["assignee"] == "analyst"
    assert client.get("/api/alerts", params={"assignee": "analyst"}).json()["total"] == 1
    assert client.patch("/api/alerts/al-1", json={"status": "closed"}).json()["status"] == "closed"
    assert client.patch("/api/alerts/al-1", json={"status": "lost"}).status_code == 422
    assert client.patch("/api/alerts/nope", json={"status": "closed"}).status_code == 404
    actions = [e["action"] for e in client.get("/api/audit", params={"object_id": "al-1"}).json()["items"]]
    assert actions == ["alert_update", "alert_update"]


def test_sar_draft_of_an_alert_cites_its_evidence_for_roles_that_see_people(login):
    client = login("investigator")
    xml = client.get("/api/alerts/al-1/sar")
    assert xml.status_code == 200 and xml.headers["content-type"].startswith("application/xml")
    assert "<report" in xml.text and "tx1" in xml.text
    assert "Why suspicious" in client.get("/api/alerts/al-1/sar", params={"format": "html"}).text
    assert client.get("/api/alerts/al-1/sar", params={"format": "json"}).json()["subject"]
    assert client.get("/api/alerts/al-1/sar", params={"format": "pdfx"}).status_code == 422
    assert client.get("/api/alerts/nope/sar").status_code == 404
    actions = [e["action"] for e in client.get("/api/audit", params={"object_id": "al-1"}).json()["items"]]
    assert actions.count("sar_draft") == 3
    assert login("analyst").get("/api/alerts/al-1/sar").status_code == 403  # sees redacted records only


def test_real_time_checks(login):
    client = login("analyst")
    hit = client.post("/api/check/post", json={"text": f"好货 XY 加我 {BACKUP_PHONE}"}).json()
    assert hit["tier"] == "high" and any("XY" in r for r in hit["reasons"])
    assert any("trader t-1" in r for r in hit["reasons"])
    quiet = client.post("/api/check/post", json={"text": "卖二手自行车"}).json()
    assert quiet["tier"] == "none" and quiet["reasons"] == []
    body = {"text": "卖二手自行车", "account_id": "wechat:ivory_king2"}
    linked = client.post("/api/check/post", json=body).json()
    assert linked["tier"] == "high" and any("trader t-1" in r for r in linked["reasons"])
    payment = {"payer": "wallet:new", "payee": "wallet:w-881", "amount": 4999}
    pay = client.post("/api/check/payment", json=payment).json()
    assert pay["tier"] == "high" and any("t-1" in r for r in pay["reasons"])
    assert client.post("/api/check/payment", json={"payer": "a", "payee": "b"}).json()["tier"] == "none"
    parcel = client.post("/api/check/shipment", json={"sender_phone": PHONE}).json()
    assert parcel["tier"] == "high"
    assert client.post("/api/check/shipment", json={"sender_phone": "10000000000"}).json()["reasons"] == []


@pytest.mark.slow
def test_real_time_check_with_the_shipped_screening_model(world):
    """The check endpoint over the screening stage's own model (loading it takes tens of seconds)."""
    from wildtrace.screen import Screener

    store, _ = world
    client = TestClient(create_app(store, Settings(share_key="k"), screener=Screener.load()))
    client.headers["Authorization"] = f"Bearer {create_token(store, 'investigator')}"
    hit = client.post("/api/check/post", json={"text": f"出售XY手镯 价格5000元 加微信 {BACKUP_PHONE}"}).json()
    assert hit["tier"] in ("high", "medium") and any("code word XY" in r for r in hit["reasons"])
    assert any("trader t-1" in r for r in hit["reasons"])
    assert client.post("/api/check/post", json={"text": "卖二手自行车, 九成新"}).json()["tier"] in ("none", "low")
