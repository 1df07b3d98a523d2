"""An alert keeps all its evidence: its row and the alert lists show the first page and the count, the evidence
endpoint pages every item with its transactions (redacted for roles that see redacted records), and the SAR
draft lists every payment."""

from __future__ import annotations

from tests.api.world import add_big_alert
from wildtrace.money import EVIDENCE_SHOWN

N = 73  # more than a first page


def test_an_alert_citing_more_than_a_page_shows_the_first_and_pages_them_all(login, world) -> None:  # type: ignore[no-untyped-def]
    ids = add_big_alert(world[0], N)
    client = login("investigator")
    one = client.get("/api/alerts/al-big").json()
    assert one["evidence"] == ids[:EVIDENCE_SHOWN] and one["evidence_count"] == N
    listed = next(a for a in client.get("/api/alerts").json()["items"] if a["id"] == "al-big")
    assert len(listed["evidence"]) == EVIDENCE_SHOWN and listed["evidence_count"] == N
    pages, offset = [], 0
    while offset < N:
        page = client.get("/api/alerts/al-big/evidence", params={"offset": offset, "limit": 30}).json()
        assert page["evidence_count"] == N and [t["id"] for t in page["transactions"]] == page["evidence"]
        pages += page["evidence"]
        offset += 30
    assert pages == ids
    assert client.get("/api/alerts/al-big/evidence", params={"offset": N}).json()["evidence"] == []
    assert client.get("/api/alerts/nope/evidence").status_code == 404
    assert client.get("/api/alerts/al-big/evidence", params={"limit": 0}).status_code == 422
    xml = client.get("/api/alerts/al-big/sar").text
    assert all(f"<transactionnumber>{t}</transactionnumber>" in xml for t in ids)
    sar = client.get("/api/alerts/al-big/sar", params={"format": "json"}).json()
    assert len(sar["transactions"]) == N and sar["alert"]["evidence"] == ids
    assert sar["totals"][0]["received"] == sum(100.0 + i for i in range(N))


def test_the_evidence_page_goes_through_redaction(login, world) -> None:  # type: ignore[no-untyped-def]
    add_big_alert(world[0], N)
    page = login("analyst").get("/api/alerts/al-big/evidence", params={"offset": 60}).json()
    assert len(page["transactions"]) == N - 60
    assert not any("wallet:" in str(v) for t in page["transactions"] for v in (t["payer"], t["payee"]))
    assert "wallet:w-881" not in str(page)
