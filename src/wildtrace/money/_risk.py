"""Account risk: typology hits combined with risk that flows through the money and parcel graph.

The graph joins payment accounts (payments between them), phones (a payment account's KYC phone, the two
ends of a waybill) and the subjects of hits. Every hit on what a subject did seeds it with its score; risk
then flows to neighbours, multiplied at each hop by ``decay`` and by the strength of the tie (``1 - exp(-n /
saturation)`` for ``n`` payments or parcels; 1 for a KYC phone). A subject's network risk is the best such
product over all paths of at least one hop from a seed other than itself: a max-product path, found as a
shortest path (Dijkstra on ``-log`` weights, keeping the best paths from two different seeds per node),
so each score comes with the path that explains it. Hubs (more than ``hub_degree`` counterparties: shops,
exchanges, couriers' depots) receive risk but do not pass it on. Only the neighbourhood within
``max_hops`` of a seed is found (hop by hop in DuckDB) and loaded, which keeps this cheap in time and
memory on large data.

The total is a noisy-or of two capped components: the typologies (noisy-or of the subject's own hits,
each at most its typology's weight) and the exposure (the best of the network risk and the exposure
hits, such as payments with a flagged seller, at most ``exposure_cap``).
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from wildtrace.money._frame import Frame
from wildtrace.money._registry import exposure_flags


@dataclass(frozen=True)
class RiskParams:
    decay: float = 0.5
    saturation: float = 2.0
    max_hops: int = 3
    hub_degree: int = 50
    min_risk: float = 0.02
    min_seed: float = 0.4
    exposure_cap: float = 0.5
    member_share: float = 1.0  # what a pattern's member inherits of the pattern's score for its members
    member_patterns: int = 2  # how many patterns of one typology a member inherits from, strongest first


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
    edges = frame.df("SELECT * FROM mx_edges ORDER BY u, v, kind, n, total")  # ties settle the same every run
    for table in ("mx_near", "mx_frontier", "mx_hop", "mx_edges"):
        con.execute(f"DROP TABLE {table}")
    return edges


def _tie(n: float, kind: str, p: RiskParams) -> float:
    return 1.0 if kind == "KYC phone" else 1.0 - math.exp(-n / p.saturation)


def propagate(frame: Frame, seeds: pd.DataFrame, params: RiskParams | None = None) -> pd.DataFrame:
    """Network risk of every subject reached from ``seeds`` (columns ``subject``, ``score``).

    A subject's network risk comes from seeds other than itself: a path that leaves a seed and comes back
    to it (through its own KYC phone, or to a counterparty and back) carries the seed's own evidence, which
    its typology score holds already, so it is not counted again as exposure.

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
    adjacency: dict[str, list[tuple[str, float, Tie]]] = {}
    for u, v, n, total, kind in edges.itertuples(index=False):
        adjacency.setdefault(u, []).append((v, -math.log(p.decay * _tie(n, kind, p)), (int(n), float(total), kind)))
    start = {s: min(1.0, float(score)) for s, score in seeds.itertuples(index=False)}
    labels, settled = _best_two_origins(adjacency, start, -math.log(p.min_risk))
    rows = []
    for node, mine in settled.items():
        best = next((i for i in mine if labels[i][2] != node), None)  # the best path from another seed
        if best is not None:
            rows.append((node, round(math.exp(-labels[best][0]), 4), _explain(labels, best, start)))
    return pd.DataFrame(rows, columns=out_cols)


Tie = tuple[int, float, str]
Label = tuple[float, str, str, int, Tie | None]  # cost, node, origin seed, previous label (-1: none), tie used


def _best_two_origins(adjacency: dict[str, list[tuple[str, float, Tie]]], seeds: dict[str, float],
                      cutoff: float) -> tuple[list[Label], dict[str, list[int]]]:
    """Dijkstra from all seeds at once (cost ``-log`` risk) that settles each node at most twice, from two
    different origin seeds: the best path to a node from any seed but itself is then among its labels
    (if both of a neighbour's labels came from the node itself they would be one). Returns the labels
    and, per node, the indices of its settled labels, best first."""
    labels: list[Label] = []
    settled: dict[str, list[int]] = {}
    heap: list[tuple[float, int]] = []
    for seed, score in seeds.items():
        labels.append((-math.log(score), seed, seed, -1, None))
        heapq.heappush(heap, (labels[-1][0], len(labels) - 1))
    while heap:
        cost, i = heapq.heappop(heap)
        _, node, origin, _, _ = labels[i]
        mine = settled.setdefault(node, [])
        if len(mine) >= 2 or any(labels[j][2] == origin for j in mine):
            continue
        mine.append(i)
        for nbr, step, tie in adjacency.get(node, ()):
            if nbr == origin or cost + step > cutoff:
                continue
            other = settled.get(nbr, ())
            if len(other) >= 2 or any(labels[j][2] == origin for j in other):
                continue
            labels.append((cost + step, nbr, origin, i, tie))
            heapq.heappush(heap, (cost + step, len(labels) - 1))
    return labels, settled


def _explain(labels: list[Label], i: int, seeds: dict[str, float]) -> str:
    chain = []
    while i >= 0:
        chain.append(labels[i])
        i = labels[i][3]
    chain.reverse()
    origin = chain[0][1]
    steps = []
    for _, node, _, _, tie in chain[1:]:
        assert tie is not None
        n, total, kind = tie
        what = (f"{n} payments, {total:.2f}" if kind == "payments"
                else "KYC phone" if kind == "KYC phone" else f"{n} parcels")
        steps.append(f"-> {node} ({what})")
    return f"{len(steps)} hop(s) from {origin} (risk {seeds[origin]:.2f}): {origin} " + " ".join(steps)


def pattern_members(hits: pd.DataFrame, member_share: float = 1.0, member_patterns: int = 2) -> pd.DataFrame:
    """One row per member of a pattern hit (other than its subject; ``HIT_COLUMNS``, the member as
    ``subject``): it inherits ``member_share`` of the pattern's score for its members (``member_score``,
    judged by how common membership of such patterns is in the ledger; else the hit's score), with the
    pattern as the reason.
    Only a member's ``member_patterns`` strongest patterns of each typology count: a shop whose customers
    show in many small blocks is not many times a launderer."""
    if "members" not in hits:
        return pd.DataFrame(columns=[*hits.columns, "member"])
    rows = []
    for h in hits.itertuples(index=False):
        members = h.members if isinstance(h.members, list) else []
        base = getattr(h, "member_score", None)
        base = float(h.score) if base is None or pd.isna(base) else float(base)
        for m in dict.fromkeys(members):
            if m != h.subject:
                rows.append({**h._asdict(), "subject": m, "score": round(member_share * base, 4),
                             "reason": f"member of the {h.typology} pattern of {h.subject} "
                                       f"({len(members)} accounts): {h.reason}", "exposure": False, "member": True})
    out = pd.DataFrame(rows, columns=[*hits.columns, "member"])
    if out.empty:
        return out
    out = out.sort_values(["subject", "typology", "score"], ascending=[True, True, False])
    return out.groupby(["subject", "typology"], sort=False).head(member_patterns).reset_index(drop=True)


def combine(hits: pd.DataFrame, network: pd.DataFrame, exposure_cap: float = 0.5,
            member_share: float = 1.0, member_patterns: int = 2) -> pd.DataFrame:
    """Per subject, with every reason: the typology score (noisy-or of the hits on what the subject itself
    did), the exposure (``network_score``: what it is associated with, at most ``exposure_cap``: the best
    of its network risk and its exposure hits, such as payments with a flagged seller, with the noisy-or
    of the patterns it is a member of, at ``member_share`` of their score for members, its
    ``member_patterns`` strongest of each typology) and the total, their noisy-or.

    Network risk and exposure hits both say the same thing, that the subject deals with someone flagged,
    so they are one component (the best of them), not two; a pattern's member is associated with what the
    pattern's subject did in the same way. The component is capped, so that association alone, however
    strong, does not reach the alert threshold: an alert needs something the subject did."""
    cols = ["subject", "subject_kind", "score", "typology_score", "network_score", "reasons", "evidence", "typologies"]
    if hits.empty and network.empty:
        return pd.DataFrame(columns=cols)
    if not hits.empty:
        hits = pd.concat([hits, pattern_members(hits, member_share, member_patterns)], ignore_index=True)
    member = hits["member"].eq(True) if "member" in hits else pd.Series(False, index=hits.index)
    by: dict[str, dict[str, Any]] = {}
    for h, exposure, of_pattern in zip(hits.itertuples(index=False), exposure_flags(hits), member, strict=True):
        entry = by.setdefault(h.subject, _entry(h.subject_kind))
        if exposure:
            entry["exposure"] = max(entry["exposure"], float(h.score))
        elif of_pattern:
            entry["member_keep"] *= 1.0 - float(h.score)
        else:
            entry["keep"] *= 1.0 - float(h.score)
        entry["reasons"].append(f"{h.typology}: {h.reason}")
        entry["evidence"].extend(h.evidence)
        entry["typologies"].append(h.typology)
    net = {r.subject: (float(r.network_score), r.path) for r in network.itertuples(index=False)}
    rows = []
    for subject in set(by) | set(net):
        entry = by.get(subject) or _entry(_kind_of(subject))
        typ = 1.0 - entry["keep"]
        n_score, path = net.get(subject, (0.0, None))
        flagged = max(n_score, entry["exposure"])
        exposure = min(exposure_cap, 1.0 - (1.0 - flagged) * entry["member_keep"])
        reasons = list(entry["reasons"]) + ([f"network: {path}"] if path else [])
        total = 1.0 - (1.0 - typ) * (1.0 - exposure)
        rows.append((subject, entry["kind"], round(total, 4), round(typ, 4), round(exposure, 4), reasons,
                     list(dict.fromkeys(entry["evidence"])), entry["typologies"]))
    return pd.DataFrame(rows, columns=cols).sort_values(["score", "subject"], ascending=[False, True],
                                                         ignore_index=True)


def _entry(kind: str) -> dict[str, Any]:
    return {"kind": kind, "keep": 1.0, "member_keep": 1.0, "exposure": 0.0, "reasons": [], "evidence": [],
            "typologies": []}


def _kind_of(subject: str) -> str:
    return "phone" if subject.startswith("phone:") else "account"
