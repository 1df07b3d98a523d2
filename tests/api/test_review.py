"""Queue, post explanation, decisions as labels, and the audit trail they leave."""

from __future__ import annotations

from wildtrace.model import Decision


def test_queue_orders_by_tier_then_score_and_hides_decided(login):
    client = login("analyst")
    items = client.get("/api/queue", params={"limit": 100}).json()["items"]
    ranks = [({"high": 0, "medium": 1}[i["tier"]], -i["score"]) for i in items]
    assert ranks == sorted(ranks)
    assert "wechat:other/p0" not in {i["post_id"] for i in items}  # tier none is not queued by default
    first = items[0]["post_id"]
    r = client.post(f"/api/posts/{first}/decisions", json={"decision": "confirm", "note": "clear"})
    assert r.status_code == 201
    after = client.get("/api/queue", params={"limit": 100}).json()
    assert first not in {i["post_id"] for i in after["items"]} and after["total"] == len(items) - 1
    decided = client.get("/api/queue", params={"status": "decided"}).json()["items"]
    assert [i["post_id"] for i in decided] == [first]


def test_queue_paginates_and_filters(login, world):
    client = login("analyst")
    page1 = client.get("/api/queue", params={"limit": 3}).json()
    page2 = client.get("/api/queue", params={"limit": 3, "offset": 3}).json()
    assert len(page1["items"]) == 3
    assert not {i["post_id"] for i in page1["items"]} & {i["post_id"] for i in page2["items"]}
    assert client.get("/api/queue", params={"platform": "nowhere"}).json()["total"] == 0
    none_tier = client.get("/api/queue", params={"tier": "none"}).json()["items"]
    assert [i["post_id"] for i in none_tier] == ["wechat:other/p0"]


def test_post_detail_cuts_the_original_text_at_the_spans(login, world):
    _, ids = world
    d = login("analyst").get(f"/api/posts/{ids['posts'][0]}").json()
    assert "".join(s["text"] for s in d["segments"]) == d["post"]["text"]
    marked = [(s["text"], s["match"]["meaning"]) for s in d["segments"] if s["match"]]
    assert ("XY", "ivory") in marked
    assert d["verdict"]["code_words"] == ["XY = ivory"] and d["media"][0]["ocr_text"]


def test_decision_becomes_a_label_and_is_audited(login, world):
    store, ids = world
    client = login("investigator")
    post = ids["posts"][2]
    r = client.post(f"/api/posts/{post}/decisions", json={"decision": "dismiss"})
    assert r.status_code == 201
    row = store.get(Decision, r.json()["id"])
    assert row.label == 0 and row.decided_by == "investigator"
    trail = client.get("/api/audit", params={"object_id": post}).json()["items"]
    assert [e["action"] for e in trail] == ["decide"]
    labels = client.get("/api/decisions").json()["items"]
    assert labels[0]["post_id"] == post and labels[0]["label"] == 0
    assert client.get("/api/audit", params={"object_kind": "decisions"}).json()["items"][0]["action"] == "export"


def test_unknown_and_bad_input_are_4xx_with_reasons(login):
    client = login("analyst")
    r = client.get("/api/posts/nope")
    assert r.status_code == 404 and "nope" in r.json()["reason"]
    r = client.post("/api/posts/nope/decisions", json={"decision": "confirm"})
    assert r.status_code == 404
    r = client.post("/api/posts/wechat:ivory_king/p0/decisions", json={"decision": "burn"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.decision"
    r = client.get("/api/queue", params={"limit": -1})
    assert r.status_code == 422 and "limit" in r.json()["reason"]
    r = client.post("/api/cases", json={"title": "a\x00b"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.title"
    assert client.get("/api/posts/a%00b").status_code == 422


def test_overview_counts(login, world):
    o = login("analyst").get("/api/overview").json()
    assert sum(r["n"] for r in o["by_tier"]) == 9
    assert o["newest_high"] and all(p["score"] >= 0.8 for p in o["newest_high"])
    assert o["by_species"][0] == {"species": "elephant", "n": 8}


def test_queue_samples_for_labelling_nearest_the_cutoff_or_at_random(login, world):
    client = login("analyst")
    uncertain = client.get("/api/queue", params={"order": "uncertain", "around": 0.7, "limit": 100}).json()
    gaps = [abs(i["score"] - 0.7) for i in uncertain["items"]]
    assert gaps == sorted(gaps) and "wechat:other/p0" in {i["post_id"] for i in uncertain["items"]}  # every tier
    first = client.get("/api/queue", params={"order": "random", "seed": "a", "limit": 100}).json()["items"]
    again = client.get("/api/queue", params={"order": "random", "seed": "a", "limit": 100}).json()["items"]
    other = client.get("/api/queue", params={"order": "random", "seed": "b", "limit": 100}).json()["items"]
    ids = [i["post_id"] for i in first]
    assert ids == [i["post_id"] for i in again] and sorted(ids) == sorted(i["post_id"] for i in other)
    assert ids != [i["post_id"] for i in other] and set(ids) == {i["post_id"] for i in uncertain["items"]}
    assert client.get("/api/queue", params={"order": "newest"}).status_code == 422
