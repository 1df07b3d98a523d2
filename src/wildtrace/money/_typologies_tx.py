"""Payment typologies for wildlife trade: collection, layering and settlement patterns, as SQL over ``mx_tx``.

Windows are tumbling buckets on two grids offset by half a window, so a burst that straddles a bucket
edge is still seen whole in one of them; this keeps every detector a GROUP BY that scales linearly.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from wildtrace.money._frame import pay_key_sql
from wildtrace.money._profile import Given, Quantile, Span, Window
from wildtrace.money._registry import COMMON, typology
from wildtrace.money._thresholds import thresholds_values


def _grid(relation: str, window: Window) -> str:
    """``relation`` twice, with ``g`` (grid 0 or 1) and ``b`` (bucket number from the ledger's start) added."""
    w, o = window.seconds, window.origin
    return (f"(SELECT *, 0 AS g, (t - {o}) // {w} AS b FROM {relation} UNION ALL "
            f"SELECT *, 1 AS g, (t - {o} + {w // 2}) // {w} AS b FROM {relation})")


def _duration_sql(expr: str, window: Window) -> str:
    """SQL printing a duration ``expr`` (seconds) in the unit the window is read in."""
    return f"printf('%.3g {window.unit}', ({expr}) / {window.unit_seconds})"



def _shared(sql: str) -> tuple[str, str]:
    """A temp table holding ``sql``, made once per frame and shared by every typology that asks for the same
    relation (one pass over the windowed payments feeds several detectors): its name, and the statement
    that makes it if it is not there yet (prefixed to the typology's query). :func:`run_typologies
    <wildtrace.money._registry.run_typologies>` drops it after the last typology that names it."""
    name = "mx_s_" + hashlib.sha1(sql.encode()).hexdigest()[:12]
    return name, f"CREATE TEMP TABLE IF NOT EXISTS {name} AS {sql};\n"


@dataclass(frozen=True)
class _OneOff:
    """The shared relations of the pattern typologies, for one set of parameters. Accounts are numbered in
    the order of their names (``names``, the frame's ``mx_accounts``: ``i`` -> ``name``), so joins and groups
    run on integers and ordering by number is ordering by name. ``once`` holds each payment of a relationship
    that happens at most ``max_pair_payments`` times in the ledger once: ``id``, ``t``, ``amount``, ``payer``
    and ``payee`` (numbers), and its bucket ``b0``/``b1`` on the two window grids. ``cells`` (per account number
    ``a``, grid ``g``, bucket ``b`` and direction ``dir``, 1 in / -1 out: ``n`` distinct counterparties, ``k``
    the ledger's large count in that direction, ``kb`` the ledger's large count of the smaller side of the
    windows with payments both in and out, and ``steady``, a large count that is the account's everyday rate)
    holds the windows of at least two counterparties (no reader looks at smaller ones); ``sums`` the
    ``total``, ``first_t`` and ``last_t`` of the windows where a pattern can be, those of ``k`` or ``kb`` or
    more (same keys). ``setup`` makes what is missing."""

    once: str
    names: str
    cells: str
    sums: str
    setup: str

    def payments(self, windows: str) -> str:
        """SQL: the payments in ``once`` of the (``a``, ``g``, ``b``, ``dir``) windows of relation ``windows``
        (a few hits), as ``a``, ``cp`` (the counterparty), ``id``, ``t``: joined on the account, then the bucket."""
        return " UNION ALL ".join(
            f"SELECT h.a, o.{cp} AS cp, o.id, o.t FROM {windows} h JOIN {self.once} o ON o.{a} = h.a "
            f"WHERE h.dir = {d} AND h.b = CASE h.g WHEN 0 THEN o.b0 ELSE o.b1 END"
            for a, cp, d in _ENDS)

    def grids(self) -> str:
        """SQL: ``once`` on both grids (``g``, ``b``)."""
        return (f"(SELECT id, t, payer, payee, amount, 0 AS g, b0 AS b FROM {self.once} UNION ALL "
                f"SELECT id, t, payer, payee, amount, 1 AS g, b1 AS b FROM {self.once})")


_ENDS = (("payee", "payer", 1), ("payer", "payee", -1))
"""Both ends of a payment: the account, its counterparty and the direction (1 in, -1 out)."""


def _one_off(window: Window, span: Window, max_pair_payments: int, min_counterparties: int, quantile: float,
             burst_ratio: float, *minimums: int) -> _OneOff:
    """Laundering moves money through new ties while everyday payments recur, so patterns are looked for
    in the payments of pairs that deal once, counted per account and window in one pass that every
    pattern typology reads. A cell is large when its count reaches ``k``, the ledger's own ``quantile``
    of such counts (at least ``min_counterparties``): judged against the ledger, not a fixed number. A
    large cell under ``burst_ratio`` times the account's own rate (its ledger-wide count spread evenly over
    the span) is ``steady``: a shop's customers, an employer's payroll. Windows are counted first and only
    those of two counterparties or more are kept (most hold one; fewer where ``min_counterparties`` or the
    reader's own ``minimums`` go lower), totalled where a pattern can be."""
    w, o = window.seconds, window.origin
    floor = min(2, int(min_counterparties), *map(int, minimums))
    names = "mx_accounts"
    # a relationship of one payment is one group of one row: it is its own payment (no join back)
    pairs = ("SELECT payer, payee, any_value(id) AS id, any_value(t) AS t, any_value(amount) AS amount FROM x "
             "GROUP BY ALL HAVING count(*) = 1" if max_pair_payments <= 1 else
             f"SELECT * FROM x SEMI JOIN (SELECT payer, payee FROM x GROUP BY ALL "
             f"HAVING count(*) <= {int(max_pair_payments)}) USING (payer, payee)")
    once, make_once = _shared(f"""
        WITH x AS (SELECT x.id, x.t, x.amount, p.i AS payer, q.i AS payee FROM mx_tx x
                   JOIN {names} p ON p.name = x.payer JOIN {names} q ON q.name = x.payee)
        SELECT id, t, amount, payer, payee, (t - {o}) // {w} AS b0, (t - {o} + {w // 2}) // {w} AS b1
        FROM ({pairs}) WHERE t IS NOT NULL AND payer <> payee""")
    grids = ((0, "b0"), (1, "b1"))
    # a relationship of one payment has one counterparty per payment: counting rows counts counterparties
    n = "count(*)" if max_pair_payments <= 1 else "count(DISTINCT {cp})"
    # one count-only GROUP BY per grid and direction: small hash tables, no union of both ends
    counts = " UNION ALL ".join(f"SELECT {a} AS a, {g} AS g, {b} AS b, {d} AS dir, {n.format(cp=cp)} AS n "
                                f"FROM {once} GROUP BY {a}, {b}" for g, b in grids for a, cp, d in _ENDS)
    # the ledger-wide count of an account matters only where one of its windows is large
    deg = " UNION ALL ".join(f"SELECT {a} AS a, {d} AS dir, {n.format(cp=cp)} AS all_n FROM {once} "
                             f"WHERE {a} IN (SELECT a FROM large WHERE dir = {d}) GROUP BY {a}" for a, cp, d in _ENDS)
    cells, make_cells = _shared(f"""
        WITH c AS MATERIALIZED ({counts}),
        top AS (SELECT dir, greatest({int(min_counterparties)}, quantile_disc(n, {quantile})) AS k FROM c GROUP BY dir),
        inout AS (SELECT quantile_disc(least(i.n, o.n), {quantile}) AS kb FROM c i
                  JOIN c o ON o.a = i.a AND o.g = i.g AND o.b = i.b AND o.dir = -1 WHERE i.dir = 1),
        ck AS MATERIALIZED (SELECT c.*, top.k, inout.kb FROM c JOIN top USING (dir), inout WHERE n >= {int(floor)}),
        large AS (SELECT DISTINCT a, dir FROM ck WHERE n >= k)
        SELECT a, CAST(g AS TINYINT) AS g, b, CAST(dir AS TINYINT) AS dir, CAST(n AS INTEGER) AS n, CAST(k AS INTEGER)
               AS k, CAST(kb AS INTEGER) AS kb, n >= k AND n < {burst_ratio} * (all_n * {w / max(1, span.seconds)})
               AS steady
        FROM ck LEFT JOIN ({deg}) USING (a, dir)""")
    # a window's total and times only where a pattern can be: windows of k, or kb, or more counterparties
    sums, make_sums = _shared(f"WITH need AS (SELECT a, g, b, dir FROM {cells} WHERE n >= least(k, coalesce(kb, k)))\n"
                              + " UNION ALL ".join(
        f"SELECT o.{a} AS a, CAST({g} AS TINYINT) AS g, o.{b} AS b, CAST({d} AS TINYINT) AS dir, "
        f"fsum(o.amount) AS total, min(o.t) AS first_t, max(o.t) AS last_t FROM {once} o SEMI JOIN need "
        f"ON need.a = o.{a} AND need.g = {g} AND need.b = o.{b} AND need.dir = {d} GROUP BY o.{a}, o.{b}"
        for g, b in grids for a, _, d in _ENDS))
    # the shared tables need no row order (every reader orders what it lists): DuckDB builds them in less memory
    return _OneOff(once, names, cells, sums, "SET preserve_insertion_order = false;\n" + make_once + make_cells
                   + make_sums + "RESET preserve_insertion_order;\n")


def _crowded(r: _OneOff) -> str:
    """SQL: the (``a``, ``g``, ``b``) windows in which an account is a steady crowd (a shop's everyday
    customers, an employer's payroll). Block patterns are not built through them: everyone shares them."""
    return f"(SELECT DISTINCT a, g, b FROM {r.cells} WHERE steady)"


def _strength(n: str, k: str) -> str:
    """SQL: the strength of a pattern of size ``n`` against the ledger's large size ``k``: ``(n / 2k)^2``, 0.25 at
    ``k``, 1 at twice it. Every ledger has its own top 1%, so a pattern just at it is what chance gives any
    ledger (a small random one too); what counts is how far past it the pattern goes."""
    return f"power(least(1.0, ({n}) / (2.0 * ({k}))), 2)"


def _burst(direction: int, r: _OneOff, window: Window, verb: str) -> str:
    return r.setup + f"""
    WITH best AS (SELECT *, row_number() OVER (PARTITION BY a ORDER BY n DESC, total DESC, g, b) AS rk
                  FROM {r.cells} JOIN {r.sums} USING (a, g, b, dir) WHERE dir = {direction} AND n >= k AND NOT steady),
    hit AS (SELECT * FROM best WHERE rk = 1),
    ev AS (SELECT e.a, list(e.id ORDER BY e.t, e.id) AS evidence,
                  list(DISTINCT m.name ORDER BY m.name) AS cps
           FROM ({r.payments('hit')}) e JOIN {r.names} m ON m.i = e.cp GROUP BY e.a)
    SELECT s.name AS subject, {_strength('n', 'k')} AS strength,
           printf('%d distinct counterparties {verb} once each within {window.text} (total %.2f; the ledger''s '
                  || 'large count is %d)', n, total, k) AS reason,
           evidence, list_prepend(s.name, cps) AS members
    FROM hit JOIN ev ON ev.a = hit.a JOIN {r.names} s ON s.i = hit.a"""


PATTERN_WEIGHT = 0.35
"""Weight of the relational pattern typologies: leads judged against the ledger, under the alert threshold
alone; with exposure (0.5) a pattern alerts from about 1.6 times the ledger's large size (0.35 x 0.65 > 0.2;
docs/money.md)."""
_PATTERN: dict[str, Any] = {"window": Span(1 / 8), "span": Span(1.0), "max_pair_payments": 1, "min_counterparties": 3,
            "quantile": 0.99, "burst_ratio": 1.5}
"""Defaults shared by the pattern typologies, so they share one pass (:func:`_one_off`)."""


@typology("fan_in", "account", PATTERN_WEIGHT, pattern=True, **_PATTERN)
def fan_in(window: Window, span: Window, max_pair_payments: int, min_counterparties: int, quantile: float,
           burst_ratio: float) -> str:
    """Many distinct payers who each pay one account once (a relationship of at most
    ``max_pair_payments`` payments) within the window: at least ``min_counterparties`` and as many as the
    ledger's large windows (its ``quantile`` of payers per account and window), and a burst of
    ``burst_ratio`` times the account's own rate (a shop's many customers come every window alike). A
    collector gathering proceeds; the pattern is the account and its payers."""
    r = _one_off(window, span, max_pair_payments, min_counterparties, quantile, burst_ratio)
    return _burst(1, r, window, "paid in")


@typology("fan_out", "account", PATTERN_WEIGHT, pattern=True, **_PATTERN)
def fan_out(window: Window, span: Window, max_pair_payments: int, min_counterparties: int, quantile: float,
            burst_ratio: float) -> str:
    """The same outwards: one account paying many distinct payees once each within the window, as many as
    the ledger's large windows and a burst against its own rate (paying suppliers, poachers or couriers;
    splitting proceeds; payroll recurs and is not counted)."""
    r = _one_off(window, span, max_pair_payments, min_counterparties, quantile, burst_ratio)
    return _burst(-1, r, window, "paid out to")


@typology("gather_scatter", "account", PATTERN_WEIGHT, pattern=True, min_in=2, min_out=2, min_kept=0.5, **_PATTERN)
def gather_scatter(min_in: int, min_out: int, min_kept: float, window: Window, span: Window, max_pair_payments: int,
                   min_counterparties: int, quantile: float, burst_ratio: float) -> str:
    """Fan-in followed by fan-out through the same account in one window, over relationships that happen
    once: at least ``min_in`` payers in and ``min_out`` payees out, the smaller side as large as the
    ledger's windows with both (its ``quantile``), the last payment out after the first in (a collection
    point that redistributes). Steady crowds (a shop)
    are not subjects."""
    r = _one_off(window, span, max_pair_payments, min_counterparties, quantile, burst_ratio, min_in, min_out)
    return r.setup + f"""
    WITH j AS (SELECT i.a AS subject, i.g, i.b, i.n AS n_in, o.n AS n_out, i.steady OR o.steady AS steady
               FROM {r.cells} i JOIN {r.cells} o ON o.a = i.a AND o.g = i.g AND o.b = i.b AND o.dir = -1
               WHERE i.dir = 1),
    thr AS (SELECT greatest({min(int(min_in), int(min_out))}, max(kb)) AS k FROM {r.cells}),
    big AS (SELECT j.*, thr.k FROM j, thr WHERE n_in >= {int(min_in)} AND n_out >= {int(min_out)}
              AND least(n_in, n_out) >= thr.k AND NOT steady),
    best AS (SELECT big.*, row_number() OVER (PARTITION BY subject ORDER BY n_in + n_out DESC, big.g, big.b) AS rk
             FROM big JOIN {r.sums} i ON i.a = big.subject AND i.g = big.g AND i.b = big.b AND i.dir = 1
             JOIN {r.sums} o ON o.a = big.subject AND o.g = big.g AND o.b = big.b AND o.dir = -1
             WHERE o.last_t > i.first_t AND o.total BETWEEN {min_kept} * i.total AND i.total / {min_kept}),
    hit AS (SELECT * FROM best WHERE rk = 1),
    ends AS (SELECT subject AS a, g, b, dir FROM hit, (VALUES (1), (-1)) d(dir)),
    ev AS (SELECT e.a AS subject, list(e.id ORDER BY e.t, e.id) AS evidence,
                  list(DISTINCT m.name ORDER BY m.name) AS cps
           FROM ({r.payments('ends')}) e JOIN {r.names} m ON m.i = e.cp GROUP BY e.a)
    SELECT s.name AS subject, {_strength('least(n_in, n_out)', 'k')} AS strength,
           printf('%d payers in, then %d payees out, each once, within {window.text}', n_in, n_out) AS reason,
           evidence, list_prepend(s.name, cps) AS members
    FROM hit JOIN ev USING (subject) JOIN {r.names} s ON s.i = hit.subject"""


@typology("scatter_gather", "account", PATTERN_WEIGHT, pattern=True, min_intermediaries=3, min_ratio=0.0, min_kept=0.5,
          **_PATTERN)
def scatter_gather(min_intermediaries: int, min_ratio: float, min_kept: float, window: Window, span: Window,
                   max_pair_payments: int, min_counterparties: int, quantile: float, burst_ratio: float) -> str:
    """One source pays several intermediaries who each pay on to the same destination within the window,
    over relationships that happen once (layering through mules), the destination getting
    ``min_kept``..1/``min_kept`` of what the source sent them (the money goes through; wages spent at a
    shop do not); with ``min_ratio`` > 0 each intermediary must also pass on that share of what it got. The
    pattern (source, intermediaries, destination) is one hit on the source; the destination is a member (of
    several, the one reached through the most intermediaries, then passed the most money). No intermediary
    nor destination is a steady crowd in that window (a shop whose customers include the source's payees is
    not where layered money gathers)."""
    w = window.seconds
    k = int(min_intermediaries)
    r = _one_off(window, span, max_pair_payments, min_counterparties, quantile, burst_ratio, min_intermediaries)
    # over one-off ties each (source, intermediary, destination) is one row: counting rows counts intermediaries
    mids = "count(*)" if max_pair_payments <= 1 else "count(DISTINCT a.payee)"
    # the pairs of the source's payments and the intermediaries' onward ones: counted first, listed for candidates.
    # An onward payment within the window (one bucket of grid 0 long) falls in the first one's bucket or the
    # next: the source's payments are joined on both (``nb``), so the join compares only those pairs
    on = (f"b.payer = a.payee AND b.b0 = a.nb AND b.t >= a.t AND b.t <= a.t + {w} AND b.payee <> a.payer "
          f"AND b.amount >= {min_ratio} * a.amount")
    return r.setup + f"""
    WITH crowd AS {_crowded(r)},
    e AS (SELECT o.id, o.t, o.payer, o.payee, o.amount, o.b0 FROM {r.once} o
          ANTI JOIN crowd c ON c.a = o.payee AND c.g = 0 AND c.b = o.b0),
    src AS (SELECT DISTINCT a AS payer FROM {r.cells} WHERE dir = -1 AND n >= {k}),
    a AS (SELECT e.*, e.b0 + u AS nb FROM e, (VALUES (0), (1)) v(u) WHERE payer IN (SELECT payer FROM src)),
    cand AS (SELECT a.payer AS s, b.payee AS d FROM a JOIN e b ON {on} GROUP BY ALL HAVING {mids} >= {k}),
    p0 AS (SELECT a.payer AS s, a.payee AS m, b.payee AS d, a.id AS id1, b.id AS id2, b.amount AS amount, a.t,
                  a.amount AS a_amount
           FROM (SELECT * FROM a WHERE payer IN (SELECT s FROM cand)) a
           JOIN (SELECT * FROM e WHERE payee IN (SELECT d FROM cand)) b ON {on}),
    p AS (SELECT p0.*, nm.name AS mid,
                 CASE WHEN row_number() OVER (PARTITION BY s, d, id1 ORDER BY id2) = 1 THEN a_amount END AS sent
          FROM p0 SEMI JOIN cand USING (s, d) JOIN {r.names} nm ON nm.i = p0.m),
    grp AS (SELECT s, d, count(DISTINCT m) AS n, fsum(amount) AS total, list(DISTINCT mid ORDER BY mid) AS mids,
                   (list(id1 ORDER BY t, id1) || list(id2 ORDER BY t, id2)) AS ev
            FROM p GROUP BY s, d
            HAVING count(DISTINCT m) >= {k} AND sum(amount) BETWEEN {min_kept} * sum(sent) AND sum(sent) / {min_kept}),
    best AS (SELECT *, row_number() OVER (PARTITION BY s ORDER BY n DESC, total DESC, d) AS rk FROM grp)
    SELECT ns.name AS subject, {_strength('n', str(k))} AS strength,
           printf('scattered to %d intermediaries who passed %.2f on to %s within {window.text}', n, total, nd.name)
             AS reason,
           ev AS evidence, list_prepend(ns.name, list_append(mids, nd.name)) AS members
    FROM best JOIN {r.names} ns ON ns.i = best.s JOIN {r.names} nd ON nd.i = best.d WHERE rk = 1"""


@typology("bipartite", "account", PATTERN_WEIGHT, pattern=True, min_payers=2, min_payees=2, **_PATTERN)
def bipartite(min_payers: int, min_payees: int, window: Window, span: Window, max_pair_payments: int,
              min_counterparties: int, quantile: float, burst_ratio: float) -> str:
    """Several payers who each pay the same set of payees once within the window (a block of new
    relationships between two groups: layering between mule sets; stacked layers show as blocks whose
    payees pay on). At least ``min_payers`` payers sharing ``min_payees`` payees; accounts that are a
    steady crowd in the window (shops, employers) are left out, since everyone shares them.

    A block is read from the data, not from the accounts' names: its payees are what two payers of the
    window both paid, its payers everyone who paid all of those (so a block is found whoever is in it). Every
    payer of a block is a subject of it (as every account on a cycle is); one in several blocks is told its
    largest (then the one that moved the most money, the earliest); the payees are members.
    """
    r = _one_off(window, span, max_pair_payments, min_counterparties, quantile, burst_ratio, min_payers, min_payees)
    return r.setup + f"""
    WITH crowd AS {_crowded(r)},
    payers AS (SELECT a, g, b FROM {r.cells} ANTI JOIN crowd USING (a, g, b) WHERE dir = -1 AND n >= {int(min_payees)}),
    payees AS (SELECT a, g, b FROM {r.cells} ANTI JOIN crowd USING (a, g, b) WHERE dir = 1 AND n >= {int(min_payers)}),
    ok0 AS (SELECT o.* FROM {r.grids()} o
            SEMI JOIN payers p ON p.a = o.payer AND p.g = o.g AND p.b = o.b
            SEMI JOIN payees q ON q.a = o.payee AND q.g = o.g AND q.b = o.b),
    ok AS (SELECT * FROM ok0  -- what cannot be in a block here (too few payees left, or one payer) changes nothing
           WHERE (payer, g, b) IN (SELECT payer, g, b FROM ok0 GROUP BY ALL HAVING count(*) >= {int(min_payees)})
             AND (payee, g, b) IN (SELECT payee, g, b FROM ok0 GROUP BY ALL HAVING count(*) >= 2)),
    -- what each pair of payers both paid (numbers ordered only to take a pair once): the payees of a block
    pp AS NOT MATERIALIZED (SELECT x.payer AS p1, y.payer AS p2, x.g, x.b, x.payee
           FROM ok x JOIN ok y ON x.payee = y.payee AND x.g = y.g AND x.b = y.b AND x.payer < y.payer),
    cand AS (SELECT p1, p2, g, b FROM pp GROUP BY ALL HAVING count(*) >= {int(min_payees)}),
    sets AS (SELECT DISTINCT g, b, payees FROM (
               SELECT g, b, list(DISTINCT payee ORDER BY payee) AS payees FROM pp SEMI JOIN cand USING (p1, p2, g, b)
               GROUP BY p1, p2, g, b HAVING count(DISTINCT payee) >= {int(min_payees)})),
    sid AS (SELECT row_number() OVER () AS s, g, b, payees FROM sets),
    inset AS MATERIALIZED (SELECT u.s, u.m, o.payer, o.payee, o.id, o.t, o.amount
             FROM (SELECT s, g, b, len(payees) AS m, unnest(payees) AS payee FROM sid) u JOIN ok o USING (g, b, payee)),
    member AS (SELECT i.s, i.payer, n.name, fsum(i.amount) AS total, min(i.t) AS first_t
               FROM inset i JOIN {r.names} n ON n.i = i.payer GROUP BY i.s, i.m, i.payer, n.name
               HAVING count(DISTINCT i.payee) = i.m),
    blk AS (SELECT s, count(*) AS np, fsum(total) AS total, min(first_t) AS first_t FROM member GROUP BY s
            HAVING count(*) >= {int(min_payers)}),
    best AS (SELECT m.payer AS subject, blk.*, sid.g, sid.b, sid.payees, row_number() OVER (PARTITION BY m.payer
                    ORDER BY np * len(payees) DESC, blk.total DESC, blk.first_t, g, b, payees) AS rk
             FROM member m JOIN blk USING (s) JOIN sid USING (s)),
    hit AS (SELECT * FROM best WHERE rk = 1),
    ev AS (SELECT i.s, list(i.id ORDER BY i.t, i.id) AS evidence FROM inset i SEMI JOIN hit USING (s)
           SEMI JOIN member m ON m.s = i.s AND m.payer = i.payer GROUP BY i.s),
    pn AS (SELECT h.subject, list(m.name ORDER BY m.name) FILTER (WHERE m.payer <> h.subject) AS others
           FROM member m JOIN hit h USING (s) GROUP BY h.subject),
    qn AS (SELECT s, list(n.name ORDER BY n.name) AS payee_names
           FROM (SELECT DISTINCT s, unnest(payees) AS payee FROM hit) h JOIN {r.names} n ON n.i = h.payee GROUP BY s)
    SELECT n.name AS subject, {_strength('np * len(payees)', str(int(min_payers) * int(min_payees)))} AS strength,
           printf('%d payers each paid the same %d payees once within {window.text}', np, len(payees)) AS reason,
           evidence, list_prepend(n.name, others) || payee_names AS members
    FROM hit JOIN ev USING (s) JOIN pn USING (subject) JOIN qn USING (s) JOIN {r.names} n ON n.i = hit.subject"""


def _cycles_sql(lengths: range, w: int, min_ratio: float, ordered: bool, min_amount: float) -> str:
    """CTEs ``p1``..``pL`` of money paths through distinct owners (``n0``.. payers, ``i0``.. payment ids), each
    path extended by one hop from the one before, so paths shared by cycles of several lengths are joined once;
    and ``c``, the cycles (``nodes``, ``ids``, ``amount``; ``total`` and ``times``, the sums of their hops'
    amounts and times) of ``lengths``. A cycle starts at its origin, its
    earliest payment (then the largest, then the smallest id), and every later hop is within the window after it:
    each cycle is found once, from a start its times and amounts choose (the order of the owners' names did
    before, so a renaming of the accounts changed which cycles were found)."""
    top = max(lengths)
    ctes = [f"p1 AS (SELECT payer AS n0, id AS i0, amount AS a0, t AS t0, t AS tl, amount AS al, payee AS last, "
            f"amount AS sa, t AS st FROM hop WHERE amount >= {min_amount})"]
    after = "(e.t > p.t0 OR (e.t = p.t0 AND (e.amount < p.a0 OR (e.amount = p.a0 AND e.id > p.i0))))"
    for k in range(2, top + 1):
        when = f"e.t >= p.tl AND e.t <= p.t0 + {w}" if ordered else f"e.t <= p.t0 + {w}"
        keep = ", ".join([f"p.n{j}" for j in range(k - 1)] + [f"p.i{j}" for j in range(k - 1)])
        new = " AND ".join(f"e.payer <> p.n{j}" for j in range(k - 1))
        hint = "MATERIALIZED " if k < top and k in lengths else ""  # read by its cycles and the next length
        ctes.append(f"p{k} AS {hint}(SELECT {keep}, e.payer AS n{k - 1}, e.id AS i{k - 1}, p.a0, p.t0, e.t AS tl, "
                    f"p.sa + e.amount AS sa, p.st + e.t AS st, "
                    f"e.amount AS al, e.payee AS last FROM p{k - 1} p JOIN hop e ON e.payer = p.last AND {when} "
                    f"AND e.amount BETWEEN {min_ratio} * p.al AND 1.05 * p.al WHERE {after} AND {new})")
    cycles = " UNION ALL ".join(
        f"SELECT [{', '.join(f'n{j}' for j in range(k))}] AS nodes, [{', '.join(f'i{j}' for j in range(k))}] AS ids, "
        f"a0 AS amount, sa AS total, st AS times FROM p{k} WHERE last = n0" for k in lengths)
    return ",\n    ".join(ctes) + f",\n    c AS ({cycles})"


@typology("cycle", "account", 0.5, pattern=True, min_length=3, max_length=4, window=Span(1 / 16), min_ratio=0.7,
          ordered=False, min_amount=Quantile(2 / 3))
def cycle(min_length: int, max_length: int, window: Window, min_ratio: float, ordered: bool,
          min_amount: float) -> str:
    """``min_amount`` or more that comes back to where it started through ``min_length``..``max_length``
    accounts within the window, each hop keeping at least ``min_ratio`` of the amount (round-tripping).
    With ``ordered`` each hop must also follow the one before in time (ledgers that book late or settle
    in batches break that order, so it is off by default). Two-hop returns are refunds: cycles start at 3.

    Judged against the ledger's amounts: where most payments are of one size, amounts chain by chance.
    ``q``, the share of the ledger's payments (from the cycle's floor) within one hop's band of a payment
    (``min_ratio``..1.05 of it, averaged over the payments a cycle can start with), is the chance that a
    payment keeps a cycle going; a cycle of ``L`` owners needs ``L - 1`` such hops. Its strength is scaled by
    the information of that chance against what is common (``COMMON``): ``min(1, (L-1) ln q / ln COMMON)``."""
    w = window.seconds
    floor = min_amount * max(0.0, min(1.0, min_ratio)) ** (max_length - 1)  # no hop of a cycle carries less
    cycles = _cycles_sql(range(max(2, min_length), max_length + 1), w, min_ratio, ordered, min_amount)
    return f"""
    WITH hop AS (SELECT id, t, amount, payer, payee FROM mx_txo WHERE amount >= {floor}),
    qs AS (SELECT unnest(quantile_cont(amount, {[i / 100 for i in range(101)]})) AS v FROM hop),
    chance AS (SELECT greatest(1e-9, avg((SELECT count(*) FROM qs b WHERE b.v BETWEEN {min_ratio} * a.v
                                                                            AND 1.05 * a.v) / 101.0)) AS q
               FROM qs a WHERE a.v >= {min_amount}),
    {cycles},
    cid AS (SELECT row_number() OVER () AS cyc, nodes, ids, amount, (len(nodes), amount, total, times, ids) AS rank
            FROM c),
    e AS (SELECT cyc, unnest(ids) AS id FROM cid),
    s AS (SELECT DISTINCT x.payer_account AS subject, e.cyc FROM e JOIN mx_txo x USING (id)
          UNION SELECT DISTINCT x.payee_account, e.cyc FROM e JOIN mx_txo x USING (id)),
    agg AS (SELECT s.subject, count(*) AS n, max(len(cid.nodes)) AS owners,  -- its longest, largest cycle told,
            -- ties by what its payments moved and when (row numbers as ids would follow the file's row order)
                   arg_max(cid.amount, cid.rank) AS amount, arg_max(cid.nodes, cid.rank) AS nodes,
                   flatten(list(cid.ids ORDER BY cid.rank DESC)) AS evidence
            FROM s JOIN cid USING (cyc) GROUP BY s.subject)
    SELECT subject, least(1.0, 0.7 + 0.1 * n) * least(1.0, (owners - 1) * ln(q) / ln({COMMON})) AS strength,
           printf('%d cycle(s) of %d owners returning %.2f within {window.text}: %s (amounts chain by chance '
                  || 'at %.2f a hop in this ledger)', n, owners, amount, array_to_string(nodes, ' -> '), q) AS reason,
           evidence, array_to_string(nodes, ' ') AS pattern
    FROM agg, chance"""


@typology("pass_through", "account", 0.4, window=Span(1 / 120), min_ratio=0.9, max_ratio=1.0, min_pairs=2,
          min_amount=Quantile(2 / 3), min_share=0.0)
def pass_through(window: Window, min_ratio: float, max_ratio: float, min_pairs: int, min_amount: float,
                 min_share: float) -> str:
    """Money out soon after money in: a payment of ``min_amount`` or more into an account followed within
    the window by a payment out to someone else for ``min_ratio``..``max_ratio`` of it, at least
    ``min_pairs`` times and for at least ``min_share`` of everything the account received (a mule or a
    transit account). In on one account and out of another of the same KYC holder counts."""
    w = window.seconds
    return f"""
    WITH i AS (SELECT * FROM mx_txo WHERE t IS NOT NULL AND amount >= {min_amount}),
    p AS (SELECT i.payee_account AS subject, i.id AS in_id, o.id AS out_id, i.t AS in_t, o.t AS out_t,
                 i.amount AS a_in, o.t - i.t AS dt,
                 row_number() OVER (PARTITION BY i.id ORDER BY o.t, o.id) AS k
          FROM i JOIN mx_txo o ON o.payer = i.payee AND o.t >= i.t AND o.t <= i.t + {w}
          WHERE o.payee <> i.payer AND o.amount BETWEEN {min_ratio} * i.amount AND {max_ratio} * i.amount),
    ok AS (SELECT * FROM p WHERE k = 1),
    inflow AS (SELECT payee AS subject, sum(amount) AS total FROM mx_tx WHERE payee IN (SELECT subject FROM ok)
               GROUP BY payee)
    SELECT ok.subject, 0.5 + 0.5 * least(1.0, (count(*) - {min_pairs}) / {min_pairs}.0) AS strength,
           printf('%d payments passed on within {window.text} (%.2f of %.2f received, median delay %s)', count(*),
                  sum(a_in), inflow.total, {_duration_sql('median(dt)', window)}) AS reason,
           (list(in_id ORDER BY in_t, in_id) || list(out_id ORDER BY out_t, out_id)) AS evidence
    FROM ok JOIN inflow USING (subject)
    GROUP BY ok.subject, inflow.total
    HAVING count(*) >= {min_pairs} AND sum(a_in) >= {min_share} * inflow.total"""


@typology("structuring", "account", 0.5, requires=("currency",), margin=0.1, min_count=3, window=Span(1 / 16),
          thresholds=Given("thresholds"), currency=Given("currency"))
def structuring(margin: float, min_count: int, window: Window, thresholds: dict | None, currency: str) -> str:
    """Several payments just under a reporting threshold (within ``margin`` below it) by or to one account
    within the window, together over the threshold (splitting to stay under it). Only where the currency
    is known (the data's, or the deployment profile's ``currency`` for payments that give none):
    thresholds per currency come from ``money/data/thresholds.yaml``, the profile or ``thresholds``."""
    cur = currency.upper().replace("'", "")
    return f"""
    WITH th(currency, threshold) AS (VALUES {thresholds_values(thresholds)}),
    near AS (SELECT x.*, th.threshold FROM mx_tx x JOIN th ON upper(coalesce(x.currency, '{cur}')) = th.currency
             WHERE x.t IS NOT NULL AND x.amount >= th.threshold * (1 - {margin}) AND x.amount < th.threshold),
    side AS (SELECT payer AS subject, 'paid' AS role, * FROM near UNION ALL SELECT payee, 'received', * FROM near),
    grid AS {_grid('side', window)},
    big AS (SELECT subject, role, threshold, g, b, count(*) AS n, fsum(amount) AS total, min(currency) AS currency
            FROM grid GROUP BY subject, role, threshold, g, b
            HAVING count(*) >= {min_count} AND sum(amount) >= threshold),
    win AS (SELECT big.subject, big.role, big.threshold, any_value(n) AS n, any_value(total) AS total,
                   list(id ORDER BY t, id) AS evidence, any_value(big.currency) AS currency
            FROM big JOIN grid USING (subject, role, threshold, g, b)
            GROUP BY big.subject, big.role, big.threshold, big.g, big.b)
    SELECT subject, max(0.5 + 0.5 * least(1.0, (n - {min_count}) / {min_count}.0)) AS strength,
           arg_max(printf('%d payments %s just under %s %.0f within {window.text} (total %.2f)', n, role,
                          coalesce(currency, '{cur}'), threshold, total), (n, total, evidence)) AS reason,
           arg_max(evidence, (n, total, evidence)) AS evidence
    FROM win GROUP BY subject"""


_FLAGGED_PAY = f"""
    flagged AS (
      SELECT value AS key, min(account_id) AS account_id, list(DISTINCT post_id ORDER BY post_id)[1:5] AS posts,
             max(CASE WHEN tier = 'high' THEN 1.0 ELSE 0.6 END) AS w, 'advertised' AS how
      FROM mx_flagged WHERE kind IN ('payment_account', 'bank_card') GROUP BY value
      UNION ALL
      SELECT {pay_key_sql('k.payment_account')}, min(f.account_id), list(DISTINCT f.post_id ORDER BY f.post_id)[1:5],
             0.8 * max(CASE WHEN f.tier = 'high' THEN 1.0 ELSE 0.6 END), 'KYC phone of'
      FROM mx_kyc k JOIN mx_flagged f ON f.kind = 'phone' AND f.value = k.holder_phone
      GROUP BY k.payment_account),
    fkey AS (SELECT key, arg_max(account_id, (w, how)) AS account_id, arg_max(posts, (w, how)) AS posts, max(w) AS w,
                    arg_max(how, (w, how)) AS how FROM flagged GROUP BY key)"""


@typology("flagged_counterparty", "account", 0.6, needs=("mx_tx", "mx_flagged"), min_payments=1)
def flagged_counterparty(min_payments: int) -> str:
    """Payments to or from a payment account advertised in a flagged post (screening tier high or
    medium), or held under the phone of a flagged seller (KYC). The flagged account itself is a subject
    at full strength; a counterparty grows with the number of payments (a buyer paying once is weak,
    a regular partner strong) and is exposure: it says whom the counterparty deals with, so risk
    scoring counts it with the network exposure, capped, rather than as a typology of its own."""
    return f"""
    WITH {_FLAGGED_PAY},
    x AS (SELECT id, t, payer, payee, amount, {pay_key_sql('payer')} AS kp, {pay_key_sql('payee')} AS kq FROM mx_tx),
    hit AS (SELECT x.payer AS subject, x.payee AS flagged_pa, x.id, x.t, x.amount, f.*
            FROM x JOIN fkey f ON x.kq = f.key
            UNION ALL
            SELECT x.payee, x.payer, x.id, x.t, x.amount, f.* FROM x JOIN fkey f ON x.kp = f.key),
    cp AS (SELECT subject, count(*) AS n, sum(amount) AS total, max(w) AS w, list(id ORDER BY t, id) AS evidence,
                  arg_min(flagged_pa, (t, id)) AS pa, arg_min(account_id, (t, id)) AS acc, arg_min(how, (t, id)) AS how
           FROM hit GROUP BY subject HAVING count(*) >= {min_payments}),
    own AS (SELECT flagged_pa AS subject, count(*) AS n, sum(amount) AS total, max(w) AS w,
                   list(id ORDER BY t, id) AS evidence, arg_min(account_id, (t, id)) AS acc,
                   arg_min(posts, (t, id)) AS posts, arg_min(how, (t, id)) AS how
            FROM hit GROUP BY flagged_pa)
    SELECT subject, w AS strength,
           printf('payment account %s flagged seller %s (posts %s); %d payments, %.2f', how, acc,
                  array_to_string(posts, ', '), n, total) AS reason, evidence, false AS exposure FROM own
    UNION ALL
    SELECT subject, w * least(1.0, 0.25 * n),
           printf('%d payments (%.2f) with %s, %s flagged seller %s', n, total, pa, how, acc), evidence,
           true AS exposure
    FROM cp WHERE subject NOT IN (SELECT subject FROM own)"""


@typology("funnel_from_flagged", "account", 0.5, needs=("mx_tx", "mx_flagged"), min_payers=3, min_payments=4,
          window=Span(1 / 4), min_amount=Quantile(2 / 3))
def funnel_from_flagged(min_payers: int, min_payments: int, window: Window, min_amount: float) -> str:
    """A funnel (collection) account: payments of ``min_amount`` or more into one account from at least
    ``min_payers`` distinct flagged sellers (their payment accounts as advertised in a flagged post, or
    held under a flagged seller's phone per KYC) within the window, at least ``min_payments`` such
    payments in that window (collection recurs; one payment each from a few flagged people is not it).
    What the account itself does (it gathers money from several flagged parties), so a typology rather
    than exposure; unlike fan-in it needs few payers, since each is already flagged. The reason names the
    payers; the evidence is every such payment into the account, by time."""
    k = int(min_payers)
    return f"""
    WITH {_FLAGGED_PAY},
    e AS (SELECT x.payee AS subject, f.account_id AS cp, x.payer, x.id, x.t, x.amount FROM mx_tx x
          JOIN fkey f ON {pay_key_sql('x.payer')} = f.key
          WHERE x.t IS NOT NULL AND x.amount >= {min_amount} AND {pay_key_sql('x.payee')} <> f.key),
    win AS (SELECT subject, max(n) AS n FROM (SELECT subject, count(DISTINCT cp) AS n, count(*) AS m
                                               FROM {_grid('e', window)} GROUP BY subject, g, b)
            WHERE n >= {k} AND m >= {int(min_payments)} GROUP BY subject),
    agg AS (SELECT subject, count(*) AS payments, count(DISTINCT cp) AS sellers, sum(amount) AS total,
                   list(DISTINCT printf('%s (%s)', payer, cp) ORDER BY printf('%s (%s)', payer, cp))[1:8] AS who,
                   list(id ORDER BY t, id) AS evidence
            FROM e WHERE subject IN (SELECT subject FROM win) GROUP BY subject)
    SELECT subject, 0.5 + 0.5 * least(1.0, (n - {k}) / {k}.0) AS strength,
           printf('received from %d distinct flagged sellers within {window.text} (%d in all, %d payments, %.2f): %s',
                  n, sellers, payments, total, array_to_string(who, ', '))
             AS reason,
           evidence
    FROM win JOIN agg USING (subject)"""


@typology("price_match", "account", 0.7, needs=("mx_tx", "mx_ads"), tolerance=0.05)
def price_match(tolerance: float) -> str:
    """Payments to a flagged seller's payment account whose amount matches one of that seller's advertised
    prices (the price, or price per gram times the advertised weight) within ``tolerance``. The seller's
    account is the subject (buyers are counterparties of a flagged seller already); payers and the
    matching posts are in the reason."""
    return f"""
    WITH {_FLAGGED_PAY},
    ads AS (SELECT account_id, post_id, coalesce(price, price_per_gram * weight_g) AS expected FROM mx_ads
            WHERE coalesce(price, price_per_gram * weight_g) > 0),
    m AS (SELECT x.id, x.payer, x.payee, x.amount, a.post_id, a.expected
          FROM mx_tx x JOIN fkey f ON {pay_key_sql('x.payee')} = f.key
          JOIN ads a ON a.account_id = f.account_id
          WHERE abs(x.amount - a.expected) <= {tolerance} * a.expected),
    side AS (SELECT payee AS subject, * FROM m)
    SELECT subject, least(1.0, 0.6 + 0.2 * count(DISTINCT id)) AS strength,
           printf('%d payment(s) from %d payer(s) matching advertised prices: %s', count(DISTINCT id),
                  count(DISTINCT payer),
                  array_to_string(list(DISTINCT printf('%.2f from %s ~ post %s (%.2f)', amount, payer, post_id,
                                                       expected))[1:5], '; ')) AS reason,
           list(DISTINCT id ORDER BY id) AS evidence
    FROM side GROUP BY subject"""


@typology("night_cluster", "account", 0.2, requires=("time_of_day",), start_hour=21, end_hour=6, min_count=5,
          min_share=0.6, min_z=3.5)
def night_cluster(start_hour: int, end_hour: int, min_count: int, min_share: float, min_z: float) -> str:
    """Most of an account's payments at night local time (``start_hour``..``end_hour``), when review is
    thin: at least ``min_count`` night payments, ``min_share`` of all its payments, and a one-sided
    binomial z-score of at least ``min_z`` against the night share of all payments in the data."""
    night = f"(local_hour >= {start_hour} OR local_hour < {end_hour})"
    return f"""
    WITH s AS (SELECT payer AS subject, id, t, local_hour FROM mx_tx WHERE t IS NOT NULL
               UNION ALL SELECT payee, id, t, local_hour FROM mx_tx WHERE t IS NOT NULL),
    p0 AS (SELECT greatest(0.01, least(0.99, avg(CASE WHEN {night} THEN 1.0 ELSE 0.0 END))) AS p FROM mx_tx
           WHERE t IS NOT NULL),
    n AS (SELECT subject, a.timed AS total, night  -- the night payments counted, the others known per account
          FROM (SELECT subject, count(*) AS night FROM s WHERE {night} GROUP BY subject HAVING count(*) >= {min_count})
          JOIN mx_accounts a ON a.name = subject),
    hit AS (SELECT n.*, p0.p FROM n, p0 WHERE night >= {min_count} AND night >= {min_share} * total
              AND (night - total * p) / sqrt(total * p * (1 - p)) >= {min_z}),
    ev AS (SELECT subject, list(id ORDER BY t, id) AS ids FROM s SEMI JOIN hit USING (subject)
           WHERE {night} GROUP BY subject)
    SELECT subject, night / total AS strength,
           printf('%d of %d payments between %02d:00 and %02d:00 local time (%.0f%% of all payments are)', night,
                  total, {start_hour}, {end_hour}, 100 * p) AS reason, ids AS evidence
    FROM hit JOIN ev USING (subject)"""


@typology("new_account_velocity", "account", 0.3, window=Span(1 / 16), min_count=10, min_counterparties=5)
def new_account_velocity(window: Window, min_count: int, min_counterparties: int) -> str:
    """An account first seen (opened per KYC, else first payment) well inside the data that makes at least
    ``min_count`` payments with ``min_counterparties`` others within the window (a fresh or backup account
    used at once)."""
    w = window.seconds
    return f"""
    WITH s AS (SELECT payer AS subject, payee AS cp, id, t, amount FROM mx_tx WHERE t IS NOT NULL
               UNION ALL SELECT payee, payer, id, t, amount FROM mx_tx WHERE t IS NOT NULL),
    span AS (SELECT min(t) AS t0 FROM mx_tx),
    opened AS (SELECT payment_account AS subject, min(t_opened) AS t_opened FROM mx_kyc GROUP BY ALL),
    first AS (SELECT a.name AS subject, coalesce(o.t_opened, a.first_t) AS born
              FROM mx_accounts a LEFT JOIN opened o ON o.subject = a.name WHERE a.first_t IS NOT NULL),
    mine AS (SELECT s.* FROM s JOIN first USING (subject), span
             WHERE first.born >= span.t0 + {w} AND s.t < first.born + {w}),
    early AS (SELECT subject, count(*) AS n, count(DISTINCT cp) AS ncp, sum(amount) AS total FROM mine
              GROUP BY subject HAVING count(*) >= {min_count} AND count(DISTINCT cp) >= {min_counterparties}),
    ev AS (SELECT subject, list(id ORDER BY t, id) AS evidence FROM mine SEMI JOIN early USING (subject)
           GROUP BY subject)
    SELECT subject, 0.5 + 0.5 * least(1.0, (n - {min_count}) / {min_count}.0) AS strength,
           printf('new account: %d payments with %d counterparties (%.2f) in its first {window.text}', n, ncp,
                  total) AS reason, evidence
    FROM early JOIN ev USING (subject)"""
