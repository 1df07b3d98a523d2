"""Watchlists (known offenders, sanctioned entities) in FollowTheMoney format, such as OpenSanctions'
exports, and screening of names and identifiers against them: names fuzzy across scripts and
transliterations (:func:`name_key`, then rapidfuzz), phones and account numbers exact, with reasons."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from followthemoney import model
from followthemoney.types import registry
from rapidfuzz import fuzz, process

from wildtrace.log import get_logger
from wildtrace.money._constants import WATCHLIST
from wildtrace.money._frame import Frame
from wildtrace.money._names import name_key
from wildtrace.money._registry import HIT_COLUMNS
from wildtrace.store import Store

log = get_logger(__name__)
_PUNCT = re.compile(r"[\s+().-]")
WATCHLIST_WEIGHT = 0.8
NAME_THRESHOLD = 88.0


@dataclass(frozen=True)
class WatchMatch:
    query: str
    list_name: str
    entity_id: str
    caption: str
    score: float
    reason: str


def identifier_key(value: str) -> str:
    """Phones and account numbers compared as digits (a mainland China +86 dropped); others lower-case."""
    v = value.strip().lower()
    for prefix in ("bank:", "tel:", "wallet:"):
        v = v.removeprefix(prefix)
    compact = _PUNCT.sub("", v)
    if compact.isdigit():
        return compact[2:] if len(compact) == 13 and compact.startswith("86") else compact
    return compact


def read_ftm(path: str | Path) -> Iterator[dict]:
    """FollowTheMoney entities, one JSON object a line; a bad line is skipped with its number logged."""
    with Path(path).open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                proxy = model.get_proxy(data)
            except (ValueError, TypeError, KeyError) as exc:
                log.warning("%s:%d: not a FollowTheMoney entity: %s", path, n, exc)
                continue
            idents = (proxy.get_type_values(registry.phone) + proxy.get_type_values(registry.identifier)
                      + proxy.get_type_values(registry.email))
            yield {"entity_id": proxy.id, "schema": proxy.schema.name, "caption": proxy.caption,
                   "names": proxy.get_type_values(registry.name), "identifiers": idents,
                   "data": json.dumps(proxy.to_dict(), ensure_ascii=False)}


def load_watchlist(store: Store, path: str | Path, list_name: str) -> int:
    """Load (or refresh) watchlist ``list_name`` from a FtM JSON Lines file; returns entities stored."""
    rows = [{"list_name": list_name, **e, "names": json.dumps(e["names"], ensure_ascii=False),
             "identifiers": json.dumps(e["identifiers"], ensure_ascii=False)} for e in read_ftm(path)]
    cols = ["list_name", "entity_id", "schema", "caption", "names", "identifiers", "data"]
    with store.transaction():
        store.execute("DELETE FROM watchlist_entries WHERE list_name = ?", (list_name,))
        store.insert_rows("watchlist_entries", rows, cols, ["list_name", "entity_id"])
    return len(rows)


class Watchlists:
    """The loaded lists, indexed for screening."""

    def __init__(self, entries: Iterable[dict]) -> None:
        self.entries = list(entries)
        self._names: list[tuple[str, int, str]] = []
        self._ids: dict[str, list[int]] = {}
        for i, e in enumerate(self.entries):
            for name in json.loads(e["names"]) if isinstance(e["names"], str) else e["names"]:
                key = name_key(name)
                if key:
                    self._names.append((key, i, name))
            for ident in json.loads(e["identifiers"]) if isinstance(e["identifiers"], str) else e["identifiers"]:
                self._ids.setdefault(identifier_key(ident), []).append(i)
        self._keys = [k for k, _, _ in self._names]

    @classmethod
    def from_store(cls, store: Store) -> Watchlists:
        return cls(store.query("SELECT * FROM watchlist_entries"))

    def __len__(self) -> int:
        return len(self.entries)

    def screen(self, name: str | None = None, identifiers: Iterable[str] = (),
               threshold: float = NAME_THRESHOLD) -> list[WatchMatch]:
        """Matches of one party (a name and/or identifiers), best first, each with its reason."""
        found: dict[tuple[str, str], WatchMatch] = {}

        def keep(i: int, query: str, score: float, reason: str) -> None:
            e = self.entries[i]
            k = (e["list_name"], e["entity_id"])
            if k not in found or found[k].score < score:
                found[k] = WatchMatch(query, e["list_name"], e["entity_id"], e["caption"], round(score, 1), reason)

        for ident in identifiers:
            if ident:
                for i in self._ids.get(identifier_key(ident), []):
                    keep(i, ident, 100.0, f"identifier {ident} is on the list")
        key = name_key(name)
        if key and self._keys:
            for _, score, pos in process.extract(key, self._keys, scorer=fuzz.token_sort_ratio,
                                                 score_cutoff=threshold, limit=10):
                listed_key, i, listed = self._names[pos]
                how = "same name" if listed_key == key else f"similar name ({score:.0f}/100)"
                keep(i, name or "", float(score), f"{how} after transliteration: {name!r} ~ {listed!r}")
        return sorted(found.values(), key=lambda m: -m.score)


def watchlist_hits(frame: Frame, lists: Watchlists, threshold: float = NAME_THRESHOLD) -> pd.DataFrame:
    """Hits (``HIT_COLUMNS``) for payment-account holders (KYC), waybill senders and receivers, and
    payment endpoints that match a watchlist entity."""
    if not len(lists):
        return pd.DataFrame(columns=HIT_COLUMNS)
    parties = frame.df("""
        SELECT payment_account AS subject, 'account' AS subject_kind, [holder_name] AS names,
               [payment_account, holder_phone] AS ids, [] :: VARCHAR[] AS evidence FROM mx_kyc
        UNION ALL
        SELECT 'phone:' || phone, 'phone', list(DISTINCT name ORDER BY name) FILTER (WHERE name IS NOT NULL),
               [phone], list(DISTINCT waybill ORDER BY waybill) FROM (
            SELECT sender_phone AS phone, sender_name AS name, waybill FROM mx_shp
            UNION ALL SELECT receiver_phone, receiver_name, waybill FROM mx_shp) WHERE phone IS NOT NULL GROUP BY phone
        UNION ALL
        SELECT e, 'account', [] :: VARCHAR[], [e], [] :: VARCHAR[]
        FROM (SELECT payer AS e FROM mx_tx UNION SELECT payee FROM mx_tx)
        WHERE e NOT IN (SELECT payment_account FROM mx_kyc)
        ORDER BY subject""")
    rows: list[tuple] = []
    for p in parties.itertuples(index=False):
        ids = [i for i in p.ids if i]  # a phone's parcels carry every name it was used under: each is screened
        found = [m for name in (list(p.names) or [None]) for m in lists.screen(name, ids, threshold)]
        best_per_entry = {(m.list_name, m.entity_id): m for m in sorted(found, key=lambda m: m.score)}
        matches = sorted(best_per_entry.values(), key=lambda m: -m.score)
        if matches:
            best = matches[0]
            reason = "; ".join(f"{m.list_name}:{m.entity_id} ({m.caption}): {m.reason}" for m in matches[:3])
            score = round(WATCHLIST_WEIGHT * best.score / 100, 4)
            rows.append((WATCHLIST, p.subject, p.subject_kind, score, reason, list(p.evidence), [], False, score))
    return pd.DataFrame(rows, columns=HIT_COLUMNS)
