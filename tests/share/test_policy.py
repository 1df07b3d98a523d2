from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from wildtrace.share import PolicyError, Redactor, audience_for_role, load_policy, parse_policy, redact_record
from wildtrace.share._redact import audience_key, pseudonym

KEY = b"test-key"
ACCOUNT = {"id": "wechat:ivory_king88", "platform": "wechat", "handle": "ivory_king88", "display_name": "王伟",
           "bio": "微信: ivory_king88 电话 138 1234 5678", "status": "active", "secret_new_field": "x"}


def _policy_data() -> dict:
    path = Path(load_policy().source.replace("wildtrace/share/data", "src/wildtrace/share/data"))
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_every_audience_gives_an_action_to_every_class() -> None:
    policy = load_policy()
    assert {"public", "partner", "platform", "investigator"} <= set(policy.audiences)
    for audience in policy.audiences.values():
        assert set(audience.actions) == set(policy.classes)


def test_missing_action_is_named_with_file_and_entry() -> None:
    data = _policy_data()
    del data["audiences"]["partner"]["actions"]["contact"]
    with pytest.raises(PolicyError, match=r"my\.yaml: audiences\.partner\.actions: no action for class 'contact'"):
        parse_policy(data, "my.yaml")


def test_unknown_class_of_a_field_is_named() -> None:
    data = _policy_data()
    data["fields"]["post"]["text"] = "freetext"
    with pytest.raises(PolicyError, match=r"fields\.post\.text: unknown class 'freetext'"):
        parse_policy(data, "my.yaml")


def test_public_view_of_an_account_drops_names_hashes_handles_scrubs_bio() -> None:
    out = redact_record(ACCOUNT, "account", "public", key=KEY)
    assert "display_name" not in out and "secret_new_field" not in out
    shown = pseudonym("wechat:ivory_king88", audience_key(KEY, "public"))
    assert out["handle"] == out["id"] == shown, "one pseudonym for the account"
    assert "ivory_king88" not in out["bio"] and "5678" not in out["bio"]
    assert out["platform"] == "wechat"


def test_investigator_sees_everything_listed() -> None:
    out = redact_record(ACCOUNT, "account", "investigator", key=KEY)
    assert out["display_name"] == "王伟" and out["bio"] == ACCOUNT["bio"]


def test_identifier_value_class_follows_its_kind() -> None:
    phone = {"account_id": "wechat:a", "kind": "phone", "value": "+8613812345678", "raw": "138 1234 5678"}
    url = {"account_id": "wechat:a", "kind": "url", "value": "https://x.example/a", "raw": "x.example/a"}
    assert "value" not in redact_record(phone, "identifier", "partner", key=KEY)
    assert redact_record(phone, "identifier", "platform", key=KEY)["value"].startswith("h:")
    assert redact_record(url, "identifier", "platform", key=KEY)["value"] == "https://x.example/a"


def test_pseudonym_of_must_list_field_names() -> None:
    data = _policy_data()
    data["fields"]["account"]["handle"] = {"class": "account_ref", "pseudonym_of": "id"}
    with pytest.raises(PolicyError, match=r"fields\.account\.handle\.pseudonym_of: expected a list of field names"):
        parse_policy(data, "my.yaml")


def test_pseudonyms_are_keyed_stable_and_idempotent() -> None:
    assert pseudonym("13812345678", KEY) == pseudonym("13812345678", KEY)
    assert pseudonym("13812345678", KEY) != pseudonym("13812345678", b"other")
    assert pseudonym(pseudonym("x", KEY), b"other") == pseudonym("x", KEY)


@pytest.mark.parametrize("text", [
    "加微信：ivory_king88 看货", "wx ivory-king88888", "call +86 138-1234-5678 now", "卡号 6222 0212 3456 7890 123",
    "mail seller@example.com", "tg: @tusk_trader", "ＱＱ：１２３４５６７８９",
])
def test_scrub_removes_contacts_written_the_way_traders_write_them(text: str) -> None:
    out = Redactor("partner", key=KEY).scrub(text)
    digits = "".join(c for c in out if c.isdigit())
    assert len(digits) < 5, out
    for word in ("ivory_king88", "ivory-king", "seller@", "tusk_trader"):
        assert word not in out


def test_scrub_removes_known_values_without_a_cue() -> None:
    r = Redactor("partner", key=KEY, known=["jadehouse_zhang"])
    assert "jadehouse_zhang" not in r.scrub("找 JadeHouse_Zhang 买")
    assert r.scrub("象牙手镯 30克") == "象牙手镯 30克"


def test_roles_map_to_audiences_and_unknown_roles_get_public() -> None:
    assert audience_for_role("admin") == "investigator"
    assert audience_for_role("analyst") == "analyst"
    assert audience_for_role("partner") == "partner" and audience_for_role("platform") == "platform"
    assert audience_for_role("someone-new") == "public"


def test_unknown_audience_and_kind_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown audience 'press'"):
        redact_record(ACCOUNT, "account", "press")
    with pytest.raises(ValueError, match="record kind 'parcel'"):
        redact_record(ACCOUNT, "parcel", "public")


def test_withheld_kinds_and_qualified_names_are_checked_on_load() -> None:
    data = _policy_data()
    data["audiences"]["partner"]["withhold"] = ["payment"]
    with pytest.raises(PolicyError, match=r"audiences\.partner\.withhold: unknown record kind 'payment'"):
        parse_policy(data, "my.yaml")
    data["audiences"]["partner"]["withhold"] = "transaction"
    with pytest.raises(PolicyError, match=r"audiences\.partner\.withhold: expected a list of record kinds"):
        parse_policy(data, "my.yaml")
    data = _policy_data()
    data["fields"]["audit_event"]["object_id"]["qualified"] = {"identifier": "identifier.kind"}
    with pytest.raises(PolicyError, match=r"object_id\.qualified\.identifier: identifier\.kind is not a field whose"):
        parse_policy(data, "my.yaml")


def test_a_withheld_kind_is_given_to_no_one_of_the_audience() -> None:
    """Payments are withheld from partners and the public: a record is refused, a part of a workbench answer is
    shown empty, an audience that receives them gets them."""
    payment = {"id": "tx1", "payer": "wallet:b-1", "payee": "wallet:w-881", "amount": 5000.0, "currency": "CNY"}
    for audience in ("partner", "public"):
        redactor = Redactor(audience, key=KEY)
        with pytest.raises(ValueError, match=f"the {audience} audience receives no transaction records"):
            redactor.record("transaction", payment)
        doc = redactor.document({"transactions": [payment], "totals": {"amount": 5000.0}, "n": 1}, None)
        assert doc["transactions"] == [] and doc["n"] == 1
        assert redactor.document({"amount": 5000.0}, "transaction") == {}
    assert Redactor("analyst", key=KEY).record("transaction", payment)["amount"] == 5000.0
    assert Redactor("investigator", key=KEY).document({"transactions": [payment]}) == {"transactions": [payment]}


@pytest.mark.parametrize("audience", ["analyst", "platform"])
def test_an_audit_event_on_an_identifier_shows_the_identifier_s_pseudonym(audience: str) -> None:
    redactor = Redactor(audience, key=KEY)
    for written in ("+8613912345678", "13912345678"):
        event = {"object_kind": "identifier", "object_id": f"phone:{written}", "action": "view"}
        shown = redactor.record("audit_event", event)["object_id"]
        assert shown == "phone:" + pseudonym("+8613912345678", redactor.key, "contact")
        assert shown == "phone:" + redactor.record("identifier", {"kind": "phone", "value": written})["value"]
        assert redactor.document(event, "audit_event")["object_id"] == shown
    wallet = {"object_kind": "identifier", "object_id": "payment_account:wallet:w-881"}
    assert redactor.record("audit_event", wallet)["object_id"] == \
        "payment_account:" + pseudonym("wallet:w-881", redactor.key)
    assert "object_id" not in Redactor("partner", key=KEY).record("audit_event", wallet)
    h = redactor.pseudonym if redactor.hidden("account_ref") else str  # a platform sees its accounts
    for root, shown in (("trader:t-1", "trader:" + h("t-1")), ("account:wechat:x", "account:" + h("wechat:x")),
                        ("wechat:x", h("wechat:x"))):
        network = {"object_kind": "network", "object_id": root}
        assert redactor.record("audit_event", network)["object_id"] == shown
