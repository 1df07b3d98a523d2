"""Lexicon review: a term frequent in high-scoring posts is suggested; accepting puts it in the user layer."""

from __future__ import annotations

from datetime import UTC, datetime

from wildtrace.lexicon import load_lexicon
from wildtrace.model import Post, Verdict


def test_suggest_accept_and_reject(login, world, app, tmp_path):
    store, _ = world
    app.state.settings = type(app.state.settings)(lexicon=str(tmp_path / "lexicon.yaml"), share_key="k")
    rows = []
    for i in range(30):
        high = i % 2 == 0
        text = f"{'冰糖 靓货 私聊' if high else '二手 自行车 出售'} 第{i}号"
        rows += [Post(id=f"s{i}", platform="wechat", text=text, posted_at=datetime(2026, 5, 1, tzinfo=UTC)),
                 Verdict(post_id=f"s{i}", score=0.95 if high else 0.05, tier="high" if high else "none")]
    store.add(rows)
    client = login("analyst")
    terms = [s["term"] for s in client.get("/api/lexicon/suggestions").json()["items"]]
    assert {"冰糖", "靓货"} <= set(terms) and "自行车" not in terms
    r = client.post("/api/lexicon/reviews", json={"term": "冰糖", "decision": "accept", "meaning": "elephant"})
    assert r.status_code == 201
    lex = load_lexicon(tmp_path / "lexicon.yaml")
    assert any("冰糖" in t.all_names() and t.kind == "code_word" for t in lex.terms)
    assert client.post("/api/lexicon/reviews", json={"term": "靓货", "decision": "reject"}).status_code == 201
    left = [s["term"] for s in client.get("/api/lexicon/suggestions").json()["items"]]
    assert "冰糖" not in left and "靓货" not in left
    assert client.post("/api/lexicon/reviews", json={"term": "x", "decision": "maybe"}).status_code == 422
    no_species = client.post("/api/lexicon/reviews", json={"term": "靓料", "decision": "accept", "meaning": "unicorn"})
    assert no_species.status_code == 422 and "unicorn" in no_species.json()["reason"]
    actions = {e["action"] for e in client.get("/api/audit", params={"object_kind": "term"}).json()["items"]}
    assert actions == {"lexicon_accept", "lexicon_reject"}
