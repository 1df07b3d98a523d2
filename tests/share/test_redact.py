"""The one redaction path: identifiers in free text however written, the store's own identifiers, what stays."""

from __future__ import annotations

import random

import pytest

from wildtrace.model import Account, AccountIdentifier, PaymentAccount, Shipment
from wildtrace.share import (
    KnownValues,
    Redactor,
    Redactors,
    audience_key,
    known_values,
    load_policy,
    pseudonym,
    store_redactor,
)
from wildtrace.simulate._text import card_text, handle_text, phone_text
from wildtrace.store import Store

KEY = b"k"
PHONE, HANDLE, WALLET, BANK = "17110320490", "mountain9750", "wallet:5220213446", "bank:6221661551190074"


@pytest.mark.parametrize("text", [
    "2025-03-03 到货 价格12800元 约131g 重量 350克 1.2w 20250303",
    "象牙手镯 30克 ¥38 per gram 12,800 yuan 2025/03/03 12:30 2.5kg",
    "尺寸 56mm 第3件 共12件 2025年3月3日",
])
def test_dates_prices_and_weights_stay(text: str) -> None:
    """Over-redaction made dates "[phone]": they are not identifiers."""
    assert Redactor("partner", key=KEY).scrub(text) == text


@pytest.mark.parametrize("seed", range(12))
def test_every_way_the_simulator_writes_a_contact_is_removed(seed: int) -> None:
    """The simulator's obfuscations (spaced, dashed, full-width, Chinese numerals, formal numerals, one digit at a
    time; spaced-out, upper-case and split handles; cards in groups) after its contact cues, with no known values."""
    rng = random.Random(seed)
    redactor = Redactor("partner", key=KEY)
    for cue in ("微信", "加薇", "V", "电话", "☎", "Tel", "DM", "联系"):
        text = f"象牙手镯 {cue} {phone_text(rng, PHONE)} 价格5000元"
        assert PHONE not in "".join(c for c in redactor.scrub(text) if c.isdigit()), text
    for cue in ("微信", "加薇", "加V", "wx", "VX:"):
        written = handle_text(rng, "wx_" + HANDLE)
        out = redactor.scrub(f"看货 {cue} {written} 价格5000元")
        assert HANDLE not in out.replace(" ", "").lower(), (written, out)
    for account in (WALLET, BANK):
        out = redactor.scrub(f"收款 {card_text(rng, account)} 价格5000元")
        assert account.split(":")[1] not in out.replace(" ", ""), out


def test_store_values_are_found_however_spaced_cased_or_written_in_numerals() -> None:
    known = KnownValues([(HANDLE, "contact"), ("+86" + PHONE, "contact"), (WALLET, "payment"),
                         ("魏霞", "private_name")])
    redactor = Redactor("partner", key=KEY, known=known)
    for text in ("m o u n t a i n 9 7 5 0", "MOUNTAIN9750", "一七一一零三二零四九零", "1711 0320 490",
                 "5220213446", "魏霞"):
        out = redactor.scrub("看货 " + text + " 谢谢")
        assert out.startswith("看货 [") and out.endswith("] 谢谢"), out
    # a known value inside a longer word is another value
    assert redactor.scrub("型号 xmountain9750x") == "型号 xmountain9750x"


def test_the_audience_keeps_what_its_policy_keeps() -> None:
    known = KnownValues([("jade.27703", "account_ref"), ("13639020989", "contact")])
    text = "找 jade.27703 或 13639020989"
    assert Redactor("platform", key=KEY, known=known).scrub(text) == "找 jade.27703 或 [phone]"
    assert Redactor("partner", key=KEY, known=known).scrub(text) == "找 [account] 或 [phone]"
    assert Redactor("investigator", key=KEY, known=known).document({"text": text}) == {"text": text}


def test_a_pseudonym_is_left_whole_in_free_text() -> None:
    shown = next(p for i in range(10_000) if (p := pseudonym(str(i), KEY))[2:11].isdigit() or i == 9_999)
    assert Redactor("partner", key=KEY).scrub(f"shared phone with {shown}") == f"shared phone with {shown}"


def test_known_values_come_from_the_store_with_their_policy_class(store: Store) -> None:
    store.add([Account(id="wechat:jade.27703", platform="wechat", handle="jade.27703", display_name="Tea"),
               AccountIdentifier(account_id="wechat:jade.27703", kind="phone", value="+8613639020989",
                                 raw="136 3902 0989", seen_in="profile", seen_id="wechat:jade.27703"),
               PaymentAccount(payment_account=WALLET, holder_name="冯文", holder_phone="14787433679"),
               Shipment(waybill="SF1", sender_name="魏霞", sender_phone="13500001111", receiver_name="唐霞")])
    redactor = store_redactor(store, "partner", KEY)
    text = "Tea 喝茶: jade 27703 / 1 3 6 3 9 0 2 0 9 8 9 / 冯文 5220213446 / 魏霞 唐霞 147-8743-3679 / 1350000 1111"
    out = redactor.scrub(text)
    for value in ("27703", "冯文", "魏霞", "唐霞", "5220213446", "3679", "1111"):
        assert value not in out, out
    assert out.startswith("Tea 喝茶: "), "display names are not identifiers"
    assert known_values(store, load_policy()).size > 0


def test_documents_unmask_only_pseudonyms(store: Store) -> None:
    store.add([Account(id="wechat:a_1", platform="wechat", handle="a_1")])
    partner = store_redactor(store, "partner", KEY)
    assert partner.unmask("wechat:a_1") is None
    assert partner.unmask(pseudonym("wechat:a_1", partner.key)) == "wechat:a_1"
    assert store_redactor(store, "investigator", KEY).unmask("wechat:a_1") == "wechat:a_1"


def test_link_reasons_and_seen_ids_are_redacted_in_records() -> None:
    redactor = Redactor("partner", key=KEY, known=KnownValues([("wechat:wx_abc123", "contact")]))
    link = redactor.record("link", {"account_l": "a", "account_r": "b", "source": "identifier",
                                    "reasons": ["shared phone +8613912345678", "shared messenger_id wechat:wx_abc123",
                                                "shared payment_account wallet:5220213446"]})
    assert not any(c.isdigit() for r in link["reasons"] for c in r), link
    profile = redactor.record("identifier", {"account_id": "wechat:x", "kind": "url", "seen_in": "profile",
                                             "seen_id": "wechat:x"})
    assert profile["seen_id"] == pseudonym("wechat:x", redactor.key)


@pytest.mark.parametrize("audience", ["public", "partner", "analyst"])
def test_an_account_has_one_pseudonym_whichever_name_a_record_gives(audience: str) -> None:
    """A handle shows its account's pseudonym (in a record, a document, a trader's list); without the account's id
    beside it, it is not shown rather than shown under a second pseudonym."""
    redactor = Redactor(audience, key=KEY)
    shown = pseudonym("wechat:jade.27703", redactor.key)
    account = {"id": "wechat:jade.27703", "platform": "wechat", "handle": "jade.27703"}
    assert redactor.record("account", account)["handle"] == shown
    doc = redactor.document({"account": account, "accounts": [{"account_id": "wechat:jade.27703",
                                                               "handle": "jade.27703"}], "handle": "jade.27703"})
    assert doc["account"]["handle"] == doc["accounts"][0]["handle"] == doc["accounts"][0]["account_id"] == shown
    assert "handle" not in doc and "handle" not in redactor.record("account", {"handle": "jade.27703"})
    assert redactor.field("account", "handle", "jade.27703", account) == shown


def test_where_a_post_was_seen_is_redacted_by_its_class() -> None:
    """A post's venue is free text (a group's name may hold a phone), whom it was forwarded from a person's name,
    the post it replies to a record id; before the policy named them every audience lost all three."""
    post = {"id": "telegram:ivory_hk:7", "venue": "象牙群 +84 912 345 678", "forwarded_from": "Lam Van Tu",
            "reply_to": "telegram:ivory_hk:5"}
    partner, public = (Redactor(a, key=KEY).record("post", post) for a in ("partner", "public"))
    assert partner["venue"].startswith("象牙群") and "912" not in partner["venue"]
    assert "forwarded_from" not in partner or not partner["forwarded_from"]
    assert partner["reply_to"] == "telegram:ivory_hk:5"
    assert public["reply_to"] not in ("", None, "telegram:ivory_hk:5")
    assert Redactor("investigator", key=KEY).record("post", post) == post


def test_an_empty_field_of_a_dropped_class_keeps_its_place() -> None:
    """An empty display name in a workbench answer is no error (it was 'action drop has no value', a 500)."""
    doc = {"display_name": "", "names": [], "phones": None, "holder_name": "Li Si"}
    assert Redactor("partner", key=KEY).document(doc) == {"display_name": "", "names": [], "phones": None}


def test_an_identifier_has_one_pseudonym_however_it_is_written() -> None:
    """A raw spelling shows its value's pseudonym; a phone is hashed as E.164 in every record (a parcel, a KYC
    record, an identifier, a seizure), so the phone of a parcel and the one read in a post are one."""
    analyst = Redactor("analyst", key=KEY)
    shown = pseudonym("+8613912345678", analyst.key)
    ident = analyst.record("identifier", {"account_id": "wechat:x", "kind": "phone", "value": "+8613912345678",
                                          "raw": "139 1234 5678"})
    assert ident["value"] == ident["raw"] == shown
    assert analyst.record("shipment", {"sender_phone": "13912345678", "receiver_phone": "+86 139-1234-5678"}) == \
        {"sender_phone": shown, "receiver_phone": shown}
    assert analyst.record("seizure", {"phones": ["008613912345678"]})["phones"] == [shown]
    assert analyst.record("payment_account", {"holder_phone": "+84 91 234 5678"})["holder_phone"] == \
        pseudonym("+84912345678", analyst.key), "a number from elsewhere as the extraction stage writes it"
    contact = {"kind": "messenger_id", "value": "wechat:lotus_9911", "raw": "lotus_9911"}
    facts = analyst.document({"contacts": [contact]})
    assert facts["contacts"][0]["raw"] == facts["contacts"][0]["value"] == pseudonym("wechat:lotus_9911", analyst.key)
    assert analyst.record("transaction", {"payer": "13912345678"})["payer"] == pseudonym("13912345678", analyst.key), \
        "only contacts are read as phones"


def test_an_alert_on_a_payment_account_is_redacted_as_one() -> None:
    """The money stage names payment accounts as subjects of kind ``account``: the value's prefix decides."""
    alert = {"id": "mx-1", "subject": WALLET, "subject_kind": "account", "kind": "fan_in", "reasons": []}
    platform = Redactor("platform", key=KEY)
    assert platform.record("alert", alert)["subject"] == pseudonym(WALLET, audience_key(KEY, "platform"))
    handle = {**alert, "subject": "wechat:jade.27703"}
    assert platform.record("alert", handle)["subject"] == "wechat:jade.27703"


def test_a_bare_id_is_hidden_but_not_a_price_or_a_record_id() -> None:
    redactor = Redactor("partner", key=KEY)
    assert redactor.scrub("紫檀笔筒 可验货 pine3583") == "紫檀笔筒 可验货 [id]"
    assert redactor.scrub("价格RMB25900 见 post-00000477") == "价格RMB25900 见 post-00000477"


def test_the_servers_redactors_learn_new_identifiers(store: Store) -> None:
    redactors = Redactors(store, KEY, refresh=0)
    assert redactors("partner").scrub("找 zz_newhandle88") == "找 [messenger]"  # read as an ID without the store
    assert redactors("partner").scrub("寄件人 欧阳娜娜") == "寄件人 欧阳娜娜"
    store.add([Shipment(waybill="SF9", sender_name="欧阳娜娜")])
    assert redactors("partner").scrub("寄件人 欧阳娜娜") == "寄件人 [name]"
    assert redactors("investigator").scrub("寄件人 欧阳娜娜") == "寄件人 欧阳娜娜"
