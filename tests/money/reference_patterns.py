"""The relational pattern typologies' SQL as it was before the pre-pass (main at b420a97), kept as the oracle
the faster pass is compared with (``test_pattern_pass.py``): every account window counted and totalled, the
evidence read from every payment's two ends, scatter-gather's two-hop paths joined on the intermediary only.
Each function takes a typology's resolved parameters and returns its SQL over a frame, as the registered
typologies do; nothing registers them. One change since, made here as in the typology: scatter-gather tells,
of the destinations reached through as many intermediaries, the one passed the most money (then the name; it
was the name alone, so a renaming of the accounts changed which one). Bipartite is no longer compared with
its plain pass here, which built blocks from the smallest-named payer (``test_pattern_pass.py``)."""

from __future__ import annotations

from dataclasses import dataclass

from wildtrace.money._profile import Window
from wildtrace.money._typologies_tx import _shared, _strength


@dataclass(frozen=True)
class _OneOff:
    """The shared relations of the pattern typologies, for one set of parameters. Accounts are numbered in
    the order of their names (``names``, the frame's ``mx_accounts``: ``i`` -> ``name``), so joins and groups
    run on integers and ordering by number is ordering by name. ``once`` holds each payment of a relationship
    that happens at most ``max_pair_payments`` times in the ledger once: ``id``, ``t``, ``amount``, ``payer``
    and ``payee`` (numbers), and its bucket ``b0``/``b1`` on the two window grids. ``cells`` (per account number ``a``,
    grid ``g``, bucket ``b`` and direction ``dir``, 1 in / -1 out: ``n`` distinct counterparties,
    ``total``, ``first_t``, ``last_t``, ``k`` the ledger's large count in that direction and ``steady``, a
    large count that is the account's everyday rate) is computed in one GROUP BY per grid and direction over
    ``once``. ``setup`` makes what is missing."""

    once: str
    names: str
    cells: str
    setup: str

    def grids(self) -> str:
        """SQL: ``once`` on both grids (``g``, ``b``)."""
        return (f"(SELECT id, t, payer, payee, amount, 0 AS g, b0 AS b FROM {self.once} UNION ALL "
                f"SELECT id, t, payer, payee, amount, 1 AS g, b1 AS b FROM {self.once})")

    def ends(self) -> str:
        """SQL: ``once`` on both grids from both ends: ``a``, ``cp``, ``dir``, ``id``, ``t``, ``amount``, ``g``,
        ``b`` (made on the fly: typologies read it only for the cells of their hits)."""
        g = self.grids()
        return (f"(SELECT payee AS a, payer AS cp, 1 AS dir, id, t, amount, g, b FROM {g} "
                f"UNION ALL SELECT payer, payee, -1, id, t, amount, g, b FROM {g})")


def _one_off(window: Window, span: Window, max_pair_payments: int, min_counterparties: int, quantile: float,
             burst_ratio: float) -> _OneOff:
    """Laundering moves money through new ties while everyday payments recur, so patterns are looked for
    in the payments of pairs that deal once, counted per account and window in one pass that every
    pattern typology reads. A cell is large when its count reaches ``k``, the ledger's own ``quantile``
    of such counts (at least ``min_counterparties``): judged against the ledger, not a fixed number. A
    large cell under ``burst_ratio`` times the account's own rate (its ledger-wide count spread evenly over
    the span) is ``steady``: a shop's customers, an employer's payroll."""
    w, o = window.seconds, window.origin
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
    def per(grid: int, bucket: str) -> str:  # one GROUP BY per grid and direction: small hash tables, no union
        ends = (("payee", "payer", 1), ("payer", "payee", -1))
        # a relationship of one payment has one counterparty per payment: counting rows counts counterparties
        return " UNION ALL ".join(
            f"SELECT {a} AS a, {grid} AS g, {bucket} AS b, {d} AS dir, "
            f"{'count(*)' if max_pair_payments <= 1 else f'count(DISTINCT {cp})'} AS n, fsum(amount) AS total, "
            f"min(t) AS first_t, max(t) AS last_t FROM {once} GROUP BY {a}, {bucket}" for a, cp, d in ends)

    # and the ledger-wide count is the sum over one grid's buckets; it matters only where a count is large
    deg = ("SELECT a, dir, sum(n) AS all_n FROM c SEMI JOIN large USING (a, dir) WHERE g = 0 GROUP BY a, dir"
           if max_pair_payments <= 1 else
           f"SELECT payee AS a, 1 AS dir, count(DISTINCT payer) AS all_n FROM {once} GROUP BY payee UNION ALL "
           f"SELECT payer, -1, count(DISTINCT payee) FROM {once} GROUP BY payer")
    cells, make_cells = _shared(f"""
        WITH c AS ({per(0, 'b0')} UNION ALL {per(1, 'b1')}),
        top AS (SELECT dir, greatest({int(min_counterparties)}, quantile_disc(n, {quantile})) AS k FROM c GROUP BY dir),
        ck AS (SELECT c.*, top.k FROM c JOIN top USING (dir)),
        large AS (SELECT DISTINCT a, dir FROM ck WHERE n >= k),
        deg AS ({deg})
        SELECT a, CAST(g AS TINYINT) AS g, b, CAST(dir AS TINYINT) AS dir, CAST(n AS INTEGER) AS n, total, first_t,
               last_t, CAST(k AS INTEGER) AS k,
               n >= k AND n < {burst_ratio} * (all_n * {w / max(1, span.seconds)}) AS steady
        FROM ck LEFT JOIN deg USING (a, dir)""")
    # the shared tables need no row order (every reader orders what it lists): DuckDB builds them in less memory
    return _OneOff(once, names, cells, "SET preserve_insertion_order = false;\n" + make_once + make_cells
                   + "RESET preserve_insertion_order;\n")


def _crowded(r: _OneOff) -> str:
    """SQL: the (``a``, ``g``, ``b``) windows in which an account is a steady crowd (a shop's everyday
    customers, an employer's payroll). Block patterns are not built through them: everyone shares them."""
    return f"(SELECT DISTINCT a, g, b FROM {r.cells} WHERE steady)"


def _burst(direction: int, r: _OneOff, window: Window, verb: str) -> str:
    return r.setup + f"""
    WITH best AS (SELECT *, row_number() OVER (PARTITION BY a ORDER BY n DESC, total DESC, g, b) AS rk
                  FROM {r.cells} WHERE dir = {direction} AND n >= k AND NOT steady),
    hit AS (SELECT * FROM best WHERE rk = 1),
    ev AS (SELECT e.a, list(e.id ORDER BY e.t, e.id) AS evidence,
                  list(DISTINCT m.name ORDER BY m.name) AS cps
           FROM {r.ends()} e JOIN hit USING (a, g, b, dir) JOIN {r.names} m ON m.i = e.cp GROUP BY e.a)
    SELECT s.name AS subject, {_strength('n', 'k')} AS strength,
           printf('%d distinct counterparties {verb} once each within {window.text} (total %.2f; the ledger''s '
                  || 'large count is %d)', n, total, k) AS reason,
           evidence, list_prepend(s.name, cps) AS members
    FROM hit JOIN ev ON ev.a = hit.a JOIN {r.names} s ON s.i = hit.a"""




def fan_in(window: Window, span: Window, max_pair_payments: int, min_counterparties: int, quantile: float,
           burst_ratio: float) -> str:
    r = _one_off(window, span, max_pair_payments, min_counterparties, quantile, burst_ratio)
    return _burst(1, r, window, "paid in")



def fan_out(window: Window, span: Window, max_pair_payments: int, min_counterparties: int, quantile: float,
            burst_ratio: float) -> str:
    r = _one_off(window, span, max_pair_payments, min_counterparties, quantile, burst_ratio)
    return _burst(-1, r, window, "paid out to")



def gather_scatter(min_in: int, min_out: int, min_kept: float, window: Window, span: Window, max_pair_payments: int,
                   min_counterparties: int, quantile: float, burst_ratio: float) -> str:
    r = _one_off(window, span, max_pair_payments, min_counterparties, quantile, burst_ratio)
    return r.setup + f"""
    WITH j AS (SELECT i.a AS subject, i.g, i.b, i.n AS n_in, o.n AS n_out, i.steady OR o.steady AS steady,
                      o.last_t > i.first_t AND o.total BETWEEN {min_kept} * i.total AND i.total / {min_kept}
                        AS ordered
               FROM {r.cells} i JOIN {r.cells} o ON o.a = i.a AND o.g = i.g AND o.b = i.b AND o.dir = -1
               WHERE i.dir = 1),
    thr AS (SELECT greatest({min(int(min_in), int(min_out))}, quantile_disc(least(n_in, n_out), {quantile})) AS k
            FROM j),
    best AS (SELECT j.*, thr.k, row_number() OVER (PARTITION BY subject ORDER BY n_in + n_out DESC, g, b) AS rk
             FROM j, thr WHERE n_in >= {int(min_in)} AND n_out >= {int(min_out)} AND least(n_in, n_out) >= thr.k
               AND ordered AND NOT steady),
    hit AS (SELECT * FROM best WHERE rk = 1),
    ev AS (SELECT e.a AS subject, list(e.id ORDER BY e.t, e.id) AS evidence,
                  list(DISTINCT m.name ORDER BY m.name) AS cps
           FROM {r.ends()} e JOIN hit ON hit.subject = e.a AND hit.g = e.g AND hit.b = e.b
           JOIN {r.names} m ON m.i = e.cp GROUP BY e.a)
    SELECT s.name AS subject, {_strength('least(n_in, n_out)', 'k')} AS strength,
           printf('%d payers in, then %d payees out, each once, within {window.text}', n_in, n_out) AS reason,
           evidence, list_prepend(s.name, cps) AS members
    FROM hit JOIN ev USING (subject) JOIN {r.names} s ON s.i = hit.subject"""



def scatter_gather(min_intermediaries: int, min_ratio: float, min_kept: float, window: Window, span: Window,
                   max_pair_payments: int, min_counterparties: int, quantile: float, burst_ratio: float) -> str:
    w = window.seconds
    k = int(min_intermediaries)
    r = _one_off(window, span, max_pair_payments, min_counterparties, quantile, burst_ratio)
    # over one-off ties each (source, intermediary, destination) is one row: counting rows counts intermediaries
    mids = "count(*)" if max_pair_payments <= 1 else "count(DISTINCT a.payee)"
    # the pairs of the source's payments and the intermediaries' onward ones: counted first, listed for candidates
    on = (f"b.payer = a.payee AND b.t >= a.t AND b.t <= a.t + {w} AND b.payee <> a.payer "
          f"AND b.amount >= {min_ratio} * a.amount")
    return r.setup + f"""
    WITH crowd AS {_crowded(r)},
    e AS (SELECT o.id, o.t, o.payer, o.payee, o.amount FROM {r.once} o
          ANTI JOIN crowd c ON c.a = o.payee AND c.g = 0 AND c.b = o.b0),
    src AS (SELECT DISTINCT a AS payer FROM {r.cells} WHERE dir = -1 AND n >= {k}),
    a AS (SELECT * FROM e WHERE payer IN (SELECT payer FROM src)),
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



def bipartite(min_payers: int, min_payees: int, window: Window, span: Window, max_pair_payments: int,
              min_counterparties: int, quantile: float, burst_ratio: float) -> str:
    r = _one_off(window, span, max_pair_payments, min_counterparties, quantile, burst_ratio)
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
    pp AS NOT MATERIALIZED (SELECT x.payer AS p1, y.payer AS p2, x.g, x.b, x.payee
           FROM ok x JOIN ok y ON x.payee = y.payee AND x.g = y.g AND x.b = y.b AND x.payer < y.payer),
    cand AS (SELECT p1, p2, g, b FROM pp GROUP BY ALL HAVING count(*) >= {int(min_payees)}),
    shared AS (SELECT p1, p2, g, b, list(DISTINCT payee ORDER BY payee) AS payees
               FROM pp SEMI JOIN cand USING (p1, p2, g, b)
               GROUP BY ALL HAVING count(DISTINCT payee) >= {int(min_payees)}),
    blk AS (SELECT p1, g, b, payees, list(DISTINCT p2 ORDER BY p2) AS others FROM shared GROUP BY p1, g, b, payees
            HAVING count(*) >= {int(min_payers) - 1}),
    best AS (SELECT *, row_number() OVER (PARTITION BY p1 ORDER BY len(others) * len(payees) DESC, g, b, payees) AS rk
             FROM blk),
    hit AS (SELECT p1, g, b, payees, list_prepend(p1, others) AS payers FROM best WHERE rk = 1),
    cells AS (SELECT p1, g, b, unnest(payers) AS payer, payees FROM hit),
    pairs AS (SELECT p1, g, b, payer, unnest(payees) AS payee FROM cells),
    ev AS (SELECT pairs.p1, list(ok.id ORDER BY ok.t, ok.id) AS evidence FROM pairs
           JOIN ok USING (g, b, payer, payee) GROUP BY pairs.p1),
    pn AS (SELECT c.p1, list(n.name ORDER BY n.i) AS payer_names FROM cells c JOIN {r.names} n ON n.i = c.payer
           GROUP BY c.p1),
    qn AS (SELECT h.p1, list(n.name ORDER BY n.i) AS payee_names FROM (SELECT p1, unnest(payees) AS payee FROM hit) h
           JOIN {r.names} n ON n.i = h.payee GROUP BY h.p1)
    SELECT n.name AS subject, {_strength('len(payers) * len(payees)', str(int(min_payers) * int(min_payees)))}
             AS strength,
           printf('%d payers each paid the same %d payees once within {window.text}', len(payers), len(payees))
             AS reason,
           evidence, payer_names || payee_names AS members
    FROM hit JOIN ev USING (p1) JOIN pn USING (p1) JOIN qn USING (p1) JOIN {r.names} n ON n.i = hit.p1"""

