import pandas as pd

from wildtrace.link import (
    HubRules,
    LinkData,
    LinkOptions,
    PictureRule,
    deterministic_links,
    find_hubs,
    match_key,
    picture_groups,
    same_picture,
)
from wildtrace.link._identifiers import strong_identifiers
from wildtrace.link._pipeline import shared_pictures


def _ids(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame([{"account_id": a, "kind": k, "value": v, "raw": v, "seen_in": "post", "seen_id": ""}
                         for a, k, v in rows])


def _data(rows: list[tuple[str, str, str]]) -> LinkData:
    ids = _ids(rows)
    accounts = pd.DataFrame({"id": sorted(set(ids["account_id"]))})
    return LinkData(accounts=accounts, identifiers=ids)


def test_phone_forms_share_one_key():
    assert match_key("phone", "+86 138-0013-8000") == match_key("phone", "13800138000") == "13800138000"
    assert match_key("payment_account", "wallet:AbC") == match_key("payment_account", "abc")
    assert match_key("bank_card", "bank:6222 0210 0000") == "622202100000"


def test_shared_phone_links_two_accounts_with_its_reason():
    edges, hubs, _ = deterministic_links(_data([("wx:a", "phone", "13800138000"), ("qq:b", "phone", "+8613800138000"),
                                                ("qq:c", "phone", "13900000000")]), LinkOptions())
    assert hubs.empty
    assert edges[["account_l", "account_r"]].values.tolist() == [["qq:b", "wx:a"]]
    assert edges["reasons"].iloc[0][0].startswith("shared phone")


def test_courier_number_beside_each_traders_own_phone_is_a_hub_and_joins_nobody():
    courier = "95338"
    rows = [(f"wx:t{i}", "phone", courier) for i in range(4)] + [(f"wx:t{i}", "phone", f"1380000000{i}")
                                                                   for i in range(4)]
    edges, hubs, _ = deterministic_links(_data(rows), LinkOptions())
    assert hubs[["kind", "key"]].values.tolist() == [["phone", courier]]
    assert "own contact" in hubs["reason"].iloc[0]
    assert sorted(hubs["accounts"].iloc[0]) == [f"wx:t{i}" for i in range(4)]
    assert edges.empty


def test_backup_accounts_sharing_a_wallet_are_not_a_hub():
    rows = [("wx:main", "payment_account", "wallet:w1"), ("wx:bak", "payment_account", "wallet:w1"),
            ("qq:third", "payment_account", "wallet:w1"), ("wx:main", "phone", "13800000001"),
            ("wx:bak", "phone", "13800000002"), ("qq:third", "phone", "13800000003")]
    edges, hubs, _ = deterministic_links(_data(rows), LinkOptions())
    assert hubs.empty
    assert len(edges) == 2


def test_identifier_shared_by_too_many_accounts_is_a_hub():
    ids = strong_identifiers(_ids([(f"wx:{i}", "messenger_id", "support") for i in range(5)]))
    assert find_hubs(ids, HubRules(max_accounts=4))["key"].tolist() == ["support"]
    assert find_hubs(ids, HubRules(max_accounts=5)).empty


def _picture(account: str, sha: str, bits: str, seen: str) -> dict:
    return {"account_id": account, "sha256": sha, "phash": bits, "dhash": bits, "whash": bits, "seen_id": seen}


def test_stock_photo_is_a_hub_and_a_reposted_own_photo_is_evidence_not_a_link():
    stock = "aaaaaaaaaaaaaaaa"
    seen = [_picture(f"wx:s{i}", "stock", stock, f"p{i}") for i in range(3)]
    seen += [_picture(f"wx:s{i}", f"own{i}", f"{i:x}" * 16, f"q{i}") for i in range(3)]
    seen += [_picture("wx:s0bak", "own0-reencoded", "0" * 15 + "1", "r")]  # 1 bit from s0's own photo
    data = LinkData(accounts=pd.DataFrame({"id": ["wx:s0", "wx:s1", "wx:s2", "wx:s0bak"]}), pictures=pd.DataFrame(seen))
    edges, hubs, ids = deterministic_links(data, LinkOptions())
    assert hubs["key"].tolist() == ["stock"]
    assert edges.empty  # a shared picture alone links nobody
    pictures, files = shared_pictures(ids, hubs)
    assert pictures["wx:s0"] == pictures["wx:s0bak"] == ["own0"]
    assert pictures["wx:s1"] == ["own1"]
    assert files["wx:s0"] == ["own0"] and files["wx:s0bak"] == ["own0-reencoded"]  # a near copy, not the same file


def test_look_alikes_do_not_chain_into_one_picture_group():
    """Each picture 4 bits from the next, so the first and the last are 12 bits apart: chained, they would be one."""
    steps = ["0000000000000000", "000000000000000f", "00000000000000ff", "0000000000000fff"]
    records = [{"sha256": f"s{i}", "phash": h, "dhash": h, "whash": h} for i, h in enumerate(steps)]
    rule = PictureRule(phash=8, dhash=8, whash=8)
    groups = picture_groups(pd.DataFrame(records), rule)
    assert groups["s0"] == groups["s1"] != groups["s3"]
    for a in records:  # every two pictures of a group are the same picture
        for b in records:
            if groups[a["sha256"]] == groups[b["sha256"]]:
                assert same_picture(a, b, rule)


def test_pictures_agreeing_on_one_hash_only_are_different_pictures():
    near = {"sha256": "a", "phash": "f0f0f0f0f0f0f0f0", "dhash": "0123456789abcdef", "whash": "ffff0000ffff0000"}
    copy = {"sha256": "b", "phash": "f0f0f0f0f0f0f0f3", "dhash": "0123456789abcdee", "whash": "ffff0000ffff0001"}
    alike = {**copy, "sha256": "c", "dhash": "fedcba9876543210"}  # the copy's pHash, another gradient
    assert same_picture(near, copy) and not same_picture(near, alike)
    assert same_picture(near, {**alike, "sha256": "a"})  # the same bytes are the same picture
    groups = picture_groups(pd.DataFrame([near, copy, alike]))
    assert groups["a"] == groups["b"] != groups["c"]


def test_a_handle_reused_across_messenger_apps_is_one_identifier() -> None:
    assert match_key("messenger_id", "wechat:Ivory_888") == match_key("messenger_id", "line:@ivory_888")
    assert match_key("messenger_id", "wechat:ivory_888") != match_key("messenger_id", "wechat:ivory_889")
