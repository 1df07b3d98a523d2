"""Account risk: typology hits combined with risk that flows through the money and parcel graph.

The graph joins payment accounts (payments between them), phones (a payment account's KYC phone, the two
ends of a waybill) and the subjects of hits. Every hit seeds its subject with its score; risk then flows
to neighbours, multiplied at each hop by ``decay`` and by the strength of the tie (``1 - exp(-n /
saturation)`` for ``n`` payments or parcels; 1 for a KYC phone). A subject's network risk is the best such
product over all paths of at least one hop: a max-product path, found as a shortest path (networkx
Dijkstra on ``-log`` weights), so each score comes with the path that explains it. Hubs (more than
``hub_degree`` counterparties: shops, exchanges, couriers' depots) receive risk but do not pass it on.
Only the neighbourhood within ``max_hops`` of a seed is found (hop by hop in DuckDB) and loaded, which
keeps this cheap in time and memory on large data.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import networkx as nx
import pandas as pd

from wildtrace.money._frame import Frame

SEED = "__seed__"


@dataclass(frozen=True)
class RiskParams:
    decay: float = 0.5
    saturation: float = 2.0
    max_hops: int = 3
    hub_degree: int = 50
    min_risk: float = 0.02
    min_seed: float = 0.4


def _ties_sql(hub_degree: int) -> str:
    """Undirected weighted ties ``u -> v`` of the nodes in ``mx_frontier``, for those ``u`` with at most
    ``hub_degree`` counterparties. Only payments touching the frontier are aggregated, so each hop costs
    one scan of ``mx_tx`` and memory in proportion to the neighbourhood, not to the whole graph."""
    return f"""
    WITH pay AS (
        SELECT least(payer, payee) AS a, greatest(payer, payee) AS b, count(*) AS n, sum(amount) AS total,
               'payments' AS kind FROM mx_tx
        WHERE payer <> payee AND (payer IN (SELECT node FROM mx_frontier) OR payee IN (SELECT node FROM mx_frontier))
        GROUP BY ALL),
    ties AS (
        SELECT a, b, n, total, kind FROM pay
        UNION ALL
        SELECT payment_account, 'phone:' || holder_phone, 1000, 0, 'KYC phone' FROM mx_kyc
        WHERE holder_phone IS NOT NULL
        UNION ALL
        SELECT least(sp, rp), greatest(sp, rp), count(*), 0, 'parcels' FROM (
            SELECT 'phone:' || sender_phone AS sp, 'phone:' || receiver_phone AS rp FROM mx_shp
            WHERE sender_phone IS NOT NULL AND receiver_phone IS NOT NULL AND sender_phone <> receiver_phone)
        GROUP BY ALL),
    both_ways AS (SELECT a AS u, b AS v, n, total, kind FROM ties UNION ALL SELECT b, a, n, total, kind FROM ties),
    mine AS (SELECT * FROM both_ways WHERE u IN (SELECT node FROM mx_frontier)),
    degree AS (SELECT u, count(DISTINCT v) AS d FROM mine GROUP BY u)
    SELECT mine.* FROM mine JOIN degree USING (u) WHERE d <= {hub_degree}"""


def _edges(frame: Frame, max_hops: int, hub_degree: int) -> pd.DataFrame:
    """Ties (``u``, ``v``, ``n``, ``total``, ``kind``) of every non-hub within ``max_hops`` of the seeds in
    ``mx_seeds``, found breadth first in DuckDB: hubs are reached but not expanded."""
    con = frame.con
    con.execute("CREATE OR REPLACE TEMP TABLE mx_near AS SELECT DISTINCT subject AS node FROM mx_seeds")
    con.execute("CREATE OR REPLACE TEMP TABLE mx_frontier AS SELECT node FROM mx_near")
    con.execute("CREATE OR REPLACE TEMP TABLE mx_edges (u VARCHAR, v VARCHAR, n BIGINT, total DOUBLE, kind VARCHAR)")
    for hop in range(max_hops + 1):
        con.execute(f"CREATE OR REPLACE TEMP TABLE mx_hop AS {_ties_sql(hub_degree)}")
        con.execute("INSERT INTO mx_edges SELECT u, v, n, total, kind FROM mx_hop")
        if hop == max_hops:
            break
        con.execute("CREATE OR REPLACE TEMP TABLE mx_frontier AS SELECT DISTINCT v AS node FROM mx_hop "
                    "WHERE v NOT IN (SELECT node FROM mx_near)")
        if frame.scalar("SELECT count(*) FROM mx_frontier") == 0:
            break
        con.execute("INSERT INTO mx_near SELECT node FROM mx_frontier")
    edges = frame.df("SELECT * FROM mx_edges")
    for table in ("mx_near", "mx_frontier", "mx_hop", "mx_edges"):
        con.execute(f"DROP TABLE {table}")
    return edges


def _tie(n: float, kind: str, p: RiskParams) -> float:
    return 1.0 if kind == "KYC phone" else 1.0 - math.exp(-n / p.saturation)


def propagate(frame: Frame, seeds: pd.DataFrame, params: RiskParams | None = None) -> pd.DataFrame:
    """Network risk of every subject reached from ``seeds`` (columns ``subject``, ``score``).

    Returns ``subject``, ``network_score`` and ``path`` (a readable explanation)."""
    p = params or RiskParams()
    out_cols = ["subject", "network_score", "path"]
    seeds = seeds[seeds["score"] > 0].groupby("subject", as_index=False)["score"].max()
    if seeds.empty:
        return pd.DataFrame(columns=out_cols)
    frame.con.register("_mx_seed_df", seeds)
    frame.con.execute("CREATE OR REPLACE TEMP TABLE mx_seeds AS SELECT subject, score FROM _mx_seed_df")
    frame.con.unregister("_mx_seed_df")
    edges = _edges(frame, p.max_hops, p.hub_degree)
    graph = nx.DiGraph()
    for u, v, n, total, kind in edges.itertuples(index=False):
        graph.add_edge(u, v, cost=-math.log(p.decay * _tie(n, kind, p)), n=int(n), total=float(total), kind=kind)
    for subject, score in seeds.itertuples(index=False):
        if subject not in graph:
            continue
        copy = ("seed", subject)
        graph.add_edge(SEED, copy, cost=-math.log(min(1.0, score)))
        for nbr, data in list(graph.succ[subject].items()):
            graph.add_edge(copy, nbr, **data)
    if SEED not in graph:
        return pd.DataFrame(columns=out_cols)
    cutoff = -math.log(p.min_risk)
    dist, paths = nx.single_source_dijkstra(graph, SEED, cutoff=cutoff, weight="cost")
    rows = []
    for node, d in dist.items():
        if node == SEED or isinstance(node, tuple):
            continue
        path = paths[node]
        rows.append((node, round(math.exp(-d), 4), _explain(graph, path, seeds)))
    return pd.DataFrame(rows, columns=out_cols)


def _explain(graph: nx.DiGraph, path: list, seeds: pd.DataFrame) -> str:
    origin = path[1][1]
    score = float(seeds.loc[seeds["subject"] == origin, "score"].iloc[0])
    steps = []
    for a, b in itertools.pairwise(path[1:]):
        data = graph.edges[a, b]
        what = (f"{data['n']} payments, {data['total']:.2f}" if data["kind"] == "payments"
                else "KYC phone" if data["kind"] == "KYC phone" else f"{data['n']} parcels")
        steps.append(f"-> {b} ({what})")
    hops = len(path) - 2
    return f"{hops} hop(s) from {origin} (risk {score:.2f}): {origin} " + " ".join(steps)


def combine(hits: pd.DataFrame, network: pd.DataFrame) -> pd.DataFrame:
    """Per subject: typology score (noisy-or of its hits), network score and total, with reasons."""
    cols = ["subject", "subject_kind", "score", "typology_score", "network_score", "reasons", "evidence", "typologies"]
    if hits.empty and network.empty:
        return pd.DataFrame(columns=cols)
    by: dict[str, dict[str, Any]] = {}
    for h in hits.itertuples(index=False):
        entry = by.setdefault(h.subject, {"kind": h.subject_kind, "keep": 1.0, "reasons": [], "evidence": [],
                                          "typologies": []})
        entry["keep"] *= 1.0 - float(h.score)
        entry["reasons"].append(f"{h.typology}: {h.reason}")
        entry["evidence"].extend(h.evidence)
        entry["typologies"].append(h.typology)
    net = {r.subject: (float(r.network_score), r.path) for r in network.itertuples(index=False)}
    rows = []
    for subject in set(by) | set(net):
        entry = by.get(subject, {"kind": _kind_of(subject), "keep": 1.0, "reasons": [], "evidence": [],
                                 "typologies": []})
        typ = 1.0 - entry["keep"]
        n_score, path = net.get(subject, (0.0, None))
        reasons = list(entry["reasons"]) + ([f"network: {path}"] if path else [])
        total = 1.0 - (1.0 - typ) * (1.0 - n_score)
        rows.append((subject, entry["kind"], round(total, 4), round(typ, 4), round(n_score, 4), reasons,
                     list(dict.fromkeys(entry["evidence"])), entry["typologies"]))
    return pd.DataFrame(rows, columns=cols).sort_values(["score", "subject"], ascending=[False, True],
                                                         ignore_index=True)


def _kind_of(subject: str) -> str:
    return "phone" if subject.startswith("phone:") else "account"
