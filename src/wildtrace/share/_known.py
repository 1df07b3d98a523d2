"""The store's own identifiers, found wherever they occur in a text however it is written.

Handles, account ids, phones, payment accounts and the names on KYC records, waybills and seizures are read
from the store with the class the redaction policy gives their field. A text is matched in a *compact view*:
folded (NFKC, case-folded: full-width forms become ASCII), Chinese numerals read as digits inside long digit
runs, and everything but letters and digits left out, so "m o u n t a i n 9 7 5 0", "WX ORCHID10501" and
"一三九 1234 5678" all meet the identifier they spell. A latin or digit value must start and end on a boundary
of the original text (a separator, a non-latin character or the end), so "5220213446" is not found inside a
longer number.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import ahocorasick
import phonenumbers

from wildtrace.extract import View, digit_view, load_vocabulary
from wildtrace.share._policy import Policy
from wildtrace.store import Store

# Where the store keeps identifiers: table, the policy's record kind, the columns (JSON lists marked ``[]``).
SOURCES = (
    ("accounts", "account", ("id", "handle")),
    ("payment_accounts", "payment_account", ("payment_account", "holder_name", "holder_phone")),
    ("shipments", "shipment", ("sender_name", "sender_phone", "receiver_name", "receiver_phone", "picked_up_by")),
    ("transactions", "transaction", ("payer", "payee")),
    ("seizures", "seizure", ("phones[]", "names[]")),
)
MIN_LATIN = 5  # shorter latin/digit values (ids like "t-1", QQ numbers of 5 digits) would hit ordinary words
MIN_LATIN_WORDS = 4  # a name of several words ("Li Si") is distinctive sooner
MIN_DIGITS = 7
MIN_OTHER = 2  # a Chinese name has two or three characters


def _is_latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


@dataclass(frozen=True)
class Compact:
    """Letters and digits of a folded text; ``where[i]`` is the original span of compact character ``i``."""

    text: str
    where: tuple[tuple[int, int], ...]
    gap_before: tuple[bool, ...]

    @classmethod
    def of(cls, text: str) -> Compact:
        view = View.of(text)
        folded = digit_view(view.text, load_vocabulary().cn_digits)
        chars, where, gaps = [], [], []
        gap = True
        for i, ch in enumerate(folded):
            if ch.isalnum():
                chars.append(ch)
                where.append(view.span(i, i + 1))
                gaps.append(gap)
                gap = False
            else:
                gap = True
        return cls("".join(chars), tuple(where), tuple(gaps))

    def bounded(self, a: int, b: int) -> bool:
        """Whether compact characters ``a:b`` stand on their own (not inside a longer latin or digit word)."""
        left = a == 0 or self.gap_before[a] or not (_is_latin(self.text[a]) and _is_latin(self.text[a - 1]))
        right = b == len(self.text) or self.gap_before[b] or not (
            _is_latin(self.text[b - 1]) and _is_latin(self.text[b]))
        return left and right


def compact(value: str) -> str:
    """The compact form a value is matched in (see :class:`Compact`)."""
    return Compact.of(value).text


def _variants(value: str) -> Iterator[str]:
    """The value and the forms it is written in: the part after ``app:``/``wallet:``, a phone's national number."""
    yield value
    if ":" in value:
        yield value.split(":", 1)[1]
    digits = value.lstrip("+")
    if value.startswith("+") and digits.isdigit():
        with contextlib.suppress(phonenumbers.NumberParseException):
            yield str(phonenumbers.parse(value).national_number)


def _long_enough(key: str, form: str) -> bool:
    if key.isdigit():
        return len(key) >= MIN_DIGITS
    if all(_is_latin(c) for c in key):
        return len(key) >= (MIN_LATIN_WORDS if len(form.split()) > 1 else MIN_LATIN)
    return len(key) >= MIN_OTHER


class KnownValues:
    """An Aho-Corasick automaton over the compact forms of known values, each with its policy classes."""

    def __init__(self, values: Iterable[tuple[str, str]] = ()) -> None:
        classes: dict[str, set[str]] = {}
        for value, cls in values:
            for form in _variants(str(value).strip()):
                key = compact(form)
                if _long_enough(key, form):
                    classes.setdefault(key, set()).add(cls)
        self.size = len(classes)
        self._automaton = ahocorasick.Automaton()
        for key, found in classes.items():
            self._automaton.add_word(key, (len(key), frozenset(found)))
        if classes:
            self._automaton.make_automaton()

    def __contains__(self, value: str) -> bool:
        return self.size > 0 and compact(value) in self._automaton

    def find(self, text: str) -> list[tuple[int, int, frozenset[str]]]:
        """Original spans of ``text`` where a known value occurs, with the value's classes."""
        if not self.size or not text:
            return []
        view = Compact.of(text)
        out = []
        for end, (length, classes) in self._automaton.iter(view.text):
            a, b = end - length + 1, end + 1
            if view.bounded(a, b):
                out.append((view.where[a][0], view.where[b - 1][1], classes))
        return out


def known_values(store: Store, policy: Policy) -> KnownValues:
    """Every identifier of the store (see ``SOURCES`` and ``account_identifiers``) with its class."""
    values: list[tuple[str, str]] = []
    for table, kind, columns in SOURCES:
        for column in columns:
            name = column.removesuffix("[]")
            cls = policy.class_of(kind, name, {})
            if cls is None:
                continue
            rows = store.query(f"SELECT DISTINCT {name} AS v FROM {table} WHERE {name} IS NOT NULL")
            for r in rows:
                items = json.loads(r["v"]) if column.endswith("[]") else [r["v"]]
                values += [(str(v), cls) for v in items if v]
    for r in store.query("SELECT DISTINCT kind, value, raw FROM account_identifiers"):
        cls = policy.class_of("identifier", "value", {"kind": r["kind"]})
        if cls is not None:
            values += [(str(v), cls) for v in (r["value"], r["raw"]) if v]
    return KnownValues(values)


def store_fingerprint(store: Store) -> tuple[int, ...]:
    """Row counts of the tables identifiers come from: known values are read again when one changes."""
    tables = [t for t, _, _ in SOURCES] + ["account_identifiers"]
    row = store.query("SELECT " + ", ".join(f"(SELECT count(*) FROM {t}) AS n{i}" for i, t in enumerate(tables)))
    return tuple(int(v) for v in row[0].values())


def has_tables(store: Store, *tables: str) -> bool:
    """Whether every table exists (a later stage's tables may not be there yet)."""
    rows = store.query("SELECT table_name FROM information_schema.tables WHERE table_name IN ("
                       + ", ".join("?" for _ in tables) + ")", list(tables))
    return {r["table_name"] for r in rows} >= set(tables)


def store_ids(store: Store) -> list[str]:
    """Ids a pseudonym may stand for in a request: accounts and traders."""
    ids = [r["id"] for r in store.query("SELECT id FROM accounts")]
    if has_tables(store, "link_traders"):
        ids += [r["trader_id"] for r in store.query("SELECT trader_id FROM link_traders")]
    return ids
