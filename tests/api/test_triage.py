"""Alert triage (filters, sort, paging, bulk changes with reasons, alert to case), case attachments and timeline,
review corrections, undo and reviewer statistics, and the network's search and dated money edges: on DuckDB and
PostgreSQL, as the roles that may and may not."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import UTC, datetime, timedelta

import pytest

from tests.api.world import BACKUP_PHONE, PHONE
from wildtrace.model import Alert, AlertStatus, AuditEvent, Decision
from wildtrace.service import MAX_ATTACHMENT_BYTES, safe_name, verify_bundle
from wildtrace.share import audience_key, pseudonym

ANALYST = audience_key(b"test-share-key", "analyst")  # the pseudonym key of the analyst role's audience
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000")


@pytest.fixture
def alerts(world) -> list[Alert]:  # type: ignore[no-untyped-def]
    store, ids = world
    now = datetime.now(UTC)
    made = [Alert(id=f"al-{i + 2}", subject=ids["accounts"][i % 2], kind=("structuring", "fan_in", "cycle")[i % 3],
                  score=round(0.3 + i * 0.08, 2), reasons=[f"pattern {i}"], evidence=["tx1", "nothing-9"],
                  created_at=now - timedelta(days=2 * i + 1)) for i in range(8)]
    store.add(made)
    return made


def test_alerts_filter_sort_and_page(login, alerts) -> None:  # type: ignore[no-untyped-def]
    client = login("analyst")
    page = client.get("/api/alerts", params={"kind": "fan_in", "sort": "score", "desc": "false"}).json()
    expected = sorted((a for a in alerts if a.kind == "fan_in"), key=lambda a: a.score)
    assert [a["id"] for a in page["items"]] == [a.id for a in expected] and page["total"] == len(expected)
    scored = client.get("/api/alerts", params={"min_score": 0.5, "max_score": 0.7}).json()
    assert {a["id"] for a in scored["items"]} == {a.id for a in alerts if 0.5 <= a.score <= 0.7}
    young = client.get("/api/alerts", params={"max_age_days": 6}).json()  # created 1, 3, 5 days ago
    assert {a["id"] for a in young["items"]} == {"al-2", "al-3", "al-4"}
    old = client.get("/api/alerts", params={"min_age_days": 10, "sort": "age"}).json()
    assert [a["id"] for a in old["items"]] == ["al-1", "al-9", "al-8", "al-7"]  # oldest first (al-1: May 2026)
    first, second = (client.get("/api/alerts", params={"limit": 4, "offset": o}).json() for o in (0, 4))
    assert first["total"] == 9 and not {a["id"] for a in first["items"]} & {a["id"] for a in second["items"]}
    assert all(a["age_days"] >= 0 for a in first["items"]) and {k["kind"] for k in first["kinds"]} == {
        "structuring", "fan_in", "cycle"}
    assert client.get("/api/alerts", params={"sort": "subject"}).status_code == 422


def test_bulk_close_needs_a_reason_and_leaves_a_history(login, world, alerts) -> None:  # type: ignore[no-untyped-def]
    store, _ = world
    client = login("analyst")
    ids = ["al-2", "al-5", "al-8"]
    refused = client.post("/api/alerts/bulk", json={"ids": ids, "action": "close", "reason": "  "})
    assert refused.status_code == 422 and "reason" in refused.json()["reason"]
    assert all(store.get(Alert, i).status == AlertStatus.OPEN for i in ids)
    done = client.post("/api/alerts/bulk", json={"ids": [*ids, "al-404"], "action": "close",
                                                 "reason": f"refunds; buyer called {PHONE}"}).json()
    assert {a["id"] for a in done["updated"]} == set(ids) and done["missing"] == ["al-404"]
    assert all(store.get(Alert, i).status == AlertStatus.CLOSED for i in ids)
    audit = store.find(AuditEvent, "action = 'alert_update' AND actor = 'analyst'")
    assert sorted(e.object_id for e in audit) == sorted(ids)
    history = client.get("/api/alerts/al-5").json()["history"]
    assert [(h["action"], h["actor"], h["status"]) for h in history] == [("close", "analyst", "closed")]
    assert "refunds" in history[0]["reason"] and PHONE not in json.dumps(history)  # scrubbed for the analyst
    assert PHONE in login("investigator").get("/api/alerts/al-5").json()["history"][0]["reason"]

    mine = client.post("/api/alerts/bulk", json={"ids": ["al-3", "al-4"], "action": "assign", "assignee": "analyst"})
    assert mine.status_code == 200
    listed = client.get("/api/alerts", params={"assignee": "me"}).json()["items"]
    assert {a["id"] for a in listed} == {"al-3", "al-4"} and {a["status"] for a in listed} == {"assigned"}
    assert {a["id"] for a in client.get("/api/alerts", params={"assignee": "-", "status": ["open"]}).json()[
        "items"]} == {"al-1", "al-6", "al-7", "al-9"}
    assert login("partner").post("/api/alerts/bulk", json={"ids": ids, "action": "reopen"}).status_code == 403


def test_alert_to_case_takes_its_subject_and_evidence(login, world, alerts) -> None:  # type: ignore[no-untyped-def]
    store, ids = world
    analyst = login("analyst")
    made = analyst.post("/api/alerts/al-2/case", json={"title": ""})
    assert made.status_code == 201
    case = made.json()
    assert "nothing-9" in case["left_out"]  # evidence that is no post, transaction or capture
    assert set(case["items"]) == {"alert:al-2", f"account:{pseudonym(ids['accounts'][0], ANALYST)}",
                                  "transaction:tx1"}
    assert store.get(Alert, "al-2").status == AlertStatus.ESCALATED and store.get(Alert, "al-2").assignee == "analyst"
    assert analyst.get("/api/alerts/al-2").json()["history"][-1]["case_id"] == case["id"]
    timeline = analyst.get(f"/api/cases/{case['id']}/timeline").json()["items"]
    assert [e["action"] for e in timeline] == ["case_created", "alert_to_case"]
    assert analyst.post("/api/alerts/al-404/case", json={}).status_code == 404


def test_attachments_are_evidence_sniffed_and_only_downloaded(login, world) -> None:  # type: ignore[no-untyped-def]
    store, _ = world
    inv = login("investigator")
    case_id = inv.post("/api/cases", json={"title": "files"}).json()["id"]
    inv.put(f"/api/cases/{case_id}/visibility", json={"team": [], "roles": ["analyst"], "shared": []})
    up = inv.post(f"/api/cases/{case_id}/attachments", files={"file": ("../../etc/receipt of Li.txt", PNG)},
                  data={"note": f"photo; sender {BACKUP_PHONE}"})
    assert up.status_code == 201
    row = up.json()
    assert row["sha256"] == hashlib.sha256(PNG).hexdigest() and row["mime"] == "image/png"  # the bytes, not the name
    assert row["name"] == "receipt of Li.txt" and row["size"] == len(PNG)
    got = inv.get(f"/api/cases/{case_id}/attachments/{row['attachment_id']}")
    assert got.content == PNG and got.headers["content-type"] == "application/octet-stream"
    assert got.headers["content-disposition"].startswith("attachment") and got.headers["x-content-type-options"] == \
        "nosniff"
    analyst = login("analyst")
    assert analyst.get(f"/api/cases/{case_id}/attachments/{row['attachment_id']}").status_code == 403
    shown = analyst.get(f"/api/cases/{case_id}/timeline").json()
    assert shown["view"] == "analyst" and BACKUP_PHONE not in json.dumps(shown)
    assert [e["action"] for e in shown["items"]][-1] == "attachment_added"
    assert inv.post(f"/api/cases/{case_id}/attachments", files={"file": ("e.txt", b"")}).status_code == 422
    big = inv.post(f"/api/cases/{case_id}/attachments",
                   files={"file": ("big.bin", b"0" * (MAX_ATTACHMENT_BYTES + 70_000))})
    assert big.status_code == 413
    assert store.query("SELECT count(*) AS n FROM wb_case_attachments")[0]["n"] == 1
    full = zipfile.ZipFile(io.BytesIO(inv.get(f"/api/cases/{case_id}/bundle").content))
    assert full.read(f"attachments/{row['sha256']}") == PNG and verify_bundle(
        inv.get(f"/api/cases/{case_id}/bundle").content)["ok"]
    redacted = zipfile.ZipFile(io.BytesIO(analyst.get(f"/api/cases/{case_id}/bundle").content))
    assert not [n for n in redacted.namelist() if n.startswith("attachments/")]
    assert BACKUP_PHONE not in redacted.read("attachments.json").decode()
    with open(inv.app.state.settings.data_path / "evidence" / "blobs" / row["sha256"][:2] / row["sha256"], "r+b") as fh:
        fh.write(b"X")  # tampered evidence is not served
    assert inv.get(f"/api/cases/{case_id}/attachments/{row['attachment_id']}").status_code == 409
    assert login("partner").post(f"/api/cases/{case_id}/attachments",
                                 files={"file": ("p.txt", b"x")}).status_code == 403


@pytest.mark.parametrize(("given", "expected"), [("../../a/b.pdf", "b.pdf"), ("C:\\x\\y.txt", "y.txt"),
                                                 ("a\x00b\nc.txt", "a_b_c.txt"), ("...", "attachment")])
def test_attachment_names_are_made_safe(given: str, expected: str) -> None:
    assert safe_name(given) == expected


def test_corrections_undo_and_reviewer_stats(login, world) -> None:  # type: ignore[no-untyped-def]
    store, ids = world
    analyst, inv = login("analyst"), login("investigator")
    first, second, third = ids["posts"][2:5]
    bad = analyst.post(f"/api/posts/{first}/decisions",
                       json={"decision": "confirm", "correction": {"species": ["unicorn"], "products": []}})
    assert bad.status_code == 422 and "unicorn" in bad.json()["reason"]
    made = analyst.post(f"/api/posts/{first}/decisions", json={
        "decision": "confirm", "note": "scales, not ivory", "correction": {"species": ["pangolin"],
                                                                            "products": ["scales"]}}).json()
    same = analyst.post(f"/api/posts/{second}/decisions", json={  # as screened: no correction
        "decision": "dismiss", "correction": {"species": ["elephant"], "products": []}}).json()
    inv.post(f"/api/posts/{third}/decisions", json={"decision": "escalate"})
    labels = {d["id"]: d for d in inv.get("/api/decisions").json()["items"]}
    assert labels[made["id"]]["correction"] == {"species": ["pangolin"], "products": ["scales"]}
    assert labels[same["id"]]["correction"] is None

    assert inv.post(f"/api/decisions/{made['id']}/undo").status_code == 403  # not theirs
    undone = analyst.post(f"/api/decisions/{same['id']}/undo")
    assert undone.status_code == 200 and store.get(Decision, same["id"]) is None
    pending = {i["post_id"] for i in analyst.get("/api/queue", params={"limit": 100}).json()["items"]}
    assert second in pending and first not in pending
    event = store.find(AuditEvent, "action = 'decision_undone'")[0]
    assert (event.actor, event.object_id, event.detail["decision"]) == ("analyst", second, "dismiss")
    assert analyst.post(f"/api/decisions/{same['id']}/undo").status_code == 404

    stats = {r["reviewer"]: r for r in analyst.get("/api/reviews/stats").json()["reviewers"]}
    assert (stats["analyst"]["decisions"], stats["analyst"]["confirm"], stats["analyst"]["corrected"],
            stats["analyst"]["with_note"], stats["analyst"]["undone"]) == (1, 1, 1, 1, 1)
    assert stats["analyst"]["agreement"] == 1.0  # a confirm on a flagged post
    assert stats["investigator"]["escalate"] == 1
    admin = login("admin")
    assert admin.post(f"/api/decisions/{made['id']}/undo").status_code == 200  # admins may undo any
    only_undid = next(r for r in admin.get("/api/reviews/stats").json()["reviewers"] if r["reviewer"] == "admin")
    assert (only_undid["decisions"], only_undid["confirm"], only_undid["undone"], only_undid["agreement"]) == (
        0, 0, 1, None)
    page = admin.get("/review/stats")  # a row with no decisions renders like the others
    assert page.status_code == 200 and 'data-reviewer="admin"' in page.text
    assert login("partner").get("/api/reviews/stats").status_code == 403


def test_network_search_by_identifier_and_dated_money_edges(login) -> None:  # type: ignore[no-untyped-def]
    inv = login("investigator")
    assert inv.get(f"/api/network/{PHONE}").json()["root"] == f"ident:phone:{PHONE}"
    parcel = inv.get("/api/network/SF100200300").json()
    assert parcel["root"] == "parcel:SF100200300"
    assert {e["first"][:10] for e in parcel["edges"]} == {"2026-05-05"}
    money = inv.get("/api/network/wallet:w-881").json()
    payment = next(e for e in money["edges"] if e["kind"] == "payment")
    assert (payment["total"], payment["currency"], payment["n"]) == (5000.0, "CNY", 1)
    assert payment["first"].startswith("2026-05-04") and payment["first"] == payment["last"]
    assert login("analyst").get(f"/api/network/{PHONE}").status_code == 404  # real values name nothing for them


def test_path_between_two_nodes_across_the_whole_network(login, world) -> None:  # type: ignore[no-untyped-def]
    _, ids = world
    inv = login("investigator")
    found = inv.get("/api/network-path", params={"source": "trader:t-1", "target": "SF100200300"}).json()
    assert found["found"] and [n["id"] for n in found["nodes"]] == [  # breadth first: the first account's phone
        "trader:t-1", f"account:{ids['accounts'][0]}", f"ident:phone:{PHONE}", "parcel:SF100200300"]
    assert [e["kind"] for e in found["edges"]] == ["member", "identifier", "parcel"]
    money = inv.get("/api/network-path", params={"source": "wallet:buyer-1", "target": "t-1"}).json()
    assert [n["id"] for n in money["nodes"]] == ["ident:payment_account:wallet:buyer-1",
                                                 "ident:payment_account:wallet:w-881",
                                                 f"account:{ids['accounts'][0]}", "trader:t-1"]
    assert inv.get("/api/network-path", params={"source": "t-1", "target": "nobody"}).status_code == 404
    analyst = login("analyst")
    trader, second = (pseudonym(v, ANALYST) for v in ("t-1", ids["accounts"][1]))
    seen = analyst.get("/api/network-path", params={"source": f"trader:{trader}", "target": f"account:{second}"})
    assert [n["id"] for n in seen.json()["nodes"]] == [f"trader:{trader}", f"account:{second}"]
    assert PHONE not in seen.text and ids["accounts"][1] not in seen.text
    assert analyst.get("/api/network-path", params={"source": "t-1", "target": PHONE}).status_code == 404
