"""Payment typologies for wildlife trade: collection, layering and settlement patterns, as SQL over ``mx_tx``.

Windows are tumbling buckets on two grids offset by half a window, so a burst that straddles a bucket
edge is still seen whole in one of them; this keeps every detector a GROUP BY that scales linearly.
"""

from __future__ import annotations

from wildtrace.money._frame import pay_key_sql
from wildtrace.money._registry import typology
from wildtrace.money._thresholds import thresholds_values


def _grid(relation: str, window: int) -> str:
    """``relation`` twice, with ``g`` (grid 0 or 1) and ``b`` (bucket number) added."""
    return (f"(SELECT *, 0 AS g, t // {window} AS b FROM {relation} UNION ALL "
            f"SELECT *, 1 AS g, (t + {window // 2}) // {window} AS b FROM {relation})")


def _evidence(relation: str, window: int, chosen: str, max_evidence: int) -> str:
    """The first ``max_evidence`` ids by time of each ``chosen`` window (``subject``, ``g``, ``b``) of
    ``relation``: collected after the windows are chosen, so lists are built for hits only."""
    return (f"SELECT x.subject, list(x.id ORDER BY x.t)[1:{max_evidence}] AS evidence FROM {_grid(relation, window)} x "
            f"JOIN {chosen} USING (subject, g, b) GROUP BY x.subject")


def _burst(side: str, other: str, min_counterparties: int, window_hours: float, min_amount: float,
           burst_ratio: float, max_evidence: int, verb: str) -> str:
    w = int(window_hours * 3600)
    return f"""
    WITH e AS (SELECT {side} AS subject, {other} AS cp, id, t, amount FROM mx_tx
               WHERE t IS NOT NULL AND amount >= {min_amount}),
    pair AS (SELECT subject, g, b, cp, sum(amount) AS amount FROM {_grid('e', w)} GROUP BY ALL),
    win AS (SELECT subject, g, b, count(cp) AS n, sum(amount) AS total FROM pair GROUP BY subject, g, b),
    base AS (SELECT subject, sum(n) AS all_n, count(*) AS windows FROM win WHERE g = 0 GROUP BY subject),
    best AS (SELECT win.*, base.all_n, base.windows,
                    row_number() OVER (PARTITION BY win.subject ORDER BY n DESC, total DESC) AS rk
             FROM win JOIN base USING (subject) WHERE n >= {min_counterparties}),
    hit AS (SELECT * FROM best
            WHERE rk = 1 AND (windows <= 2 OR n >= {burst_ratio} * greatest(1.0, (all_n - n) / (windows - 1.0)))),
    ev AS ({_evidence('e', w, 'hit', max_evidence)})
    SELECT subject, 0.5 + 0.5 * least(1.0, (n - {min_counterparties}) / {min_counterparties}.0) AS strength,
           printf('%d distinct counterparties {verb} within %.0f h (total %.2f)', n, {window_hours}, total) AS reason,
           evidence
    FROM hit JOIN ev USING (subject)"""


@typology("fan_in", "account", 0.35, min_counterparties=4, window_hours=168.0, min_amount=1000.0, burst_ratio=0.0,
          max_evidence=50)
def fan_in(min_counterparties: int, window_hours: float, min_amount: float, burst_ratio: float,
           max_evidence: int) -> str:
    """At least ``min_counterparties`` distinct payers paying ``min_amount`` or more each into one account
    within the window (a collector gathering proceeds; shops' many small takings stay under the floor).
    With ``burst_ratio`` > 0 the window must also exceed the account's usual rate that many times."""
    return _burst("payee", "payer", min_counterparties, window_hours, min_amount, burst_ratio, max_evidence, "paid in")


@typology("fan_out", "account", 0.35, min_counterparties=4, window_hours=168.0, min_amount=1000.0, burst_ratio=3.0,
          max_evidence=50)
def fan_out(min_counterparties: int, window_hours: float, min_amount: float, burst_ratio: float,
           max_evidence: int) -> str:
    """One account paying ``min_amount`` or more to at least ``min_counterparties`` distinct payees within
    the window (paying suppliers, poachers or couriers; splitting proceeds); ``burst_ratio`` as fan-in."""
    return _burst("payer", "payee", min_counterparties, window_hours, min_amount, burst_ratio, max_evidence,
                  "paid out to")


@typology("gather_scatter", "account", 0.5, min_in=5, min_out=5, window_hours=72.0, min_amount=1000.0,
          max_evidence=50)
def gather_scatter(min_in: int, min_out: int, window_hours: float, min_amount: float, max_evidence: int) -> str:
    """Fan-in followed by fan-out through the same account in one window: ``min_in`` payers in, then
    ``min_out`` payees out, counting payments of ``min_amount`` or more (a collection point that
    redistributes)."""
    w = int(window_hours * 3600)
    return f"""
    WITH x AS (SELECT * FROM mx_tx WHERE t IS NOT NULL AND amount >= {min_amount}),
    e AS (SELECT payee AS subject, payer AS cp, id, t, 1 AS dir FROM x
          UNION ALL SELECT payer, payee, id, t, -1 FROM x),
    pair AS (SELECT subject, g, b, dir, cp, min(t) AS t_min, max(t) AS t_max FROM {_grid('e', w)} GROUP BY ALL),
    win AS (SELECT subject, g, b, count(cp) FILTER (WHERE dir = 1) AS n_in, count(cp) FILTER (WHERE dir = -1) AS n_out,
                   min(t_min) FILTER (WHERE dir = 1) AS first_in, max(t_max) FILTER (WHERE dir = -1) AS last_out
            FROM pair GROUP BY subject, g, b),
    best AS (SELECT *, row_number() OVER (PARTITION BY subject ORDER BY n_in + n_out DESC) AS rk FROM win
             WHERE n_in >= {min_in} AND n_out >= {min_out} AND last_out > first_in),
    hit AS (SELECT * FROM best WHERE rk = 1),
    ev AS ({_evidence('e', w, 'hit', max_evidence)})
    SELECT subject, 0.5 + 0.5 * least(1.0, (n_in + n_out - {min_in + min_out}) / {float(min_in + min_out)})
             AS strength,
           printf('%d payers in, then %d payees out, within %.0f h', n_in, n_out, {window_hours}) AS reason, evidence
    FROM hit JOIN ev USING (subject)"""


@typology("scatter_gather", "account", 0.5, min_intermediaries=3, window_hours=72.0, min_ratio=0.5)
def scatter_gather(min_intermediaries: int, window_hours: float, min_ratio: float) -> str:
    """One source pays several intermediaries who each pass most of it on to the same destination within
    the window (layering through mules). Both the source and the destination are subjects."""
    w = int(window_hours * 3600)
    k = int(min_intermediaries)
    return f"""
    WITH src AS (SELECT DISTINCT subject FROM (
                   SELECT payer AS subject FROM {_grid('mx_tx', w)} WHERE t IS NOT NULL
                   GROUP BY payer, g, b HAVING count(DISTINCT payee) >= {k})),
    a AS (SELECT * FROM mx_tx WHERE payer IN (SELECT subject FROM src)),
    p AS (SELECT a.payer AS s, a.payee AS m, b.payee AS d, a.id AS id1, b.id AS id2, b.amount AS amount
          FROM a JOIN mx_tx b ON b.payer = a.payee AND b.t >= a.t AND b.t <= a.t + {w}
          WHERE b.payee <> a.payer AND b.payee <> a.payee
            AND b.amount BETWEEN {min_ratio} * a.amount AND 1.05 * a.amount),
    grp AS (SELECT s, d, count(DISTINCT m) AS n, sum(amount) AS total, list(DISTINCT id1) || list(DISTINCT id2) AS ev
            FROM p GROUP BY s, d HAVING count(DISTINCT m) >= {k})
    SELECT subject, max(strength) AS strength, first(reason ORDER BY strength DESC) AS reason,
           flatten(list(ev))[1:50] AS evidence
    FROM (SELECT s AS subject, 0.5 + 0.5 * least(1.0, (n - {k}) / {k}.0) AS strength, ev,
                 printf('scattered to %d intermediaries who passed %.2f on to %s', n, total, d) AS reason FROM grp
          UNION ALL
          SELECT d, 0.5 + 0.5 * least(1.0, (n - {k}) / {k}.0), ev,
                 printf('gathered %.2f from %s through %d intermediaries', total, s, n) FROM grp)
    GROUP BY subject"""


def _cycle_sql(length: int, w: int, min_ratio: float, ordered: bool, min_amount: float) -> str:
    hops = [f"e{i}" for i in range(length)]
    when = (lambda i: f"e{i}.t >= e{i-1}.t AND e{i}.t <= e0.t + {w}") if ordered else (
        lambda i: f"e{i}.t BETWEEN e0.t - {w} AND e0.t + {w}")
    joins = [f"JOIN hop e{i} ON e{i}.payer = e{i-1}.payee AND {when(i)} "
             f"AND e{i}.amount BETWEEN {min_ratio} * e{i-1}.amount AND 1.05 * e{i-1}.amount" for i in range(1, length)]
    nodes = [f"e{i}.payer" for i in range(length)]
    distinct = " AND ".join(f"{a} <> {b}" for i, a in enumerate(nodes) for b in nodes[i + 1:])
    first_smallest = " AND ".join(f"e0.payer < {n}" for n in nodes[1:])
    return (f"SELECT [{', '.join(nodes)}] AS nodes, [{', '.join(h + '.id' for h in hops)}] AS ids, "
            f"e0.amount AS amount FROM hop e0 {' '.join(joins)} "
            f"WHERE e0.amount >= {min_amount} AND e{length - 1}.payee = e0.payer AND {distinct} AND {first_smallest}")


@typology("cycle", "account", 0.5, min_length=3, max_length=4, window_hours=168.0, min_ratio=0.7, ordered=False,
          min_amount=1000.0)
def cycle(min_length: int, max_length: int, window_hours: float, min_ratio: float, ordered: bool,
          min_amount: float) -> str:
    """``min_amount`` or more that comes back to where it started through ``min_length``..``max_length``
    accounts within the window, each hop keeping at least ``min_ratio`` of the amount (round-tripping).
    With ``ordered`` each hop must also follow the one before in time (ledgers that book late or settle
    in batches break that order, so it is off by default). Two-hop returns are refunds: cycles start at 3."""
    w = int(window_hours * 3600)
    floor = min_amount * max(0.0, min(1.0, min_ratio)) ** (max_length - 1)  # no hop of a cycle carries less
    cycles = " UNION ALL ".join(_cycle_sql(n, w, min_ratio, ordered, min_amount)
                                for n in range(max(2, min_length), max_length + 1))
    return f"""
    WITH hop AS (SELECT id, t, amount, payer, payee FROM mx_txo WHERE amount >= {floor}),
    c AS ({cycles}),
    cid AS (SELECT row_number() OVER () AS cyc, nodes, ids, amount FROM c),
    e AS (SELECT cyc, unnest(ids) AS id FROM cid),
    s AS (SELECT DISTINCT x.payer_account AS subject, e.cyc FROM e JOIN mx_txo x USING (id)
          UNION SELECT DISTINCT x.payee_account, e.cyc FROM e JOIN mx_txo x USING (id))
    SELECT s.subject, least(1.0, 0.7 + 0.1 * count(*)) AS strength,
           printf('%d cycle(s) of %d owners returning %.2f within %.0f h: %s', count(*), len(first(cid.nodes)),
                  first(cid.amount), {window_hours}, array_to_string(first(cid.nodes), ' -> ')) AS reason,
           flatten(list(cid.ids))[1:50] AS evidence
    FROM s JOIN cid USING (cyc) GROUP BY s.subject"""


@typology("pass_through", "account", 0.4, window_hours=24.0, min_ratio=0.9, max_ratio=1.0, min_pairs=2,
          min_amount=1000.0, min_share=0.0)
def pass_through(window_hours: float, min_ratio: float, max_ratio: float, min_pairs: int, min_amount: float,
                 min_share: float) -> str:
    """Money out soon after money in: a payment of ``min_amount`` or more into an account followed within
    ``window_hours`` by a payment out to someone else for ``min_ratio``..``max_ratio`` of it, at least
    ``min_pairs`` times and for at least ``min_share`` of everything the account received (a mule or a
    transit account). In on one account and out of another of the same KYC holder counts."""
    w = int(window_hours * 3600)
    return f"""
    WITH i AS (SELECT * FROM mx_txo WHERE t IS NOT NULL AND amount >= {min_amount}),
    p AS (SELECT i.payee_account AS subject, i.id AS in_id, o.id AS out_id, i.amount AS a_in, o.t - i.t AS dt,
                 row_number() OVER (PARTITION BY i.id ORDER BY o.t) AS k
          FROM i JOIN mx_txo o ON o.payer = i.payee AND o.t >= i.t AND o.t <= i.t + {w}
          WHERE o.payee <> i.payer AND o.amount BETWEEN {min_ratio} * i.amount AND {max_ratio} * i.amount),
    ok AS (SELECT * FROM p WHERE k = 1),
    inflow AS (SELECT payee AS subject, sum(amount) AS total FROM mx_tx GROUP BY payee)
    SELECT ok.subject, 0.5 + 0.5 * least(1.0, (count(*) - {min_pairs}) / {min_pairs}.0) AS strength,
           printf('%d payments passed on within %.0f h (%.2f of %.2f received, median delay %.1f h)', count(*),
                  {window_hours}, sum(a_in), inflow.total, median(dt) / 3600.0) AS reason,
           (list(in_id) || list(out_id))[1:50] AS evidence
    FROM ok JOIN inflow USING (subject)
    GROUP BY ok.subject, inflow.total
    HAVING count(*) >= {min_pairs} AND sum(a_in) >= {min_share} * inflow.total"""


@typology("structuring", "account", 0.5, margin=0.1, min_count=3, window_days=7.0, thresholds=None)
def structuring(margin: float, min_count: int, window_days: float, thresholds: dict | None) -> str:
    """Several payments just under a reporting threshold (within ``margin`` below it) by or to one account
    within the window, together over the threshold (splitting to stay under it). Thresholds per
    currency come from ``money/data/thresholds.yaml`` or the ``thresholds`` parameter."""
    w = int(window_days * 86400)
    return f"""
    WITH th(currency, threshold) AS (VALUES {thresholds_values(thresholds)}),
    near AS (SELECT x.*, th.threshold FROM mx_tx x JOIN th ON upper(x.currency) = th.currency
             WHERE x.t IS NOT NULL AND x.amount >= th.threshold * (1 - {margin}) AND x.amount < th.threshold),
    side AS (SELECT payer AS subject, 'paid' AS role, * FROM near UNION ALL SELECT payee, 'received', * FROM near),
    win AS (SELECT subject, role, threshold, count(*) AS n, sum(amount) AS total,
                   list(id ORDER BY t)[1:50] AS evidence, first(currency) AS currency
            FROM {_grid('side', w)} GROUP BY subject, role, threshold, g, b
            HAVING count(*) >= {min_count} AND sum(amount) >= threshold)
    SELECT subject, max(0.5 + 0.5 * least(1.0, (n - {min_count}) / {min_count}.0)) AS strength,
           arg_max(printf('%d payments %s just under %s %.0f within %.0f days (total %.2f)', n, role, currency,
                          threshold, {window_days}, total), n) AS reason,
           arg_max(evidence, n) AS evidence
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
    cp AS (SELECT subject, count(*) AS n, sum(amount) AS total, max(w) AS w, list(id ORDER BY t, id)[1:50] AS evidence,
                  arg_min(flagged_pa, (t, id)) AS pa, arg_min(account_id, (t, id)) AS acc, arg_min(how, (t, id)) AS how
           FROM hit GROUP BY subject HAVING count(*) >= {min_payments}),
    own AS (SELECT flagged_pa AS subject, count(*) AS n, sum(amount) AS total, max(w) AS w,
                   list(id ORDER BY t, id)[1:50] AS evidence, arg_min(account_id, (t, id)) AS acc,
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
          window_days=28.0, min_amount=1000.0, max_evidence=100)
def funnel_from_flagged(min_payers: int, min_payments: int, window_days: float, min_amount: float,
                        max_evidence: int) -> str:
    """A funnel (collection) account: payments of ``min_amount`` or more into one account from at least
    ``min_payers`` distinct flagged sellers (their payment accounts as advertised in a flagged post, or
    held under a flagged seller's phone per KYC) within ``window_days``, at least ``min_payments`` such
    payments in that window (collection recurs; one payment each from a few flagged people is not it).
    What the account itself does (it gathers money from several flagged parties), so a typology rather
    than exposure; unlike fan-in it needs few payers, since each is already flagged. The reason names the
    payers; the evidence is every such payment into the account, first ``max_evidence`` by time."""
    w = int(window_days * 86400)
    k = int(min_payers)
    return f"""
    WITH {_FLAGGED_PAY},
    e AS (SELECT x.payee AS subject, f.account_id AS cp, x.payer, x.id, x.t, x.amount FROM mx_tx x
          JOIN fkey f ON {pay_key_sql('x.payer')} = f.key
          WHERE x.t IS NOT NULL AND x.amount >= {min_amount} AND {pay_key_sql('x.payee')} <> f.key),
    win AS (SELECT subject, max(n) AS n FROM (SELECT subject, count(DISTINCT cp) AS n, count(*) AS m
                                               FROM {_grid('e', w)} GROUP BY subject, g, b)
            WHERE n >= {k} AND m >= {int(min_payments)} GROUP BY subject),
    agg AS (SELECT subject, count(*) AS payments, count(DISTINCT cp) AS sellers, sum(amount) AS total,
                   list(DISTINCT printf('%s (%s)', payer, cp) ORDER BY printf('%s (%s)', payer, cp))[1:8] AS who,
                   list(id ORDER BY t)[1:{int(max_evidence)}] AS evidence
            FROM e WHERE subject IN (SELECT subject FROM win) GROUP BY subject)
    SELECT subject, 0.5 + 0.5 * least(1.0, (n - {k}) / {k}.0) AS strength,
           printf('received from %d distinct flagged sellers within %.0f days (%d in all, %d payments, %.2f): %s',
                  n, {float(window_days)}, sellers, payments, total, array_to_string(who, ', '))
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
           list(DISTINCT id)[1:50] AS evidence
    FROM side GROUP BY subject"""


@typology("night_cluster", "account", 0.2, start_hour=21, end_hour=6, min_count=5, min_share=0.6, min_z=3.5)
def night_cluster(start_hour: int, end_hour: int, min_count: int, min_share: float, min_z: float) -> str:
    """Most of an account's payments at night local time (``start_hour``..``end_hour``), when review is
    thin: at least ``min_count`` night payments, ``min_share`` of all its payments, and a one-sided
    binomial z-score of at least ``min_z`` against the night share of all payments in the data."""
    night = f"(local_hour >= {start_hour} OR local_hour < {end_hour})"
    return f"""
    WITH s AS (SELECT payer AS subject, id, local_hour FROM mx_tx WHERE t IS NOT NULL
               UNION ALL SELECT payee, id, local_hour FROM mx_tx WHERE t IS NOT NULL),
    p0 AS (SELECT greatest(0.01, least(0.99, avg(CASE WHEN {night} THEN 1.0 ELSE 0.0 END))) AS p FROM mx_tx
           WHERE t IS NOT NULL),
    n AS (SELECT subject, count(*) AS total, count(*) FILTER (WHERE {night}) AS night,
                 list(id) FILTER (WHERE {night}) AS ids
          FROM s GROUP BY subject)
    SELECT subject, night / total AS strength,
           printf('%d of %d payments between %02d:00 and %02d:00 local time (%.0f%% of all payments are)', night,
                  total, {start_hour}, {end_hour}, 100 * p) AS reason, ids[1:50] AS evidence
    FROM n, p0 WHERE night >= {min_count} AND night >= {min_share} * total
      AND (night - total * p) / sqrt(total * p * (1 - p)) >= {min_z}"""


@typology("new_account_velocity", "account", 0.3, days=7.0, min_count=10, min_counterparties=5)
def new_account_velocity(days: float, min_count: int, min_counterparties: int) -> str:
    """An account first seen (opened per KYC, else first payment) well inside the data that makes at least
    ``min_count`` payments with ``min_counterparties`` others within ``days`` (a fresh or backup account
    used at once)."""
    w = int(days * 86400)
    return f"""
    WITH s AS (SELECT payer AS subject, payee AS cp, id, t, amount FROM mx_tx WHERE t IS NOT NULL
               UNION ALL SELECT payee, payer, id, t, amount FROM mx_tx WHERE t IS NOT NULL),
    span AS (SELECT min(t) AS t0 FROM mx_tx),
    first AS (SELECT s.subject, coalesce(min(k.t_opened), min(s.t)) AS born FROM s
              LEFT JOIN mx_kyc k ON k.payment_account = s.subject GROUP BY s.subject),
    early AS (SELECT s.subject, count(*) AS n, count(DISTINCT cp) AS ncp, sum(amount) AS total,
                     list(id ORDER BY t)[1:50] AS evidence
              FROM s JOIN first USING (subject), span
              WHERE first.born >= span.t0 + {w} AND s.t < first.born + {w} GROUP BY s.subject)
    SELECT subject, 0.5 + 0.5 * least(1.0, (n - {min_count}) / {min_count}.0) AS strength,
           printf('new account: %d payments with %d counterparties (%.2f) in its first %.0f days', n, ncp, total,
                  {days}) AS reason, evidence
    FROM early WHERE n >= {min_count} AND ncp >= {min_counterparties}"""
