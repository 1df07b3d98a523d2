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

import numpy as np
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


MEMBER_KIND = {"phone": "waybill"}
"""What a pattern's other members are, by what its subject is: a phone's patterns are made of its parcels
(``phone_many_names``: its waybills under other names); an account's of accounts."""


def pattern_members(hits: pd.DataFrame, member_share: float = 1.0, member_patterns: int = 2) -> pd.DataFrame:
    """One row per member of a pattern hit (other than its subject; ``HIT_COLUMNS``, the member as
    ``subject``): it inherits ``member_share`` of the pattern's score for its members (``member_score``,
    judged by how common membership of such patterns is in the ledger; else the hit's score), with the
    pattern as the reason.
    Only a member's ``member_patterns`` strongest patterns of each typology count: a shop whose customers
    show in many small blocks is not many times a launderer."""
    columns = [*hits.columns, "member"]
    if "members" not in hits or hits.empty:
        return pd.DataFrame(columns=columns)
    members = hits["members"].map(lambda m: list(dict.fromkeys(m)) if isinstance(m, list) else [])
    size = hits["members"].map(lambda m: len(m) if isinstance(m, list) else 0)
    base = hits["member_score"] if "member_score" in hits else hits["score"]
    base = base.where(base.notna(), hits["score"]).astype(float)
    out = hits.assign(_m=members, _size=size, _base=base).explode("_m")  # hit order, then member order
    out = out[out["_m"].notna() & (out["_m"] != out["subject"])]
    if out.empty:
        return pd.DataFrame(columns=columns)
    kind = out["subject_kind"].map(lambda k: MEMBER_KIND.get(k, k))
    out = out.assign(
        reason=[f"member of the {t} pattern of {s} ({n} members): {r}"
                for t, s, n, r in zip(out["typology"], out["subject"], out["_size"], out["reason"], strict=True)],
        subject=out["_m"], subject_kind=kind, score=[round(member_share * b, 4) for b in out["_base"]],
        exposure=False, member=True)
    out = out[columns].reset_index(drop=True)
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
    hits = _with_members(hits, member_share, member_patterns)
    out = _components(hits).join(_network_by_subject(network), how="outer")
    out["keep"] = out["keep"].fillna(1.0)
    out["member_keep"] = out["member_keep"].fillna(1.0)
    out["exposure"] = out["exposure"].fillna(0.0)
    lists = _reasons_by_subject(hits)
    none: tuple[Any, list[str], list[list[str]], list[str]] = (None, [], [], [])
    got = [lists.get(s, none) for s in out.index]
    kinds = [g[0] or _kind_of(s) for g, s in zip(got, out.index, strict=True)]
    reasons = [g[1] + [f"network: {p}"] if isinstance(p, str) and p else list(g[1])
               for g, p in zip(got, out["path"], strict=True)]
    typ, exposed, total = _scores(out, exposure_cap)
    scored = pd.DataFrame({"subject": out.index, "subject_kind": kinds, "score": _round4(total),
                           "typology_score": _round4(typ), "network_score": _round4(exposed), "reasons": reasons,
                           "evidence": _evidence([g[2] for g in got]), "typologies": [list(g[3]) for g in got]})
    return scored.sort_values(["score", "subject"], ascending=[False, True], ignore_index=True)[cols]


def _with_members(hits: pd.DataFrame, member_share: float, member_patterns: int) -> pd.DataFrame:
    """The hits and, after them, a row per member of each pattern hit (:func:`pattern_members`); the hits
    alone when no hit is a pattern with members."""
    members = pattern_members(hits, member_share, member_patterns)
    return pd.concat([hits, members], ignore_index=True) if not members.empty else hits


def _components(hits: pd.DataFrame) -> pd.DataFrame:
    """Per subject: ``keep``, the product of ``1 - score`` over its own hits (what the typologies leave),
    ``member_keep``, the same over the patterns it is a member of, and ``exposure``, the best of its
    exposure hits."""
    member = hits["member"].eq(True) if "member" in hits else pd.Series(False, index=hits.index)
    exposure = exposure_flags(hits)
    keep = 1.0 - hits["score"].astype(float)
    one = pd.Series(1.0, index=hits.index)
    return pd.DataFrame({
        "subject": hits["subject"], "keep": keep.where(~exposure & ~member, one),
        "member_keep": keep.where(~exposure & member, one),
        "exposure": hits["score"].astype(float).where(exposure, 0.0)}).groupby("subject", sort=False).agg(
        keep=("keep", "prod"), member_keep=("member_keep", "prod"), exposure=("exposure", "max"))


def _network_by_subject(network: pd.DataFrame) -> pd.DataFrame:
    """``network_score`` and ``path`` indexed by subject (empty, with those columns, when nothing flowed)."""
    if network.empty:
        return pd.DataFrame(columns=["network_score", "path"], index=pd.Index([], name="subject"))
    return network.set_index("subject")[["network_score", "path"]]


def _reasons_by_subject(hits: pd.DataFrame) -> dict[str, tuple[str, list[str], list[list[str]], list[str]]]:
    """Per subject, in hit order: its kind, its reasons (``typology: reason``), evidence lists and typologies."""
    lists: dict[str, tuple[str, list[str], list[list[str]], list[str]]] = {}
    said = hits["typology"] + ": " + hits["reason"].astype(str)
    for subject, kind, typology, reason, evidence in zip(hits["subject"], hits["subject_kind"], hits["typology"],
                                                         said, hits["evidence"], strict=True):
        entry = lists.get(subject)
        if entry is None:
            entry = lists[subject] = (kind, [], [], [])
        entry[1].append(reason)
        entry[2].append(evidence)
        entry[3].append(typology)
    return lists


def _scores(out: pd.DataFrame, exposure_cap: float) -> tuple[pd.Series, pd.Series, pd.Series]:
    """The typology component, the exposure (the best of network risk and exposure hits, with the
    memberships' noisy-or, at most ``exposure_cap``) and the total, their noisy-or."""
    typ = 1.0 - out["keep"]
    flagged = np.maximum(out["network_score"].astype(float).fillna(0.0), out["exposure"])
    exposed = np.minimum(exposure_cap, 1.0 - (1.0 - flagged) * out["member_keep"])
    return typ, exposed, 1.0 - (1.0 - typ) * (1.0 - exposed)


def _round4(values: pd.Series) -> list[float]:
    return [round(v, 4) for v in values.tolist()]  # Python's rounding of Python floats, as scores always were


def _evidence(per_subject: list[list[list[str]]]) -> list[list[str]]:
    """Each subject's evidence lists joined, every item once in first-seen order. A pattern's members share
    its evidence list (the same object), which is made unique once."""
    unique: dict[int, list[str]] = {}
    out = []
    for lists in per_subject:
        if len(lists) == 1:
            key = id(lists[0])
            if key not in unique:
                unique[key] = list(dict.fromkeys(lists[0]))
            out.append(list(unique[key]))
        else:
            out.append(list(dict.fromkeys(x for e in lists for x in e)))
    return out


def _kind_of(subject: str) -> str:
    return "phone" if subject.startswith("phone:") else "account"
