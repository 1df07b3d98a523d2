"""A small hand-made world for the workbench tests: posts with verdicts (one hostile), two accounts of one
trader with phones, a payment and a parcel, an alert; and the four roles' users."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

from wildtrace.model import (
    Account,
    AccountIdentifier,
    Alert,
    MediaItem,
    Platform,
    Post,
    Shipment,
    Span,
    Transaction,
    Verdict,
)
from wildtrace.service import add_user
from wildtrace.store import Store

BEIJING = timezone(timedelta(hours=8))
T0 = datetime(2026, 5, 4, 22, 0, tzinfo=BEIJING)
PASSWORD = "correct horse battery"
ROLES = ("admin", "investigator", "analyst", "partner")
PHONE = "13912345678"
BACKUP_PHONE = "13787654321"
XSS = ('<script>document.title="pwned"</script><img src=x onerror="document.title=\'pwned\'">'
       '<a href="javascript:alert(1)">x</a>')
XSS_POST = "wechat:ivory_king/p-xss"
TEXT = f"出售XY手镯 象牙 价格5000元 微信 ivory_king88 电话 {PHONE}"


# What the extraction stage reads in TEXT (the fact sheet of its post).
_EXTRACTED = {"price": 5000.0, "currency": "CNY", "product_types": ["bangle"], "weight_g": 120.0,
              "price_per_gram_cny": 41.67, "species": [{"name": "elephant", "cites_appendix": "I/II"}],
              "contacts": [{"kind": "messenger_id", "value": "wechat:ivory_king88", "raw": "ivory_king88"},
                           {"kind": "phone", "value": PHONE, "raw": PHONE}], "payment_methods": ["wallet"]}


def _spans(text: str, terms: list[tuple[str, str, str, str | None]]) -> list[Span]:
    out = []
    for surface, term, category, meaning in terms:
        start = text.index(surface)
        out.append(Span(start=start, end=start + len(surface), text=surface, term=term, category=category,
                        meaning=meaning))
    return out


def build_world(store: Store, n_extra: int = 6) -> dict:
    """Fill ``store``; return the ids the tests use."""
    a1, a2 = "wechat:ivory_king", "wechat:ivory_king2"
    entities: list = [
        Platform(id="wechat", name="WeChat", kind="messenger"),
        Account(id=a1, platform="wechat", handle="ivory_king", display_name="Wang Lei", bio=f"call {PHONE}",
                status="blocked", status_changed_at=T0 + timedelta(days=3), first_seen=T0),
        Account(id=a2, platform="wechat", handle="ivory_king2", display_name="Wang L.",
                first_seen=T0 + timedelta(days=4)),
        AccountIdentifier(account_id=a1, kind="phone", value=PHONE, raw=PHONE, seen_in="post", seen_id=f"{a1}/p0"),
        AccountIdentifier(account_id=a2, kind="phone", value=PHONE, raw=PHONE, seen_in="profile", seen_id=a2),
        AccountIdentifier(account_id=a2, kind="phone", value=BACKUP_PHONE, raw=BACKUP_PHONE, seen_in="post",
                          seen_id=f"{a2}/p0"),
        AccountIdentifier(account_id=a1, kind="messenger_id", value="wechat:ivory_king88", raw="ivory_king88",
                          seen_in="post", seen_id=f"{a1}/p0"),
        AccountIdentifier(account_id=a1, kind="payment_account", value="wallet:w-881", raw="wallet:w-881",
                          seen_in="payment", seen_id="tx1"),
        Transaction(id="tx1", time=T0, payer="wallet:buyer-1", payee="wallet:w-881", amount=5000.0, channel="wallet"),
        Shipment(waybill="SF100200300", time=T0 + timedelta(days=1), sender_name="Li Si", sender_phone=PHONE,
                 receiver_name="Zhao", receiver_phone="13500001111", address="广州市 某路 1号",
                 declared_contents="handicraft", weight_g=320.0, courier="SF"),
        Alert(id="al-1", subject=a1, kind="structuring", score=0.82, reasons=["12 payments just under 5000 CNY"],
              evidence=["tx1"], created_at=T0),
        MediaItem(sha256="ab" * 32, mime="image/png", size=10, ocr_text=f"微信 ivory_king88 {PHONE}"),
    ]
    post_ids = []
    texts = [TEXT, XSS + " 象牙 " + "A" * 50, *[f"象牙摆件 第{i}件 价格{3000 + i}元" for i in range(n_extra)]]
    for i, text in enumerate(texts):
        pid = XSS_POST if i == 1 else f"{a1 if i % 2 == 0 else a2}/p{i}"
        post_ids.append(pid)
        terms = [("XY", "xy", "code_word", "ivory"), ("象牙", "ivory", "species", None)] if i == 0 else \
            [("象牙", "ivory", "species", None)]
        score = round(0.99 - i * 0.03, 3)
        entities.append(Post(id=pid, platform="wechat", account_id=a1 if i % 2 == 0 else a2, text=text,
                             posted_at=T0 + timedelta(hours=i), media=["ab" * 32] if i == 0 else []))
        entities.append(Verdict(post_id=pid, score=score, tier="high" if score >= 0.8 else "medium",
                                species=["elephant"], spans=_spans(text, terms),
                                code_words=["XY = ivory"] if i == 0 else [],
                                features=[("lexicon:code_word", 1.2)], extracted=_EXTRACTED if i == 0 else {},
                                screened_at=datetime.now(UTC)))
    entities.append(Post(id="wechat:other/p0", platform="wechat", text="卖二手自行车", posted_at=T0))
    entities.append(Verdict(post_id="wechat:other/p0", score=0.02, tier="none"))
    store.add(entities)
    profile = {"trader_id": "t-1", "n_accounts": 2, "platforms": ["wechat"], "category": "A",
               "status": "returned after block", "n_posts": len(texts), "n_flagged": len(texts), "night_share": 0.8,
               "accounts": [{"account_id": a1, "display_name": "Wang Lei", "is_backup": False, "appeared_at": str(T0),
                             "after_block_of": None},
                            {"account_id": a2, "display_name": "Wang L.", "is_backup": True,
                             "appeared_at": str(T0 + timedelta(days=4)), "after_block_of": a1}],
               "identifiers": [f"phone {PHONE}", f"phone {BACKUP_PHONE}"],
               "hour_histogram": [4, 3, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 5],
               "timeline": [{"week": "2026-W19", "posts": len(texts), "flagged": len(texts)}]}
    store.insert_rows("link_members", [
        {"account_id": a1, "trader_id": "t-1", "is_backup": False, "appeared_at": T0, "after_block_of": None},
        {"account_id": a2, "trader_id": "t-1", "is_backup": True, "appeared_at": T0 + timedelta(days=4),
         "after_block_of": a1}],
        ["account_id", "trader_id", "is_backup", "appeared_at", "after_block_of"], ["account_id"])
    store.insert_rows("link_traders", [{
        "trader_id": "t-1", "n_accounts": 2, "platforms": json.dumps(["wechat"]), "category": "A",
        "status": "returned after block", "n_posts": len(texts), "n_flagged": len(texts), "night_share": 0.8,
        "profile": json.dumps(profile, ensure_ascii=False)}],
        ["trader_id", "n_accounts", "platforms", "category", "status", "n_posts", "n_flagged", "night_share",
         "profile"], ["trader_id"])
    store.insert_rows("link_edges", [{
        "account_l": a1, "account_r": a2, "source": "identifier", "match_weight": None, "match_probability": None,
        "reasons": json.dumps([f"shared phone {PHONE}"]), "accepted": True}],
        ["account_l", "account_r", "source", "match_weight", "match_probability", "reasons", "accepted"],
        ["account_l", "account_r", "source"])
    for role in ROLES:
        add_user(store, role, PASSWORD, role)
    return {"accounts": [a1, a2], "posts": post_ids, "trader": "t-1", "xss_post": XSS_POST}


def add_big_alert(store: Store, n: int) -> list[str]:
    """An alert ``al-big`` on the world's wallet citing ``n`` payments into it (more than a page), stored as
    ``money run`` stores alerts; returns the payment ids in the order cited."""
    from wildtrace.money import put_alerts

    ids = [f"big-{i:02d}" for i in range(n)]
    store.add([Transaction(id=t, time=T0 + timedelta(hours=i), payer=f"wallet:buyer-{i % 7}", payee="wallet:w-881",
                           amount=100.0 + i, channel="wallet") for i, t in enumerate(ids)])
    put_alerts(store, [Alert(id="al-big", subject="wallet:w-881", subject_kind="payment_account",
                             kind="flagged_counterparty", score=0.95, reasons=["flagged seller's account"],
                             evidence=ids, created_at=T0)])
    return ids
