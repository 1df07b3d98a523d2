
import pandas as pd
import pytest

from tests.link.factories import edited_data_file
from wildtrace.link import analyse_network, build_network, load_role_rules
from wildtrace.link._identifiers import strong_identifiers


def _ids(rows):
    return strong_identifiers(pd.DataFrame([{"account_id": a, "kind": k, "value": v} for a, k, v in rows]))


CLUSTERS = {"wx:raw": "T_raw", "wx:carver": "T_carver", "qq:carver": "T_carver", "wx:shop": "T_shop",
            "wx:agent": "T_agent"}
IDS = _ids([("wx:raw", "payment_account", "wallet:raw"), ("wx:carver", "payment_account", "wallet:carver"),
            ("qq:carver", "phone", "13800000002"), ("wx:shop", "bank_card", "6222000011112222"),
            ("wx:agent", "payment_account", "wallet:agent"), ("wx:raw", "phone", "13800000001")])
PROFILES = {
    "T_raw": {"products": {"raw": 5}, "n_flagged": 5},
    "T_carver": {"products": {"worked_carved": 6}, "n_flagged": 6},
    "T_shop": {"products": {"worked_carved": 4}, "n_flagged": 4},
    "T_agent": {"products": {}, "n_flagged": 0},
}


def _tx(rows):
    return pd.DataFrame([{"id": str(i), "time": None, "payer": p, "payee": q, "amount": a}
                         for i, (p, q, a) in enumerate(rows)])


def _network():
    transactions = _tx([
        ("wallet:carver", "wallet:raw", 9_000.0),         # carver buys raw ivory
        ("wallet:buyer1", "wallet:agent", 50_000.0),      # a buyer pays the agent ...
        ("wallet:agent", "wallet:carver", 45_000.0),      # ... who passes most of it on
        ("wallet:buyer2", "bank:6222 0000 1111 2222", 3_000.0),
        ("wallet:buyer2", "wallet:carver", 2_000.0),
    ])
    shipments = pd.DataFrame([{"waybill": "w1", "sender_phone": "+86 13800000001", "receiver_phone": "13800000002",
                               "weight_g": 1200.0}])
    graph = build_network(IDS, CLUSTERS, transactions, shipments, PROFILES)
    return graph, analyse_network(graph, PROFILES).set_index("node")


def test_flows_resolve_to_traders_through_their_identifiers():
    graph, _ = _network()
    assert graph["T_carver"]["T_raw"]["money"] == 9_000.0
    assert graph["T_raw"]["T_carver"]["parcels"] == 1
    assert graph.nodes["pay:wallet:buyer1"]["party_role"] == "buyer"
    assert graph["pay:wallet:buyer2"]["T_shop"]["money"] == 3_000.0


def test_who_profits_most():
    _, table = _network()
    traders = table[table["kind"] == "trader"]
    assert traders.index[0] == "T_agent"  # received most
    assert traders.loc["T_carver", "money_received"] == 47_000.0
    assert all(isinstance(e, list) for e in traders["role_evidence"])


def _chain(carver_types=None, extra=()):
    """A chain as the domain describes it: the carver buys raw ivory, the wholesaler buys from the carver and
    collects from a shop, the raw trader and an agent; the agent passes on what the shop pays it within an hour.
    ``extra``: more (time, payer, payee, amount) payments."""
    names = ["raw", "carver", "whole", "shop", "agent", "quiet"]
    ids = _ids([(f"wx:{n}", "payment_account", f"wallet:{n}") for n in names])
    clusters = {f"wx:{n}": f"T_{n}" for n in names}
    profiles = {"T_raw": {"n_flagged": 5, "product_types": {"raw": 4, "semi_worked": 1}},
                "T_carver": {"n_flagged": 4, "product_types": carver_types or {"worked_uncarved": 4}},
                "T_whole": {"n_flagged": 6, "product_types": {"worked_carved": 3, "worked_uncarved": 3}},
                "T_shop": {"n_flagged": 3, "product_types": {"worked_carved": 3}},
                "T_agent": {"n_flagged": 2, "product_types": {"worked_carved": 2}},
                "T_quiet": {"n_flagged": 0}}
    rows = []
    for day in range(1, 4):
        t = f"2025-03-{day:02d}T10:00:00+08:00"
        rows += [(t, "carver", "raw", 20_000.0), (t, "whole", "carver", 30_000.0), (t, "shop", "whole", 5_000.0),
                 (t, "shop", "agent", 10_000.0), (f"2025-03-{day:02d}T11:00:00+08:00", "agent", "whole", 9_800.0)]
    rows += [("2025-03-05T10:00:00+08:00", "raw", "whole", 4_000.0), ("2025-03-06T10:00:00+08:00", "raw", "whole",
                                                                      4_000.0), *extra]
    transactions = pd.DataFrame([{"id": str(i), "time": t, "payer": f"wallet:{a}", "payee": f"wallet:{b}", "amount": x}
                                 for i, (t, a, b, x) in enumerate(rows)])
    graph = build_network(ids, clusters, transactions, pd.DataFrame(columns=["sender_phone", "receiver_phone",
                                                                               "weight_g"]), profiles)
    return analyse_network(graph, profiles).set_index("node")


def test_chain_roles_come_from_behaviour_with_reasons_and_confidence():
    table = _chain()
    assert table.loc["T_agent", "role"] == "agent"  # passes on what it receives, though it posts ads
    assert table.loc["T_whole", "role"] == "wholesaler"  # collects from three traders
    assert table.loc["T_raw", "role"] == "raw_trader"  # raw pieces
    assert table.loc["T_carver", "role"] == "processor"  # paid by the wholesaler, pays the raw trader
    assert table.loc["T_shop", "role"] == "retailer"
    assert table.loc["T_quiet", "role"] == "unknown" and table.loc["T_quiet", "role_confidence"] == 0.0
    for node in ("T_agent", "T_whole", "T_raw", "T_carver", "T_shop"):
        assert table.loc[node, "role_evidence"], node
        assert 0.0 < table.loc[node, "role_confidence"] <= 1.0


def test_a_carver_advertising_rough_pieces_is_a_processor_by_where_its_money_goes():
    table = _chain(carver_types={"semi_worked": 3, "worked_uncarved": 1})  # its ads alone read like a raw trader's
    assert table.loc["T_carver", "role"] == "processor"
    assert any("pays a raw trader 3 times" in r for r in table.loc["T_carver", "role_evidence"])
    assert table.loc["T_raw", "role"] == "raw_trader"  # paid by the carver, paid by no wholesaler


def test_a_shop_paid_now_and_then_by_a_wholesaler_it_pays_more_stays_a_retailer():
    # three payments from the wholesaler (a loan repaid, a friend's share: not pieces bought) against the 15,000 CNY
    # the shop pays it: money flows up the chain from the shop, so the shop is downstream, not a carver
    table = _chain(extra=[(f"2025-03-{day:02d}T18:00:00+08:00", "whole", "shop", 1_500.0) for day in range(10, 13)])
    assert table.loc["T_shop", "role"] == "retailer"
    assert table.loc["T_carver", "role"] == "processor"  # the wholesaler pays it 90,000, it pays the wholesaler nothing
    more = _chain(extra=[(f"2025-03-{day:02d}T18:00:00+08:00", "whole", "shop", 8_000.0) for day in range(10, 13)])
    assert more.loc["T_shop", "role"] == "processor"  # paid 24,000 for its pieces, more than the 15,000 it pays


def test_communities_follow_money_and_parcels_not_a_shared_number():
    """Two rings of three traders paying each other often; one payment and a shared courier number across."""
    names = ["a1", "a2", "a3", "b1", "b2", "b3"]
    ids = _ids([(f"wx:{n}", "payment_account", f"wallet:{n}") for n in names]
               + [(f"wx:{n}", "phone", "95338") for n in names])  # a courier's number all of them show
    clusters = {f"wx:{n}": f"T_{n}" for n in names}
    profiles = {f"T_{n}": {"n_flagged": 2} for n in names}
    rows = [(f"wallet:{g}{i}", f"wallet:{g}{i % 3 + 1}", 5_000.0) for g in "ab" for i in (1, 2, 3) for _ in range(3)]
    rows.append(("wallet:a1", "wallet:b1", 5_000.0))
    graph = build_network(ids, clusters, _tx(rows), pd.DataFrame(columns=["sender_phone", "receiver_phone",
                                                                           "weight_g"]), profiles)
    table = analyse_network(graph, profiles).set_index("node")
    a = {table.loc[f"T_a{i}", "community"] for i in (1, 2, 3)}
    b = {table.loc[f"T_b{i}", "community"] for i in (1, 2, 3)}
    assert len(a) == len(b) == 1 and a != b


def test_role_thresholds_are_validated(tmp_path):
    bad = edited_data_file(tmp_path, "roles.yaml",
                           lambda text: text.replace("forward_hours: 12", "forward_hours: soon"))
    with pytest.raises(ValueError, match="'forward_hours' must be a number"):
        load_role_rules(bad)
    bad = edited_data_file(tmp_path, "roles.yaml", lambda text: text + "\nagent_min_forward: 3\n")
    with pytest.raises(ValueError, match="unknown entries"):
        load_role_rules(bad)
    assert load_role_rules().forward_hours > 0


def test_identifier_two_traders_share_resolves_to_neither():
    ids = pd.concat([IDS, _ids([("wx:shop", "payment_account", "wallet:raw")])])
    graph = build_network(ids, CLUSTERS, _tx([("wallet:x", "wallet:raw", 10.0)]), pd.DataFrame(
        columns=["sender_phone", "receiver_phone", "weight_g"]))
    assert graph.has_edge("pay:wallet:x", "pay:wallet:raw")
    assert graph.in_degree("T_raw") == 0


def test_a_payment_account_never_posted_belongs_to_the_trader_its_kyc_phone_names():
    kyc = pd.DataFrame([{"payment_account": "wallet:hidden", "holder_phone": "+86 138 0000 0001"},
                        {"payment_account": "wallet:mule", "holder_phone": "13999999999"},  # a stand-in's phone
                        {"payment_account": "wallet:carver", "holder_phone": "13800000001"}])  # posted: posts win
    graph = build_network(IDS, CLUSTERS, _tx([("wallet:buyer1", "wallet:hidden", 800.0),
                                              ("wallet:buyer1", "wallet:mule", 70.0),
                                              ("wallet:buyer2", "wallet:carver", 5.0)]),
                          pd.DataFrame(columns=["sender_phone", "receiver_phone", "weight_g"]), kyc=kyc)
    table = analyse_network(graph).set_index("node")
    assert table.loc["T_raw", "money_received"] == 800.0
    assert {"kind": "payment_account", "account": "hidden", "via": "the KYC holder's phone is its own"} in \
        graph.graph["payment_accounts"]["T_raw"]
    assert graph.has_edge("pay:wallet:buyer1", "pay:wallet:mule")
    assert graph["pay:wallet:buyer2"]["T_carver"]["money"] == 5.0


def test_a_seizure_is_a_node_leading_to_the_traders_its_phones_waybill_and_names_show():
    accounts = pd.DataFrame({"id": list(CLUSTERS), "display_name": ["Raw Old", "雕刻坊", "雕刻坊", "Shop", "Agent"]})
    shipments = pd.DataFrame([{"waybill": "SF1", "sender_phone": "13800000002", "receiver_phone": "13999999999",
                               "weight_g": 300.0}])
    seizures = pd.DataFrame([
        {"id": "z1", "date": "2025-03-10", "waybill": "SF1", "phones": [], "names": ["nobody"]},  # the carver's parcel
        {"id": "z2", "date": "2025-03-11", "waybill": None, "phones": ["+86 13800000001"], "names": ["雕刻坊"]},
        {"id": "z3", "date": "2025-03-12", "waybill": "XX", "phones": ["13700000000"], "names": []},  # leads nowhere
    ])
    graph = build_network(IDS, CLUSTERS, _tx([]), shipments, PROFILES, seizures=seizures, accounts=accounts)
    assert graph.nodes["seizure:z1"]["kind"] == "seizure"
    assert list(graph.successors("seizure:z1")) == ["T_carver"]
    assert "sender phone 13800000002 of waybill SF1" in graph["seizure:z1"]["T_carver"]["via"]
    assert sorted(graph.successors("seizure:z2")) == ["T_carver", "T_raw"]  # its phone and the name on it
    assert graph["seizure:z2"]["T_carver"]["via"] == "name 雕刻坊"
    assert "seizure:z3" not in graph
    table = analyse_network(graph, PROFILES).set_index("node")
    assert table.loc["seizure:z1", "role"] == "seizure" and table.loc["seizure:z1", "money_received"] == 0.0


def test_a_payment_account_is_the_trader_whose_parcels_follow_the_payments_into_it():
    """Buyers (known to the KYC by their phones) pay wallet:hidden; each time the carver's phone ships to them within
    hours. wallet:once gets one such sale only, wallet:mixed is followed by two traders' parcels alike."""
    kyc = pd.DataFrame([{"payment_account": f"wallet:buyer{i}", "holder_phone": f"1370000000{i}"} for i in range(4)])
    tx = pd.DataFrame([{"id": str(i), "time": f"2025-03-{day:02d}T10:00:00+08:00", "payer": payer, "payee": payee,
                        "amount": amount} for i, (day, payer, payee, amount) in enumerate([
        (1, "wallet:buyer1", "wallet:hidden", 900.0), (5, "wallet:buyer2", "wallet:hidden", 700.0),
        (6, "wallet:buyer3", "wallet:once", 50.0), (7, "wallet:buyer1", "wallet:mixed", 10.0),
        (9, "wallet:buyer2", "wallet:mixed", 10.0)])])
    shipments = pd.DataFrame([
        {"waybill": "a", "time": "2025-03-01T20:00:00+08:00", "sender_phone": "13800000002",
         "receiver_phone": "13700000001", "weight_g": 100.0},
        {"waybill": "b", "time": "2025-03-06T09:00:00+08:00", "sender_phone": "13800000002",
         "receiver_phone": "13700000002", "weight_g": 100.0},
        {"waybill": "c", "time": "2025-03-06T12:00:00+08:00", "sender_phone": "13800000002",
         "receiver_phone": "13700000003", "weight_g": 100.0},
        {"waybill": "d", "time": "2025-03-07T12:00:00+08:00", "sender_phone": "13800000002",
         "receiver_phone": "13700000001", "weight_g": 100.0},
        {"waybill": "e", "time": "2025-03-09T12:00:00+08:00", "sender_phone": "13800000001",
         "receiver_phone": "13700000002", "weight_g": 100.0},
    ])
    graph = build_network(IDS, CLUSTERS, tx, shipments, PROFILES, kyc=kyc)
    assert graph["pay:wallet:buyer1"]["T_carver"]["money"] == 900.0  # wallet:hidden is the carver's
    assert graph["pay:wallet:buyer2"]["T_carver"]["money"] == 700.0
    assert "pay:wallet:once" in graph and "pay:wallet:mixed" in graph  # one sale, or two traders: stays a party
    held = {a["account"]: a["via"] for a in graph.graph["payment_accounts"]["T_carver"]}
    assert held == {"hidden": "its parcels follow the payments into it", "carver": "shown on its accounts"}
