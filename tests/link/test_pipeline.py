import json
from datetime import timedelta

import pytest

from tests.link.factories import T0, account, ident, posts
from wildtrace.link import LinkOptions, explain_link, list_hubs, list_traders, load_profile, run_link, stored_clusters

IVORY = ["象牙手镯 精品 老料 价格私聊", "象牙 吊坠 包邮", "牙雕 摆件 诚信", "象牙 手串 晚上联系"]


@pytest.fixture
def world(store):
    """Two traders linked by a phone and a backup account; a courier number every trader posts; a loner."""
    blocked = T0 + timedelta(days=10)
    store.put([
        account("wx:ivoryking", "象牙王", status="blocked", blocked_at=blocked, first_seen=T0),
        account("wx:ivoryking_bak", "象牙王备用", first_seen=blocked + timedelta(days=3)),
        account("qq:90001", "玉石坊", location="福州"),
        account("wx:jadehouse", "玉石坊", location="福州"),
        account("wx:loner", "茶叶店", location="昆明"),
    ])
    store.put([
        ident("wx:ivoryking", "phone", "13800138000"), ident("wx:ivoryking_bak", "phone", "+86 138 0013 8000"),
        ident("qq:90001", "qq", "90001"), ident("wx:jadehouse", "qq", "90001"),
        ident("wx:jadehouse", "phone", "13912345678"),
        ident("wx:loner", "phone", "13700000000"),
    ])
    store.put([ident(a, "phone", "95338") for a in ("wx:ivoryking", "wx:jadehouse", "wx:loner")])
    store.put(posts("wx:ivoryking", IVORY, hours=[22, 23], ppg=30.0))
    store.put(posts("wx:ivoryking_bak", IVORY[:2], start=blocked + timedelta(days=4), hours=[23], ppg=28.0))
    store.put(posts("wx:jadehouse", ["和田玉 翡翠 收藏", "象牙 犀角 老货", "玉 手镯"], hours=[10], species=["ivory"]))
    store.put(posts("wx:loner", ["普洱茶 新茶上市", "红茶 包邮"], hours=[9], tier="none"))
    return store


def test_run_links_backups_and_keeps_the_courier_number_as_a_hub(world):
    summary = run_link(world, LinkOptions(probabilistic=False))
    clusters = stored_clusters(world)
    assert clusters["wx:ivoryking"] == clusters["wx:ivoryking_bak"]
    assert clusters["qq:90001"] == clusters["wx:jadehouse"]
    assert len({clusters["wx:ivoryking"], clusters["wx:jadehouse"], clusters["wx:loner"]}) == 3
    assert summary["traders"] == 3 and summary["hubs"] == 1
    assert [h["value"] for h in list_hubs(world)] == ["95338"]


def test_backup_account_is_marked_with_the_block_it_followed(world):
    run_link(world, LinkOptions(probabilistic=False))
    profile = load_profile(world, "wx:ivoryking_bak")
    by_id = {a["account_id"]: a for a in profile["accounts"]}
    assert by_id["wx:ivoryking_bak"]["is_backup"] and by_id["wx:ivoryking_bak"]["after_block_of"] == "wx:ivoryking"
    assert not by_id["wx:ivoryking"]["is_backup"]
    assert profile["status"] == "returned after block"
    assert profile["night_share"] == 1.0 and profile["category"] == "A"
    assert profile["price_per_gram"]["n"] == 6


def test_category_reflects_product_mix(world):
    run_link(world, LinkOptions(probabilistic=False))
    assert load_profile(world, "wx:jadehouse")["category"] == "B"
    assert load_profile(world, "wx:loner")["category"] is None
    assert {t["category"] for t in list_traders(world)} == {"A", "B", None}
    assert [t["category"] for t in list_traders(world, "b")] == ["B"]  # the case a user types
    with pytest.raises(ValueError, match="use A, B, C or D"):
        list_traders(world, "Z")  # was an empty list, as if there were no such traders


def test_every_accepted_link_has_its_reason(world):
    run_link(world)
    rows = world.query("SELECT * FROM link_edges WHERE accepted")
    assert rows
    for row in rows:
        assert json.loads(row["reasons"]), row
    why = explain_link(world, "wx:ivoryking", "wx:ivoryking_bak")
    assert why["same_trader"] and why["path"]
    assert any("phone" in reason for step in why["path"] for reason in step["reasons"] if isinstance(reason, str))


def test_why_strangers_names_the_hub_that_was_not_used(world):
    run_link(world, LinkOptions(probabilistic=False))
    why = explain_link(world, "wx:ivoryking", "wx:loner")
    assert not why["same_trader"] and not why["path"]
    assert [h["value"] for h in why["hubs_not_used"]] == ["95338"]
    with pytest.raises(ValueError, match="not linked"):
        explain_link(world, "wx:ivoryking", "wx:nobody")


def test_a_seizure_reaches_the_trader_profile_and_the_network_view(world):
    from wildtrace.model import Seizure, Shipment
    from wildtrace.service import network

    world.put([Shipment(waybill="SF100", sender_phone="13912345678", receiver_phone="13600000000"),
               Seizure(id="z1", date="2026-05-20", agency="海关缉私局", species=["ivory"], quantity_kg=0.4,
                       waybill="SF100", phones=[], names=[])])
    summary = run_link(world, LinkOptions(probabilistic=False))
    assert summary["traders_with_seizures"] == 1
    profile = load_profile(world, "wx:jadehouse")
    assert [z["id"] for z in profile["seizures"]] == ["z1"]
    assert profile["seizures"][0]["via"] == ["sender phone 13912345678 of waybill SF100"]
    assert load_profile(world, "wx:ivoryking")["seizures"] == []
    view = network(world, f"trader:{profile['trader_id']}", depth=2)
    assert any(n["id"] == "seizure:z1" and n["kind"] == "seizure" for n in view["nodes"])
    assert any(e["target"] == "parcel:SF100" and e["kind"] == "seizure" for e in view["edges"])
