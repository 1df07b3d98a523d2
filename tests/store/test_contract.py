"""The store contract: every backend (DuckDB, PostgreSQL) behaves the same.

Every entity of the domain model survives a round trip unchanged, keys de-duplicate, transactions
roll back, migrations apply once, and several threads can work at once (the workbench's users).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest

from wildtrace import model as m
from wildtrace.store import Store, columns, migration_files, open_store

BEIJING = timezone(timedelta(hours=8))
T = datetime(2026, 3, 14, 23, 30, tzinfo=BEIJING)

SAMPLES: list[m.Entity] = [
    m.Platform(id="wechat", name="WeChat", kind=m.PlatformKind.MESSENGER),
    m.Account(id="wechat:xy_88", platform="wechat", handle="xy_88", display_name="象牙 老王", bio="<b>bio</b>",
              status=m.AccountStatus.BLOCKED, status_changed_at=T, first_seen=T - timedelta(days=3)),
    m.MediaItem(sha256="a" * 64, mime="image/png", size=1234, phash="ffd8", ocr_text="微信: ivory_king88"),
    m.Post(id="p1", platform="wechat", account_id="wechat:xy_88", text="出售XY手镯 5000元", media=["a" * 64],
           posted_at=T, captured_at=T + timedelta(hours=1), url="https://example.org/p/1", source="feed.jsonl",
           language="zh-Hans", content_hash="c" * 64),
    m.AccountIdentifier(account_id="wechat:xy_88", kind=m.IdentifierKind.PHONE, value="+8613812345678",
                        raw="138 1234 5678", seen_in="post", seen_id="p1"),
    m.Transaction(id="t1", time=T, payer="alipay:1", payee="alipay:2", amount=5000.0, channel="wallet"),
    m.Transaction(id="t2", step=17, payer="a", payee="b", amount=1.5),
    m.Shipment(waybill="SF123", time=T, sender_name="张三", sender_phone="+8613812345678", weight_g=480.0),
    m.Verdict(post_id="p1", score=0.93, tier=m.Tier.HIGH, species=["elephant"], products=["bangle"],
              spans=[m.Span(start=2, end=4, text="XY", term="象牙", category="code_word", meaning="ivory")],
              code_words=["XY"], features=[("code:XY", 2.1)], extracted={"price": 5000, "currency": "CNY"},
              model_version="v1", screened_at=T),
    m.Alert(id="a1", subject="alipay:2", kind="fan_in", score=0.7, reasons=["12 payers in 3 days"], evidence=["t1"],
            created_at=T),
    m.Case(id="c1", title="Bangles", created_by="ana", created_at=T, items=["post:p1"]),
    m.Decision(id="d1", post_id="p1", decision=m.DecisionKind.CONFIRM, decided_by="ana", decided_at=T),
    m.AuditEvent(seq=1, occurred_at=T, actor="ana", action="view", object_kind="post", object_id="p1",
                 detail={"fields": ["phone"]}, prev_hash="0" * 64, hash="1" * 64),
    m.Capture(sha256="d" * 64, url="https://example.org/p/1", captured_at=T, collector="ngo", warc_path="x.warc.gz"),
    m.Seizure(date=T.date(), place="Guangzhou", agency="customs", species=["elephant"], quantity_kg=2.5,
              waybill="SF123", phones=["+8613812345678"], names=["张三"]),
    m.PaymentAccount(payment_account="wallet:2", holder_name="李四", holder_phone="+8613812345678", bank="ICBC",
                     opened_at=T),
]


def test_samples_cover_every_entity() -> None:
    assert {type(e) for e in SAMPLES} == set(m.ENTITIES)


@pytest.mark.parametrize("entity", SAMPLES, ids=lambda e: type(e).__name__)
def test_round_trip(backend_store: Store, entity: m.Entity) -> None:
    assert backend_store.add([entity]) == 1
    back = backend_store.get(type(entity), *entity.key())
    assert back == entity
    for name, value in entity:
        if isinstance(value, datetime):
            assert getattr(back, name).utcoffset() == value.utcoffset(), name


@pytest.mark.parametrize("model", m.ENTITIES, ids=lambda c: c.__name__)
def test_table_matches_model(backend_store: Store, model: type[m.Entity]) -> None:
    rows = backend_store.query(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ? AND table_schema = current_schema()",
        (model.__table__,),
    )
    assert sorted(r["column_name"] for r in rows) == sorted(columns(model))


def test_add_is_idempotent_and_put_replaces(backend_store: Store) -> None:
    post = SAMPLES[3]
    assert backend_store.add([post, post]) == 1
    assert backend_store.add([post]) == 0
    backend_store.put([post.model_copy(update={"text": "edited"})])
    assert backend_store.get(m.Post, "p1").text == "edited"
    assert backend_store.count(m.Post) == 1


def test_naive_timestamp_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        m.Post(id="x", platform="p", posted_at=datetime(2026, 1, 1))


def test_migrations_apply_once(backend_store: Store) -> None:
    version = backend_store.schema_version()
    assert version == max(v for v, _, _ in migration_files())
    assert backend_store.migrate() == []
    assert backend_store.schema_version() == version


def test_reopen_keeps_data(tmp_path) -> None:
    path = str(tmp_path / "w.duckdb")
    with open_store(path) as first:
        first.add(SAMPLES[:2])
    with open_store(path) as again:
        assert again.migrate() == []
        assert again.count(m.Account) == 1


def test_threads_work_at_once(backend_store: Store) -> None:
    def work(i: int) -> int:
        backend_store.add([m.Post(id=f"p{i}", platform="x", text=f"post {i}", content_hash=str(i))])
        return backend_store.count(m.Post)

    with ThreadPoolExecutor(max_workers=4) as pool:
        counts = list(pool.map(work, range(40)))
    assert backend_store.count(m.Post) == 40
    assert max(counts) == 40


def test_find_pages_and_filters(backend_store: Store) -> None:
    backend_store.add([m.Post(id=f"p{i:02}", platform="wx" if i % 2 else "tb", text="", content_hash="h")
                       for i in range(10)])
    page = backend_store.find(m.Post, "platform = ?", ("wx",), order_by="id", limit=2, offset=1)
    assert [p.id for p in page] == ["p03", "p05"]
    assert backend_store.count(m.Post, "platform = ?", ("tb",)) == 5


def test_get_many_fetches_by_key_in_chunks(backend_store: Store) -> None:
    backend_store.add([m.Post(id=f"p{i:02}", platform="wx", text="", content_hash="h") for i in range(7)])
    found = backend_store.get_many(m.Post, ["p05", "p01", "p01", "nope", "p06", "p00"], chunk=2)
    assert sorted(found) == ["p00", "p01", "p05", "p06"] and found["p05"].id == "p05"
    assert backend_store.get_many(m.Post, []) == {}


def test_failed_transaction_leaves_nothing(backend_store: Store) -> None:
    with pytest.raises(RuntimeError), backend_store.transaction():
        backend_store.add([SAMPLES[0]])
        raise RuntimeError("boom")
    assert backend_store.count(m.Platform) == 0


def test_environment_selects_postgres(postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from wildtrace.cli._common import store
    from wildtrace.store._postgres import PostgresStore

    monkeypatch.setenv("WILDTRACE_DB", postgres_url)
    with store() as s:
        assert isinstance(s, PostgresStore)
        assert s.schema_version() >= 1


def test_text_search_finds_every_term_in_any_script(backend_store: Store) -> None:
    texts = {"p1": "出售XY手镯 象牙 价格5000元 微信 Ivory_King88", "p2": "象牙摆件 象牙 ivory",
             "p3": "Tusk carving, no price", "p4": "出售象牙手镯",
             "p5": "Bán sừng tê giác 🐘 ขายงาช้าง 100%_off"}
    backend_store.add([m.Post(id=k, platform="wechat", text=v) for k, v in texts.items()])
    search = backend_store.text_search
    # BM25: twice in a short post first, then once in a short post before once in a long one
    assert search("posts", "id", ["text"], "象牙") == ["p2", "p4", "p1"]
    assert search("posts", "id", ["text"], "象") == ["p2", "p4", "p1"]  # one Chinese character is a word
    assert search("posts", "id", ["text"], "xy 5000") == ["p1"]  # every term, glued to Chinese or not
    assert search("posts", "id", ["text"], "IVORY") == ["p2", "p1"]  # case folded, inside a handle
    assert search("posts", "id", ["text", "id"], "p3") == ["p3"]  # over several columns
    assert search("posts", "id", ["text"], "SỪNG tê") == ["p5"]  # Vietnamese, case folded
    assert search("posts", "id", ["text"], "งาช้าง") == ["p5"]  # Thai, a part of a word
    assert search("posts", "id", ["text"], "🐘") == ["p5"]  # emoji
    assert search("posts", "id", ["text"], "%_") == ["p5"]  # LIKE's wildcards are characters to find
    assert search("posts", "id", ["text"], "a carving") == ["p3"]  # a term of one letter
    assert search("posts", "id", ["text"], "象牙 tusk") == []
    assert search("posts", "id", ["text"], "   ") == []
    assert search("posts", "id", ["text"], "'; DROP TABLE posts; --") == []  # a term is a parameter, not SQL
    assert backend_store.count(m.Post) == 5


def test_text_search_follows_added_and_replaced_rows(backend_store: Store) -> None:
    backend_store.add([m.Post(id="p1", platform="wechat", text="犀角杯 出售")])
    assert backend_store.text_search("posts", "id", ["text"], "犀角") == ["p1"]
    backend_store.add([m.Post(id="p2", platform="wechat", text="犀角 rhino horn cup")])
    assert backend_store.text_search("posts", "id", ["text"], "犀角") == ["p1", "p2"]  # the shorter first
    backend_store.put([m.Post(id="p1", platform="wechat", text="tiger bone wine")])  # replaced under its key
    assert backend_store.text_search("posts", "id", ["text"], "犀角") == ["p2"]
    assert backend_store.text_search("posts", "id", ["text"], "bone") == ["p1"]
    backend_store.add([m.Account(id="wechat:horn", platform="wechat", handle="horn_88", display_name="犀角王")])
    assert backend_store.text_search("accounts", "id", ["id", "handle", "display_name", "bio"], "犀角") == [
        "wechat:horn"]
