"""Real-time checks read identifiers and alerts in one query and sort out the kind and the status themselves:
open alerts count and closed ones do not, a parcel counts only phones, at most five alerts by score."""

from __future__ import annotations

from tests.api.conftest import KeywordScreener
from tests.api.world import PHONE
from wildtrace.model import AccountIdentifier, Alert
from wildtrace.service import check_payment, check_post, check_shipment


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
