"""The analytic frame: one DuckDB connection holding the money data in canonical views.

Detectors are SQL over these relations, whatever the source (the store, or a CSV / Parquet / JSON Lines
export read directly for scale):

- ``mx_tx``: id, t (epoch seconds, UTC), local_hour, payer, payee, amount, currency, channel
- ``mx_accounts``: every payer and payee once: name, i (its number in the order of names), first_t (its
  first payment's time), timed (how many of its payments have a time)
- ``mx_shp``: waybill, t, sender_name, sender_phone, receiver_name, receiver_phone, declared_contents,
  weight_g, courier, picked_up_by
- ``mx_seizures``: id, waybill, phones (list), names (list)
- ``mx_kyc``: payment_account, holder_name, holder_phone, t_opened
- ``mx_flagged``: identifiers of flagged sellers (kind, value, account_id, post_id, tier)
- ``mx_ads``: advertised prices of flagged posts (account_id, post_id, price, weight_g, price_per_gram)
- ``mx_traders``: account_id -> trader_id from the linking stage (empty when it has not run)
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from wildtrace.config import load_settings, share_of_ram, spill_dir
from wildtrace.money._profile import LedgerProfile, infer_profile
from wildtrace.store import DuckDBStore, Store

TX_FIELDS = ("id", "time", "payer", "payee", "amount", "currency", "channel")
_SAFE = re.compile(r"^[\w .:/-]+$")
STEP_EPOCH = 946684800  # 2000-01-01T00:00:00Z: integer steps count from here, so step-hours keep the hour of day
EPOCH_S = 100_000_000  # integer times from here on are epoch seconds (1973 on), not steps
EPOCH_MS = 100_000_000_000  # and from here on epoch milliseconds


@dataclass
class Frame:
    """A DuckDB connection with the canonical relations, and what they were built from."""

    con: duckdb.DuckDBPyConnection
    source: str
    counts: dict[str, int] = field(default_factory=dict)
    shared: bool = False  # the connection is a store's, and outlives the frame
    profile: LedgerProfile = field(default_factory=LedgerProfile)

    def close(self) -> None:
        """Close a connection of the frame's own; on a store's connection, drop the frame's relations and
        reset the memory settings :func:`limit_memory` and the shared pattern tables changed."""
        if not self.shared:
            self.con.close()
            return
        for (name,) in self.con.execute("SELECT table_name FROM duckdb_tables() WHERE temporary "
                                        "AND starts_with(table_name, 'mx_')").fetchall():
            self.con.execute(f"DROP TABLE IF EXISTS {name}")
        for name in ("memory_limit", "temp_directory", "preserve_insertion_order"):
            with contextlib.suppress(duckdb.NotImplementedException):  # a connection keeps the folder it spilled to
                self.con.execute(f"RESET {name}")

    def df(self, sql: str, params: list | None = None) -> pd.DataFrame:
        return self.con.execute(sql, params or []).df()

    def scalar(self, sql: str) -> int:
        return int(self.con.execute(sql).fetchall()[0][0])  # fetched to the end: the connection takes new work


def _col(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _reader(path: Path) -> str:
    p = str(path).replace("'", "''")
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return f"read_parquet('{p}')"
    if suffix in (".jsonl", ".json", ".ndjson"):
        return f"read_json_auto('{p}', format='newline_delimited')"
    return f"read_csv('{p}', all_varchar=true, header=true)"


def tx_select(columns: dict[str, str], step_seconds: int = 3600, parse: str = "both") -> str:
    """SQL projecting a raw relation ``raw`` with ``columns`` (field -> source column) onto ``mx_tx``.

    ``time`` may be an ISO timestamp or date (its own UTC offset gives the local hour; none means UTC),
    epoch seconds or milliseconds, or an integer step of ``step_seconds`` counted from 2000-01-01T00:00Z.
    ``parse`` says which of those the values are (:func:`_time_kind`): ``int``, ``text`` or ``both``; a
    parse that no value needs is left out (a failed cast of every time costs as much as a parse).
    """
    for f in ("payer", "payee", "amount"):
        if f not in columns:
            raise ValueError(f"transactions: no column for required field '{f}' (map it: --map {f}=COLUMN)")
    unknown = set(columns) - set(TX_FIELDS)
    if unknown:
        raise ValueError(f"transactions: unknown field(s) {sorted(unknown)} in the mapping; expected {TX_FIELDS}")
    tcol = f"CAST({_col(columns['time'])} AS VARCHAR)" if "time" in columns else "CAST(NULL AS VARCHAR)"
    idcol = (f"CAST({_col(columns['id'])} AS VARCHAR)" if "id" in columns
             else "'row' || CAST(row_number() OVER () AS VARCHAR)")
    opt = {f: f"CAST({_col(columns[f])} AS VARCHAR)" if f in columns else "NULL" for f in ("currency", "channel")}
    iv = "CAST(NULL AS BIGINT)" if parse == "text" else "TRY_CAST(tv AS BIGINT)"
    ts = "CAST(NULL AS BIGINT)" if parse == "int" else "CAST(epoch(TRY_CAST(tv AS TIMESTAMPTZ)) AS BIGINT)"
    return f"""
        WITH r AS (
          SELECT {idcol} AS id, {tcol} AS tv,
                 CASE WHEN regexp_full_match(right({tcol}, 6), '[+-]\\d\\d:\\d\\d') THEN right({tcol}, 6)
                      WHEN regexp_full_match(right({tcol}, 5), '[+-]\\d{{4}}') THEN right({tcol}, 5) END AS o,
                 CAST({_col(columns['payer'])} AS VARCHAR) AS payer, CAST({_col(columns['payee'])} AS VARCHAR) AS payee,
                 TRY_CAST({_col(columns['amount'])} AS DOUBLE) AS amount,
                 {opt['currency']} AS currency, {opt['channel']} AS channel
          FROM raw),
        n AS (SELECT *, {iv} AS iv FROM r),
        s AS (
          SELECT *, coalesce(CASE WHEN iv >= {EPOCH_MS} THEN iv // 1000 WHEN iv >= {EPOCH_S} THEN iv
                                  ELSE iv * {int(step_seconds)} + {STEP_EPOCH} END, {ts}) AS t,
                    CASE WHEN o IS NULL THEN 0 ELSE (CASE WHEN o[1] = '-' THEN -1 ELSE 1 END)
                         * (CAST(o[2:3] AS INTEGER) * 60 + CAST(right(o, 2) AS INTEGER)) END AS tz_min
          FROM n)
        SELECT id, t, CAST((((t + tz_min * 60) % 86400) + 86400) % 86400 // 3600 AS INTEGER) AS local_hour,
               payer, payee, amount, currency, channel
        FROM s WHERE payer IS NOT NULL AND payee IS NOT NULL AND amount IS NOT NULL"""


_STORE_TX = """
    SELECT id, coalesce(CAST(epoch(CAST(time AS TIMESTAMPTZ)) AS BIGINT), CAST(step AS BIGINT) * {step} + {epoch}) AS t,
           CAST((((coalesce(CAST(epoch(CAST(time AS TIMESTAMPTZ)) AS BIGINT), CAST(step AS BIGINT) * {step} + {epoch})
                   + coalesce(CAST(time_tz AS INTEGER), 0) * 60) % 86400) + 86400) % 86400 // 3600 AS INTEGER)
             AS local_hour,
           CAST(payer AS VARCHAR) AS payer, CAST(payee AS VARCHAR) AS payee, CAST(amount AS DOUBLE) AS amount,
           CAST(currency AS VARCHAR) AS currency, CAST(channel AS VARCHAR) AS channel
    FROM {src}"""
_STORE_SHP = """
    SELECT waybill, CAST(epoch(CAST(time AS TIMESTAMPTZ)) AS BIGINT) AS t, sender_name, sender_phone, receiver_name,
           receiver_phone, CAST(address AS VARCHAR) AS address, CAST(declared_contents AS VARCHAR) AS declared_contents,
           CAST(weight_g AS DOUBLE) AS weight_g, CAST(courier AS VARCHAR) AS courier,
           CAST(picked_up_by AS VARCHAR) AS picked_up_by
    FROM {src}"""
_STORE_KYC = ("SELECT payment_account, CAST(holder_name AS VARCHAR) AS holder_name, CAST(holder_phone AS VARCHAR) "
              "AS holder_phone, CAST(epoch(CAST(opened_at AS TIMESTAMPTZ)) AS BIGINT) AS t_opened FROM {src}")
_STORE_SEIZURES = """
    SELECT id, waybill, CAST(phones AS VARCHAR[]) AS phones, CAST(names AS VARCHAR[]) AS names, species, date
    FROM (SELECT id, waybill, CAST(phones AS JSON) AS phones, CAST(names AS JSON) AS names, species, date FROM {src})"""
_FLAGGED = """
    SELECT DISTINCT i.kind, i.value, i.account_id, p.id AS post_id, v.tier
    FROM {ids} i JOIN {posts} p ON p.account_id = i.account_id
    JOIN {verdicts} v ON v.post_id = p.id
    WHERE v.tier IN ('high', 'medium') AND i.kind IN ('payment_account', 'bank_card', 'phone')"""
_ADS = """
    SELECT p.account_id, v.post_id, v.tier,
           TRY_CAST(coalesce(json_extract_string(v.extracted, '$.price'),
                             json_extract_string(v.extracted, '$.price_cny'),
                             json_extract_string(v.extracted, '$.price.amount')) AS DOUBLE) AS price,
           TRY_CAST(coalesce(json_extract_string(v.extracted, '$.weight_g'),
                             json_extract_string(v.extracted, '$.weight')) AS DOUBLE) AS weight_g,
           TRY_CAST(coalesce(json_extract_string(v.extracted, '$.price_per_gram_cny'),
                             json_extract_string(v.extracted, '$.price_per_gram')) AS DOUBLE) AS price_per_gram
    FROM {verdicts} v JOIN {posts} p ON p.id = v.post_id
    WHERE v.tier IN ('high', 'medium')"""
_EMPTY = {
    "mx_tx": "SELECT ''::VARCHAR AS id, 0::BIGINT AS t, 0 AS local_hour, ''::VARCHAR AS payer, "
             "''::VARCHAR AS payee, 0.0::DOUBLE AS amount, ''::VARCHAR AS currency, ''::VARCHAR AS channel WHERE false",
    "mx_shp": "SELECT ''::VARCHAR AS waybill, 0::BIGINT AS t, ''::VARCHAR AS sender_name, ''::VARCHAR AS sender_phone, "
              "''::VARCHAR AS receiver_name, ''::VARCHAR AS receiver_phone, ''::VARCHAR AS address, "
              "''::VARCHAR AS declared_contents, 0.0::DOUBLE AS weight_g, ''::VARCHAR AS courier, "
              "''::VARCHAR AS picked_up_by WHERE false",
    "mx_kyc": "SELECT ''::VARCHAR AS payment_account, ''::VARCHAR AS holder_name, ''::VARCHAR AS holder_phone, "
              "0::BIGINT AS t_opened WHERE false",
    "mx_seizures": "SELECT ''::VARCHAR AS id, ''::VARCHAR AS waybill, []::VARCHAR[] AS phones, "
                   "[]::VARCHAR[] AS names, ''::VARCHAR AS species, NULL::DATE AS date WHERE false",
    "mx_flagged": "SELECT ''::VARCHAR AS kind, ''::VARCHAR AS value, ''::VARCHAR AS account_id, "
                  "''::VARCHAR AS post_id, ''::VARCHAR AS tier WHERE false",
    "mx_ads": "SELECT ''::VARCHAR AS account_id, ''::VARCHAR AS post_id, ''::VARCHAR AS tier, 0.0::DOUBLE AS price, "
              "0.0::DOUBLE AS weight_g, 0.0::DOUBLE AS price_per_gram WHERE false",
    "mx_traders": "SELECT ''::VARCHAR AS account_id, ''::VARCHAR AS trader_id WHERE false",
}
_STORE_TABLES = ("transactions", "shipments", "payment_accounts", "seizures", "account_identifiers", "posts",
                 "verdicts", "link_members")


def _materialise(con: duckdb.DuckDBPyConnection, name: str, sql: str) -> None:
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")


def _phone_sql(expr: str) -> str:
    """A phone as digits with a mainland China country code dropped: the key phones are joined on."""
    digits = f"regexp_replace(coalesce({expr}, ''), '[^0-9]', '', 'g')"
    return (f"CASE WHEN {digits} = '' THEN NULL WHEN length({digits}) = 13 AND {digits} LIKE '86%' "
            f"THEN substr({digits}, 3) WHEN length({digits}) = 15 AND {digits} LIKE '0086%' THEN substr({digits}, 5) "
            f"ELSE {digits} END")


def pay_key_sql(expr: str, kind: str | None = None) -> str:
    """A payment endpoint (``wallet:abc``, ``bank:6222 ...``, or an identifier of ``kind``) in match form,
    the same form the linking stage compares payment identifiers in."""
    low = f"lower(trim(coalesce({expr}, '')))"
    card = f"'bank:' || regexp_replace({low}, '[^0-9]', '', 'g')"
    wallet = f"regexp_replace(regexp_replace({low}, '^wallet:', ''), '\\s', '', 'g')"
    if kind == "bank_card":
        return card
    if kind == "payment_account":
        return wallet
    return f"CASE WHEN {low} LIKE 'bank:%' THEN {card} ELSE {wallet} END"


def _store_sources(store: Store, con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Name of each store table as the frame's connection sees it (copied over from PostgreSQL)."""
    if isinstance(store, DuckDBStore):
        have = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        return {t: t for t in _STORE_TABLES if t in have}
    names = {}
    for table in _STORE_TABLES:
        try:
            frame = pd.DataFrame(store.query(f"SELECT * FROM {table}"))
        except Exception:
            continue
        if not frame.empty:
            con.register(f"_pg_{table}", frame)
            names[table] = f"_pg_{table}"
    return names


def limit_memory(con: duckdb.DuckDBPyConnection) -> None:
    """Cap DuckDB's memory at the ``money_memory_limit`` setting (default a quarter of RAM) and spill past
    it to ``money_spill_dir`` (default: DuckDB's folder beside a store file, else the system temp)."""
    settings = load_settings()
    limit = settings.money_memory_limit or share_of_ram(1 / 4)
    con.execute("SET memory_limit = ?", [limit])
    in_memory = con.execute("SELECT path IS NULL FROM duckdb_databases() WHERE database_name = current_database()"
                            ).fetchone()[0]  # type: ignore[index]
    spill = settings.money_spill_dir or (str(spill_dir()) if in_memory else "")
    if spill and con.execute("SELECT current_setting('temp_directory')").fetchone()[0] != spill:  # type: ignore[index]
        with contextlib.suppress(duckdb.NotImplementedException):  # this connection has spilled elsewhere already
            con.execute("SET temp_directory = ?", [spill])


def _time_kind(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[str, str]:
    """How a ledger gives its times (``sql`` selects them as text): steps, epoch, timestamp or none; and which
    parse they need (:func:`tx_select`): ``int`` when every one is an integer, ``text`` when none is."""
    # a failed integer cast is slow (0.1 s of CPU a million times): a clock time (with a colon) is not tried
    given, ints, top = con.execute(
        f"SELECT count(v), count(TRY_CAST(w AS BIGINT)), max(TRY_CAST(w AS BIGINT)) FROM "
        f"(SELECT v, CASE WHEN contains(v, ':') THEN NULL ELSE v END AS w FROM ({sql}) AS s(v))").fetchone()  # type: ignore[misc]
    parse = "int" if ints == given else "text" if not ints else "both"
    if not given:
        return "none", parse
    if ints == given:
        return ("epoch" if (top or 0) >= EPOCH_S else "step"), parse
    return "timestamp", parse


def open_frame(store: Store | None = None, transactions: str | Path | None = None,
               columns: dict[str, str] | None = None, step_seconds: int = 3600,
               deployment: dict[str, Any] | None = None) -> Frame:
    """Build the frame from ``store`` (flagged sellers, shipments, seizures, KYC and, unless a file is
    given, its transactions) and/or a ``transactions`` file read directly by DuckDB with ``columns``
    mapping WildTrace fields to the file's columns (unmapped fields are looked up by their own name).
    The ledger is profiled (:func:`~wildtrace.money._profile.infer_profile`; a ``deployment`` profile sets
    what should not be inferred). The connection's memory is capped by :func:`limit_memory` until
    :meth:`Frame.close`."""
    deployment = deployment or {}
    step_seconds = int(deployment.get("step_seconds") or step_seconds)
    time_kind = "none"
    shared = isinstance(store, DuckDBStore)
    con = store.connection if isinstance(store, DuckDBStore) else duckdb.connect()
    limit_memory(con)
    src = _store_sources(store, con) if store is not None else {}
    if transactions is not None:
        path = Path(transactions)
        if not path.exists():
            raise FileNotFoundError(f"no such transactions file: {path}")
        con.execute(f"CREATE OR REPLACE TEMP VIEW raw AS SELECT * FROM {_reader(path)}")
        have = [r[0] for r in con.execute("DESCRIBE raw").fetchall()]
        mapping = {f: f for f in TX_FIELDS if f in have}
        mapping.update(columns or {})
        missing = [c for c in mapping.values() if c not in have]
        if missing:
            raise ValueError(f"{path}: no column(s) {missing}; the file has {have}")
        parse = "both"
        if "time" in mapping:
            time_kind, parse = _time_kind(con, f"SELECT CAST({_col(mapping['time'])} AS VARCHAR) FROM raw")
        _materialise(con, "mx_tx", tx_select(mapping, step_seconds, parse))
        con.execute("DROP VIEW raw")
    elif "transactions" in src:
        time_kind, _ = _time_kind(con, f"SELECT coalesce(CAST(time AS VARCHAR), CAST(step AS VARCHAR)) "
                                       f"FROM {src['transactions']}")
        if time_kind == "epoch":  # a store's integers are steps, however large
            time_kind = "step"
        _materialise(con, "mx_tx", _STORE_TX.format(step=int(step_seconds), epoch=STEP_EPOCH,
                                                     src=src["transactions"]))
    built = {
        "mx_shp": _STORE_SHP.format(src=src["shipments"]) if "shipments" in src else None,
        "mx_kyc": _STORE_KYC.format(src=src["payment_accounts"]) if "payment_accounts" in src else None,
        "mx_seizures": _STORE_SEIZURES.format(src=src["seizures"]) if "seizures" in src else None,
        "mx_traders": f"SELECT account_id, trader_id FROM {src['link_members']}" if "link_members" in src else None,
    }
    if {"account_identifiers", "posts", "verdicts"} <= set(src):
        built["mx_flagged"] = _FLAGGED.format(ids=src["account_identifiers"], posts=src["posts"],
                                              verdicts=src["verdicts"])
    if {"posts", "verdicts"} <= set(src):
        built["mx_ads"] = _ADS.format(posts=src["posts"], verdicts=src["verdicts"])
    for name, sql in built.items():
        if sql is not None:
            _materialise(con, name, sql)
    for name, sql in _EMPTY.items():
        if name == "mx_tx" and (transactions is not None or "transactions" in src):
            continue
        if name not in built or built[name] is None:
            _materialise(con, name, sql)
    _accounts(con)
    _normalise_phones(con)
    _register_functions(con)
    if "posts" in src:
        _fill_prices(con, src["posts"])
    _owners(con)
    frame = Frame(con, str(transactions) if transactions else (store.url if store else ":memory:"), shared=shared,
                  profile=infer_profile(con, time_kind, step_seconds, deployment))
    frame.counts = {n: frame.scalar(f"SELECT count(*) FROM {n}")
                    for n in ("mx_tx", "mx_shp", "mx_seizures", "mx_kyc", "mx_flagged", "mx_ads", "mx_traders")}
    return frame


def _accounts(con: duckdb.DuckDBPyConnection) -> None:
    """``mx_accounts``: the ledger's accounts numbered in the order of their names, so that typologies join
    and group on integers (ordering by number is ordering by name), with their first payment's time and how
    many of their payments have one."""
    _materialise(con, "mx_accounts", """
        SELECT name, CAST(row_number() OVER (ORDER BY name) AS INTEGER) AS i, first_t, timed
        FROM (SELECT name, min(t) AS first_t, CAST(count(t) AS INTEGER) AS timed
              FROM (SELECT payer AS name, t FROM mx_tx UNION ALL SELECT payee, t FROM mx_tx) GROUP BY name)""")


def _normalise_phones(con: duckdb.DuckDBPyConnection) -> None:
    """Phones in every relation to one key form, so joins between waybills, KYC and posts work."""
    con.execute(f"""CREATE OR REPLACE TEMP TABLE mx_shp AS SELECT * REPLACE (
        {_phone_sql('sender_phone')} AS sender_phone, {_phone_sql('receiver_phone')} AS receiver_phone) FROM mx_shp""")
    con.execute(f"CREATE OR REPLACE TEMP TABLE mx_kyc AS SELECT * REPLACE ({_phone_sql('holder_phone')} "
                "AS holder_phone) FROM mx_kyc")
    con.execute(f"""CREATE OR REPLACE TEMP TABLE mx_flagged AS
        SELECT kind, CASE WHEN kind = 'phone' THEN {_phone_sql('value')} WHEN kind = 'bank_card'
                          THEN {pay_key_sql('value', 'bank_card')} ELSE {pay_key_sql('value', 'payment_account')}
                     END AS value, account_id, post_id, tier FROM mx_flagged""")
    con.execute(f"""CREATE OR REPLACE TEMP TABLE mx_seizures AS SELECT * REPLACE (
        list_transform(phones, lambda x: {_phone_sql('x')}) AS phones) FROM mx_seizures""")


def _name_key(name: str | None) -> str:
    """:func:`~wildtrace.money._names.name_key`, its transliteration libraries loaded on first use (a ledger
    without parcels or KYC names never calls it)."""
    from wildtrace.money._names import name_key

    return name_key(name)


def _register_functions(con: duckdb.DuckDBPyConnection) -> None:
    with contextlib.suppress(duckdb.CatalogException, duckdb.NotImplementedException):  # from an earlier frame
        con.create_function("mx_name_key", _name_key, ["VARCHAR"], "VARCHAR", side_effects=False)



def _fill_prices(con: duckdb.DuckDBPyConnection, posts: str) -> None:
    """Advertised prices that screening did not record, read from the flagged posts' text by the
    extraction stage's own reader."""
    from wildtrace.extract import extract_fields

    missing = con.execute(f"""SELECT a.post_id, p.text FROM mx_ads a JOIN {posts} p ON p.id = a.post_id
                              WHERE a.price IS NULL AND a.price_per_gram IS NULL""").fetchall()
    rows = []
    for post_id, text in missing:
        f = extract_fields(text or "")
        if f.get("price") or f.get("price_per_gram_cny"):
            rows.append((post_id, f.get("price") if f.get("currency") in (None, "CNY") else None, f.get("weight_g"),
                         f.get("price_per_gram_cny")))
    if rows:
        con.register("_mx_prices", pd.DataFrame(rows, columns=["post_id", "price", "weight_g", "price_per_gram"]))
        con.execute("""UPDATE mx_ads SET price = x.price, weight_g = coalesce(mx_ads.weight_g, x.weight_g),
                       price_per_gram = x.price_per_gram FROM _mx_prices x WHERE x.post_id = mx_ads.post_id""")
        con.unregister("_mx_prices")


def _owners(con: duckdb.DuckDBPyConnection) -> None:
    """``mx_txo``: payments between owners, where accounts with the same KYC holder phone (one person's
    wallet and bank card) are one owner ``holder:<phone>`` (the smallest phone when KYC gives an account
    two, so every run agrees); ``payer_account``/``payee_account`` keep the accounts. Money moved through
    one person's two accounts still closes a cycle or passes through."""
    if con.execute("SELECT count(*) FROM mx_kyc WHERE holder_phone IS NOT NULL").fetchone()[0] == 0:  # type: ignore[index]
        con.execute("""CREATE OR REPLACE TEMP VIEW mx_txo AS SELECT id, t, amount, payer, payee,
                       payer AS payer_account, payee AS payee_account FROM mx_tx""")
        return
    con.execute("""CREATE OR REPLACE TEMP TABLE mx_txo AS
        WITH k AS (SELECT payment_account, min(holder_phone) AS phone FROM mx_kyc
                   WHERE holder_phone IS NOT NULL GROUP BY payment_account)
        SELECT x.id, x.t, x.amount, coalesce('holder:' || a.phone, x.payer) AS payer,
               coalesce('holder:' || b.phone, x.payee) AS payee, x.payer AS payer_account, x.payee AS payee_account
        FROM mx_tx x LEFT JOIN k a ON a.payment_account = x.payer LEFT JOIN k b ON b.payment_account = x.payee""")
