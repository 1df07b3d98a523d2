"""Real-time checks read identifiers and alerts in one query and sort out the kind and the status themselves:
open alerts count and closed ones do not, a parcel counts only phones, at most five alerts by score."""

from __future__ import annotations

from tests.api.conftest import KeywordScreener
from tests.api.world import PHONE
from wildtrace.model import AccountIdentifier, Alert
from wildtrace.service import check_payment, check_post, check_shipment
from wildtrace.service._check import contact_matches


def _alert(i: int, subject: str, score: float, status: str = "open") -> Alert:
    return Alert(id=f"al-check-{i}", subject=subject, kind="structuring", score=score, reasons=["r"], evidence=[],
                 status=status)


def test_open_alerts_on_either_side_of_a_payment_count_and_closed_ones_do_not(world):
    store, _ = world
    store.add([_alert(1, "wallet:payer-9", 0.6), _alert(2, "wallet:payee-9", 0.95, "closed")])
    result = check_payment(store, "wallet:payer-9", "wallet:payee-9")
    assert result["risk"] == 0.6 and result["tier"] == "medium"
    assert result["reasons"] == ["open alert al-check-1 (structuring) on wallet:payer-9"]
    assert check_payment(store, "wallet:nobody", "wallet:payee-9")["reasons"] == []


def test_at_most_five_alerts_highest_first(world):
    store, _ = world
    store.add([_alert(i, "13000000000", 0.5 + i / 100) for i in range(8)])
    reasons = check_shipment(store, "13000000000", None)["reasons"]
    assert reasons == [f"open alert al-check-{i} (structuring) on 13000000000" for i in (7, 6, 5, 4, 3)]


def test_a_parcel_finds_the_open_alerts_the_money_stage_raised_on_its_phones(world):
    store, _ = world  # the money stage names a phone's alerts (many names, watchlist...) phone:<digits>
    store.add([_alert(1, "phone:13000000001", 0.9), _alert(2, "phone:13000000002", 0.7)])
    result = check_shipment(store, "13000000002", "+86 130 0000 0001")
    assert result["reasons"] == ["open alert al-check-1 (structuring) on phone:13000000001",
                                 "open alert al-check-2 (structuring) on phone:13000000002"]
    assert result["risk"] == 0.9


def test_a_parcel_counts_only_phones_of_flagged_traders(world):
    store, _ = world
    assert any("trader t-1" in r for r in check_shipment(store, PHONE, None)["reasons"])
    # the same digits as another kind of identifier (a bank card) of the flagged trader's account
    store.add([AccountIdentifier(account_id="wechat:ivory_king", kind="bank_card", value="62220000111",
                                 raw="62220000111", seen_in="post", seen_id="wechat:ivory_king/p0")])
    assert check_shipment(store, "62220000111", None) == {"risk": 0.0, "tier": "none", "reasons": []}
    assert check_payment(store, "62220000111", "wallet:x")["tier"] == "high"  # a payment counts any kind


def test_a_post_check_names_the_open_alert_on_its_account(world):
    store, _ = world
    result = check_post(store, KeywordScreener(), "卖二手自行车", "wechat:ivory_king")
    assert "open alert al-1 (structuring) on wechat:ivory_king" in result["reasons"]
    assert any("trader t-1" in r for r in result["reasons"]) and result["risk"] == 0.8


def test_a_post_check_finds_contacts_in_any_case_through_the_expression_indexes(world):
    """The contacts of a text are matched case folded against identifiers' values and raw texts, one indexed
    equality each: the same identifiers as folding every row of the table (the query before the indexes)."""
    store, _ = world
    store.add([AccountIdentifier(account_id=f"acct-{i}", kind=kind, value=value, raw=raw, seen_in="post",
                                 seen_id=f"p-{i}")
               for i, (kind, value, raw) in enumerate([
                   ("messenger_id", "wechat:Lotus_King", "Lotus_King"), ("payment_account", "wallet:W-77aa", "W-77AA"),
                   ("phone", "+8613912340000", "139-1234-0000"), ("messenger_id", "qq:MiXeD_case9", "mixed_CASE9")])])
    texts = ["联系 LOTUS_KING 或 w-77aa", "call 139-1234-0000 now", "mixed_case9 and wechat:lotus_king", "nothing here",
             "Ivory for sale, contact +8613912340000 or Lotus_King"]
    for text in texts:
        parts = contact_matches(text)
        assert all(where in ("lower(value) = ?", "lower(raw) = ?") for where, _ in parts)
        found = sorted(r["account_id"] for where, params in parts
                       for r in store.query(f"SELECT account_id FROM account_identifiers WHERE {where}", params))
        contacts = sorted({p[0] for _, p in parts})
        marks = ", ".join("?" for _ in contacts)
        folded = sorted(r["account_id"] for r in store.query(
            f"SELECT account_id FROM account_identifiers WHERE lower(value) IN ({marks}) UNION ALL "
            f"SELECT account_id FROM account_identifiers WHERE lower(raw) IN ({marks})", contacts + contacts)
        ) if contacts else []
        assert found == folded, text
    assert sorted(r["account_id"] for where, params in contact_matches("W-77aa lotus_king") for r in store.query(
        f"SELECT account_id FROM account_identifiers WHERE {where}", params)) == ["acct-0", "acct-1"]


def test_each_contact_lookup_reads_an_index(world):
    store, _ = world
    for where, params in contact_matches("wechat:Lotus_King"):
        sql = f"SELECT account_id FROM account_identifiers WHERE {where}"
        if store.url.startswith("postgresql"):
            with store.transaction():  # a tiny table: make the planner show it would use the index at all
                store.execute("SET LOCAL enable_seqscan = off")
                plan = " ".join(str(v) for r in store.query(f"EXPLAIN {sql}", params) for v in r.values())
            assert "account_identifiers_value_lower" in plan or "account_identifiers_raw_lower" in plan, plan
        else:
            plan = " ".join(str(v) for r in store.query(f"EXPLAIN ANALYZE {sql}", params) for v in r.values())
            assert "Index Scan" in plan, plan
