import pandas as pd

from wildtrace.link import analyse_network, build_network
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


def test_who_profits_most_and_chain_roles():
    _, table = _network()
    traders = table[table["kind"] == "trader"]
    assert traders.index[0] == "T_agent"  # received most
    assert traders.loc["T_carver", "money_received"] == 47_000.0
    assert traders.loc["T_agent", "role"] == "agent"
    assert traders.loc["T_raw", "role"] == "raw_trader"
    assert traders.loc["T_carver", "role"] == "processor"
    assert traders.loc["T_shop", "role"] == "retailer"
    assert all(isinstance(e, list) for e in traders["role_evidence"])


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
    assert graph.has_edge("pay:wallet:buyer1", "pay:wallet:mule")
    assert graph["pay:wallet:buyer2"]["T_carver"]["money"] == 5.0
