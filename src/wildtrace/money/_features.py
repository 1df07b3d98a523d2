"""Per-account features for the learned ranking, computed in DuckDB over the frame's ``mx_tx``.

Every feature is scale-free, so a model trained on one ledger can rank another: counts are taken
relative to the ledger's median account, amounts as their percentile among the ledger's payments or as
ratios to the account's own or its counterparty's usual amount, and times in the ledger's own time unit
(its step, a day for dates, ...; :func:`time_unit`) or as shares of its span. No feature holds an
absolute amount or duration. Typology strengths (what the detectors found) and one- and two-hop means
and maxima of the neighbours' features are added, so a ring's members see each other.
"""

from __future__ import annotations

import pandas as pd

from wildtrace.money._frame import Frame

WINDOWS = (1, 4, 16)  # in the ledger's time unit
PASS_UNITS = 4  # what an account pays out within this many time units of receiving may pass it on
PASS_RATIO = (0.5, 1.05)  # ... when it is this share of what came in


def _docs() -> dict[str, str]:
    d = {
        "n_rel": "payments, relative to the ledger's median account",
        "n_in_rel": "incoming payments, relative to the ledger's median account",
        "n_out_rel": "outgoing payments, relative to the ledger's median account",
        "cp_in_rel": "distinct payers, relative to the ledger's median account",
        "cp_out_rel": "distinct payees, relative to the ledger's median account",
        "out_share": "share of its payments that go out",
        "repeat_in": "incoming payments per distinct payer",
        "repeat_out": "outgoing payments per distinct payee",
        "reciprocal": "share of counterparties it both pays and is paid by",
        "flow_balance": "(out - in) / (out + in) of the amounts",
        "pct_in_mean": "mean percentile of its incoming amounts among the ledger's payments",
        "pct_out_mean": "mean percentile of its outgoing amounts among the ledger's payments",
        "pct_in_min": "lowest percentile of its incoming amounts in the ledger",
        "pct_out_min": "lowest percentile of its outgoing amounts in the ledger",
        "pct_out_max": "highest percentile of its outgoing amounts in the ledger",
        "pct_in_max": "highest percentile of its incoming amounts in the ledger",
        "cv_in": "spread of its incoming amounts (std / mean)",
        "cv_out": "spread of its outgoing amounts (std / mean)",
        "own_min_dev": "log of its smallest payment over its own median payment",
        "own_max_dev": "log of its largest payment over its own median payment",
        "same_amount_share": "share of its payments with an amount it also used in another payment",
        "cp_dev_out": "mean log of what it pays over what its payees usually receive",
        "cp_dev_in": "mean log of what it receives over what its payers usually pay",
        "cp_dev_abs": "mean absolute log deviation of its payments from the counterparties' usual amounts",
        "active_share": "share of the ledger's time units in which it made payments",
        "first_pos": "when it first paid or was paid, as a share of the ledger's span",
        "last_pos": "when it last paid or was paid, as a share of the ledger's span",
        "gap_cv": "regularity of the gaps between its payments (std / mean)",
        "pass_share": "share of the money it received that it paid on (50-105% of a time unit's takings) "
                      "within 4 time units",
        "pass_delay": "median delay of those pass-throughs, in time units",
        "tri": "directed three-account cycles it is on (counterparties of hubs left out)",
        "cp_deg_mean": "mean number of counterparties of its counterparties, relative to the ledger's median",
        "hub_share": "share of its payments with the ledger's hubs (top 1% by counterparties)",
    }
    for w in WINDOWS:
        d[f"burst_in_{w}"] = f"most distinct payers in {w} time unit(s), over its mean per active window"
        d[f"burst_out_{w}"] = f"most distinct payees in {w} time unit(s), over its mean per active window"
        d[f"max_cp_in_{w}"] = f"most distinct payers in {w} time unit(s)"
        d[f"max_cp_out_{w}"] = f"most distinct payees in {w} time unit(s)"
    return d


BASE = _docs()
NEIGHBOUR_OF = ("n_rel", "out_share", "pct_in_mean", "pct_out_mean", "own_min_dev", "cp_dev_abs", "pass_share",
                "max_cp_out_4", "max_cp_in_4", "repeat_out", "tri", "active_share", "typology_max")
SIMPLE = ("n_in_rel", "n_out_rel", "cp_in_rel", "cp_out_rel", "pct_in_mean", "pct_out_mean", "cv_in", "cv_out")
"""The eight count and amount statistics of the textbook baseline (no windows, graph or typologies)."""


def describe(name: str) -> str:
    """What a feature measures, in words an analyst reads."""
    if name in BASE:
        return BASE[name]
    if name.startswith("typ_"):
        return f"strength of the {name[4:]} typology"
    if name == "typology_max":
        return "strongest typology hit on it"
    for prefix, what in (("nb1_mean_", "mean over its counterparties of: "),
                         ("nb1_max_", "highest among its counterparties of: "),
                         ("nb2_mean_", "mean over its counterparties' counterparties of: ")):
        if name.startswith(prefix):
            return what + describe(name[len(prefix):])
    return name


def time_unit(frame: Frame) -> int:
    """The ledger's time unit in seconds: its profile's tick (one step, a day for dates, an hour or a minute
    when every time falls on one; :mod:`~wildtrace.money._profile`), unless that cuts the span into more
    than 100,000 ticks (free timestamps: a tick of one second), when the calendar unit (minute, hour, day)
    that cuts it into at most 1,000 is used."""
    profile = frame.profile
    tick, span = max(1, profile.tick_seconds), profile.span_seconds
    if span // tick <= 100_000:
        return tick
    return next((unit for unit in (60, 3600) if span / unit <= 1000), 86400)


def build_features(frame: Frame, hits: pd.DataFrame | None = None, unit: int | None = None) -> pd.DataFrame:
    """One row per account of ``mx_tx`` (``account`` and the feature columns), from the payments and from
    the typology ``hits`` (subject, typology, score) of a run on the same frame."""
    con = frame.con
    unit = unit or time_unit(frame)
    con.execute(_PAYMENTS.format(unit=unit))
    con.execute(_PAIRS)
    base = frame.df(_base_sql(unit))
    base = base.set_index("account")
    base = base.join(_typology_strengths(hits), how="left")
    typ_cols = [c for c in base.columns if c.startswith("typ_")]
    base[typ_cols] = base[typ_cols].fillna(0.0)
    base["typology_max"] = base[typ_cols].max(axis=1) if typ_cols else 0.0
    out = base.join(_neighbours(frame, base[list(NEIGHBOUR_OF)]), how="left")
    for table in ("mx_fp", "mx_fpc", "mx_fdeg"):
        con.execute(f"DROP TABLE IF EXISTS {table}")
    return out.reset_index().rename(columns={"index": "account"})


_PAYMENTS = """
    CREATE OR REPLACE TEMP TABLE mx_fp AS
    WITH x AS (SELECT id, t, payer, payee, amount, percent_rank() OVER (ORDER BY amount) AS p,
                      median(amount) OVER (PARTITION BY payer) AS payer_usual,
                      median(amount) OVER (PARTITION BY payee) AS payee_usual
               FROM mx_tx WHERE payer <> payee AND amount > 0 AND t IS NOT NULL)
    SELECT id, payer AS account, payee AS cp, -1 AS dir, t, (t - t0) // {unit} AS u, amount, p,
           ln(amount / payee_usual) AS cp_dev FROM x, (SELECT min(t) AS t0 FROM x)
    UNION ALL
    SELECT id, payee, payer, 1, t, (t - t0) // {unit}, amount, p, ln(amount / payer_usual) FROM x,
           (SELECT min(t) AS t0 FROM x)"""

_PAIRS = """
    CREATE OR REPLACE TEMP TABLE mx_fpc AS
    SELECT account, cp, bool_or(dir = 1) AS ins, bool_or(dir = -1) AS outs FROM mx_fp GROUP BY ALL;
    CREATE OR REPLACE TEMP TABLE mx_fdeg AS
    WITH d AS (SELECT account, count(*) AS d FROM mx_fpc GROUP BY account)
    SELECT account, d, d > (SELECT quantile_disc(d, 0.99) FROM d) AS hub FROM d"""


def _base_sql(unit: int) -> str:
    passed = f"lag <= {PASS_UNITS} AND s_out BETWEEN {PASS_RATIO[0]} * s_in AND {PASS_RATIO[1]} * s_in"
    windows = "\n".join(f"""
    , w{w} AS (SELECT account, max(n) FILTER (WHERE dir = 1) AS mi, max(n) FILTER (WHERE dir = -1) AS mo,
                     avg(n) FILTER (WHERE dir = 1) AS ai, avg(n) FILTER (WHERE dir = -1) AS ao
               FROM (SELECT account, dir, u // {w} AS b, count(DISTINCT cp) AS n FROM mx_fp GROUP BY ALL)
               GROUP BY account)""" for w in WINDOWS)
    window_cols = ",\n".join(
        f"coalesce(w{w}.mi, 0) AS max_cp_in_{w}, coalesce(w{w}.mo, 0) AS max_cp_out_{w}, "
        f"coalesce(w{w}.mi / w{w}.ai, 0) AS burst_in_{w}, coalesce(w{w}.mo / w{w}.ao, 0) AS burst_out_{w}"
        for w in WINDOWS)
    window_joins = " ".join(f"LEFT JOIN w{w} USING (account)" for w in WINDOWS)
    return f"""
    WITH span AS (SELECT min(t) AS t0, greatest(max(t) - min(t), {unit}) AS len,
                         greatest(max(u) - min(u) + 1, 1) AS units FROM mx_fp),
    deg AS (SELECT account, d FROM mx_fdeg),
    hubs AS (SELECT account FROM mx_fdeg WHERE hub),
    a AS (
      SELECT account, count(*) AS n, count(*) FILTER (WHERE dir = 1) AS n_in, count(*) FILTER (WHERE dir = -1) AS n_out,
             count(DISTINCT cp) FILTER (WHERE dir = 1) AS cp_in, count(DISTINCT cp) FILTER (WHERE dir = -1) AS cp_out,
             sum(amount) FILTER (WHERE dir = 1) AS s_in, sum(amount) FILTER (WHERE dir = -1) AS s_out,
             avg(p) FILTER (WHERE dir = 1) AS pct_in_mean, avg(p) FILTER (WHERE dir = -1) AS pct_out_mean,
             min(p) FILTER (WHERE dir = 1) AS pct_in_min, min(p) FILTER (WHERE dir = -1) AS pct_out_min,
             max(p) FILTER (WHERE dir = 1) AS pct_in_max, max(p) FILTER (WHERE dir = -1) AS pct_out_max,
             stddev_pop(amount) FILTER (WHERE dir = 1) / avg(amount) FILTER (WHERE dir = 1) AS cv_in,
             stddev_pop(amount) FILTER (WHERE dir = -1) / avg(amount) FILTER (WHERE dir = -1) AS cv_out,
             ln(min(amount) / median(amount)) AS own_min_dev, ln(max(amount) / median(amount)) AS own_max_dev,
             avg(cp_dev) FILTER (WHERE dir = -1) AS cp_dev_out, avg(cp_dev) FILTER (WHERE dir = 1) AS cp_dev_in,
             avg(abs(cp_dev)) AS cp_dev_abs,
             count(DISTINCT u) AS active_units, min(t) AS first_t, max(t) AS last_t,
             count(*) FILTER (WHERE cp IN (SELECT account FROM hubs)) AS with_hubs
      FROM mx_fp GROUP BY account),
    rel AS (SELECT median(n) AS n, median(n_in) AS n_in, median(n_out) AS n_out, median(cp_in) AS cp_in,
                   median(cp_out) AS cp_out FROM a),
    dup AS (SELECT account, sum(c) FILTER (WHERE c > 1) / sum(c) AS same_amount_share
            FROM (SELECT account, amount, count(*) AS c FROM mx_fp GROUP BY ALL) GROUP BY account),
    pairs AS (SELECT mx_fpc.account, avg(CASE WHEN ins AND outs THEN 1.0 ELSE 0.0 END) AS reciprocal,
                     avg(d.d) AS cp_deg
              FROM mx_fpc JOIN mx_fdeg d ON d.account = mx_fpc.cp GROUP BY mx_fpc.account),
    gaps AS (SELECT account, stddev_pop(g) / nullif(avg(g), 0) AS gap_cv FROM (
               SELECT account, t - lag(t) OVER (PARTITION BY account ORDER BY t) AS g FROM mx_fp)
             WHERE g IS NOT NULL GROUP BY account),
    au AS (SELECT account, u, sum(amount) FILTER (WHERE dir = 1) AS s_in, sum(amount) FILTER (WHERE dir = -1) AS s_out
           FROM mx_fp GROUP BY account, u),
    nxt AS (SELECT i.account, i.s_in, o.s_out, o.u - i.u AS lag
            FROM (SELECT account, u, s_in FROM au WHERE s_in > 0) i
            ASOF LEFT JOIN (SELECT account, u, s_out FROM au WHERE s_out > 0) o
              ON o.account = i.account AND o.u >= i.u),
    pass AS (SELECT account,
                    sum(s_in) FILTER (WHERE {passed}) / sum(s_in) AS pass_share,
                    median(lag) FILTER (WHERE {passed}) AS pass_delay
             FROM nxt GROUP BY account),
    edge AS (SELECT account AS a, cp AS b FROM mx_fpc
             WHERE outs AND account NOT IN (SELECT account FROM hubs) AND cp NOT IN (SELECT account FROM hubs)),
    tri AS (SELECT acc AS account, count(*) AS tri FROM (  -- each cycle once, from its smallest account
              SELECT e1.a, e2.a AS b, e3.a AS c FROM edge e1 JOIN edge e2 ON e2.a = e1.b AND e2.b > e1.a
              JOIN edge e3 ON e3.a = e2.b AND e3.b = e1.a WHERE e1.b > e1.a),
            unnest([a, b, c]) AS u(acc) GROUP BY acc)
    {windows}
    SELECT a.account,
           a.n / rel.n AS n_rel, a.n_in / greatest(rel.n_in, 1) AS n_in_rel,
           a.n_out / greatest(rel.n_out, 1) AS n_out_rel, a.cp_in / greatest(rel.cp_in, 1) AS cp_in_rel,
           a.cp_out / greatest(rel.cp_out, 1) AS cp_out_rel, a.n_out / a.n AS out_share,
           a.n_in / nullif(a.cp_in, 0) AS repeat_in, a.n_out / nullif(a.cp_out, 0) AS repeat_out,
           coalesce(reciprocal, 0) AS reciprocal,
           (coalesce(s_out, 0) - coalesce(s_in, 0)) / (coalesce(s_out, 0) + coalesce(s_in, 0)) AS flow_balance,
           pct_in_mean, pct_out_mean, pct_in_min, pct_out_min, pct_in_max, pct_out_max, cv_in, cv_out,
           own_min_dev, own_max_dev, coalesce(same_amount_share, 0) AS same_amount_share,
           cp_dev_out, cp_dev_in, cp_dev_abs,
           active_units / span.units AS active_share, (first_t - span.t0) / span.len AS first_pos,
           (last_t - span.t0) / span.len AS last_pos, gap_cv,
           pass_share, pass_delay, coalesce(tri.tri, 0) AS tri,
           cp_deg / (SELECT median(d) FROM deg) AS cp_deg_mean, with_hubs / a.n AS hub_share,
           {window_cols}
    FROM a CROSS JOIN span CROSS JOIN rel LEFT JOIN dup USING (account) LEFT JOIN pairs USING (account)
    LEFT JOIN gaps USING (account) LEFT JOIN pass USING (account) LEFT JOIN tri USING (account)
    {window_joins}
    ORDER BY a.account"""


def _typology_strengths(hits: pd.DataFrame | None) -> pd.DataFrame:
    """Per account, the strongest hit of each typology (``typ_<name>``), exposure hits included."""
    if hits is None or hits.empty:
        return pd.DataFrame()
    acc = hits[hits["subject_kind"] == "account"]
    if acc.empty:
        return pd.DataFrame()
    wide = acc.pivot_table(index="subject", columns="typology", values="score", aggfunc="max")
    wide.columns = [f"typ_{c}" for c in wide.columns]
    return wide


def _neighbours(frame: Frame, own: pd.DataFrame) -> pd.DataFrame:
    """Means and maxima of ``own`` over each account's distinct counterparties (one hop), and means of the
    one-hop means over the counterparties (two hops)."""
    con = frame.con
    con.register("_mx_own", own.reset_index().rename(columns={"index": "account"}))
    cols = list(own.columns)
    one = frame.df(f"""
        WITH nb AS (SELECT account, cp FROM mx_fpc)
        SELECT nb.account, {', '.join(f'avg(o."{c}") AS "nb1_mean_{c}", max(o."{c}") AS "nb1_max_{c}"' for c in cols)}
        FROM nb JOIN _mx_own o ON o.account = nb.cp GROUP BY nb.account""")
    con.register("_mx_one", one)
    two = frame.df(f"""
        WITH nb AS (SELECT account, cp FROM mx_fpc)
        SELECT nb.account, {', '.join(f'avg(o."nb1_mean_{c}") AS "nb2_mean_{c}"' for c in cols)}
        FROM nb JOIN _mx_one o ON o.account = nb.cp GROUP BY nb.account""")
    con.unregister("_mx_own")
    con.unregister("_mx_one")
    return one.set_index("account").join(two.set_index("account"), how="left")
