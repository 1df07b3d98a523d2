"""Search and pivot: one search over posts, accounts, traders, identifiers and cases, and a page for every
identifier listing what carries it, each as the asker's role may see it (on both store backends)."""

from __future__ import annotations

from urllib.parse import quote

from tests.api.world import BACKUP_PHONE, PHONE
from wildtrace.share import audience_key, pseudonym

KEY = b"test-share-key"


def h(value: str, audience: str = "analyst") -> str:
    return pseudonym(value, audience_key(KEY, audience))


def test_investigator_finds_posts_in_chinese_and_every_kind_of_record(login) -> None:  # type: ignore[no-untyped-def]
    inv = login("investigator")
    found = inv.get("/api/search", params={"q": "象牙 手镯"}).json()
    assert [p["id"] for p in found["posts"]] == ["wechat:ivory_king/p0"]  # both words, glued to other Chinese
    assert "出售XY手镯" in found["posts"][0]["text"]
    assert [x["text"] for x in found["posts"][0]["snippet"] if x["hit"]] == ["手镯", "象牙"]  # highlighted
    page = inv.get("/search", params={"q": "象牙 手镯"}).text
    assert '出售XY<mark class="hit">手镯</mark> <mark class="hit">象牙</mark>' in page
    assert len(inv.get("/api/search", params={"q": "象牙"}).json()["posts"]) == 8
    by_phone = inv.get("/api/search", params={"q": PHONE}).json()
    assert {(i["kind"], i["value"]) for i in by_phone["identifiers"]} == {("phone", PHONE)}
    assert by_phone["identifiers"][0]["n_accounts"] == 2
    assert [a["id"] for a in inv.get("/api/search", params={"q": "ivory_king2"}).json()["accounts"]] == [
        "wechat:ivory_king2"]
    assert [t["trader_id"] for t in inv.get("/api/search", params={"q": "t-1"}).json()["traders"]] == ["t-1"]
    assert inv.get("/api/search", params={"q": "SF1002"}).json()["identifiers"] == [
        {"kind": "waybill", "value": "SF100200300", "n_accounts": 0}]
    case = inv.post("/api/cases", json={"title": "象牙 bangles of Wang", "items": []}).json()["id"]
    assert [c["id"] for c in inv.get("/api/search", params={"q": "bangles"}).json()["cases"]] == [case]
    assert all(not v for k, v in inv.get("/api/search", params={"q": "犀牛角"}).json().items() if k != "query")


def test_identifier_page_lists_everything_that_carries_it(login) -> None:  # type: ignore[no-untyped-def]
    inv = login("investigator")
    phone = inv.get(f"/api/identifiers/phone:{PHONE}").json()
    assert {a["id"] for a in phone["accounts"]} == {"wechat:ivory_king", "wechat:ivory_king2"}
    assert any("seen in profile" in s for a in phone["accounts"] for s in a["seen"])
    assert [t["trader_id"] for t in phone["traders"]] == ["t-1"]
    assert [p["waybill"] for p in phone["parcels"]] == ["SF100200300"]  # the sender's phone on the waybill
    assert "wechat:ivory_king/p0" in {p["id"] for p in phone["posts"]}  # the phone is written in the post
    assert phone["posts"][0]["posted_at"].endswith("+08:00")  # in the post's own zone, as on the post's page
    wallet = inv.get("/api/identifiers/payment_account:wallet:w-881").json()
    assert [(p["payer"], p["payee"], p["amount"]) for p in wallet["payments"]] == [
        ("wallet:buyer-1", "wallet:w-881", 5000.0)]
    assert wallet["money"]["in"] == [{"currency": "CNY", "amount": 5000.0}] and wallet["money"]["n_out"] == 0
    parcel = inv.get("/api/identifiers/waybill:SF100200300").json()
    assert parcel["parcels"][0]["sender_phone"] == PHONE
    picture = inv.get(f"/api/identifiers/image_hash:{'ab' * 32}").json()
    assert [p["id"] for p in picture["posts"]] == ["wechat:ivory_king/p0"]
    assert inv.get("/api/identifiers/phone:10000000000").status_code == 404
    assert inv.get("/api/identifiers/shoe_size:42").status_code == 404


def test_analyst_pivots_by_pseudonym_and_cannot_reverse_one(login) -> None:  # type: ignore[no-untyped-def]
    ana = login("analyst")
    # a value the analyst is not shown finds nothing: neither its identifier nor the posts that write it
    by_value = ana.get("/api/search", params={"q": PHONE}).json()
    assert not by_value["identifiers"] and not by_value["posts"] and not by_value["accounts"]
    assert PHONE not in str(by_value)
    assert ana.get(f"/api/identifiers/phone:{PHONE}").status_code == 404  # a real value does not tell its pseudonym
    by_pseudonym = ana.get("/api/search", params={"q": h('+86' + PHONE)}).json()
    assert by_pseudonym["identifiers"] == [{"kind": "phone", "value": h('+86' + PHONE), "n_accounts": 0}]
    page = ana.get(f"/api/identifiers/{quote('phone:' + h('+86' + PHONE))}")
    assert page.status_code == 200 and PHONE not in page.text and BACKUP_PHONE not in page.text
    body = page.json()
    assert body["identifier"] == {"kind": "phone", "value": h('+86' + PHONE)}
    assert {a["id"] for a in body["accounts"]} == {h("wechat:ivory_king"), h("wechat:ivory_king2")}
    assert body["parcels"][0]["sender_phone"] == h('+86' + PHONE) and "sender_name" not in body["parcels"][0]
    assert [t["trader_id"] for t in ana.get("/api/search", params={"q": h("t-1")}).json()["traders"]] == [h("t-1")]
    shown = ana.get("/api/search", params={"q": "象牙 手镯"}).json()["posts"]  # words it is shown are found
    assert shown and PHONE not in str(shown)  # text and snippet both through the analyst's redactor
    assert "".join(x["text"] for x in shown[0]["snippet"]) in shown[0]["text"]


def test_partner_gets_no_page_for_what_it_may_not_see(login) -> None:  # type: ignore[no-untyped-def]
    partner = login("partner")
    assert partner.get(f"/api/identifiers/{quote('phone:' + h('+86' + PHONE, 'partner'))}").status_code == 404
    assert partner.get("/api/identifiers/payment_account:wallet:w-881").status_code == 404
    assert partner.get("/api/identifiers/waybill:SF100200300").status_code == 200  # a waybill is a record id to it
    assert not partner.get("/api/search", params={"q": h('+86' + PHONE, 'partner')}).json()["identifiers"]
