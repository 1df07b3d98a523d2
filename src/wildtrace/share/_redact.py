"""The one redaction path: a record, a workbench document or a free text as one audience may see it.

Exports (FtM, STIX, CSV), reports, case studies, the workbench's API answers and pages, case bundles and
lexicon suggestions all go through :class:`Redactor`, driven by the policy file
(``wildtrace/share/data/redaction.yaml``). Free text loses every identifier the extraction stage reads in it and
every identifier of the store that occurs in it (see ``_known``) unless the audience keeps its class; dates,
prices and weights stay. Record kinds an audience withholds (the policy's ``withhold``) it receives none of.
Pseudonyms are keyed with the audience's own key (:func:`audience_key`, derived from the installation's share
key), so they cannot be derived without the key and two audiences' releases cannot be joined on them;
:meth:`Redactor.unmask` turns a pseudonym back into the store's id for the server.
One thing has one pseudonym: a field that is another name of a thing (an account's handle, an identifier's raw
text) shows the pseudonym of the thing (the policy's ``pseudonym_of``), and a contact is hashed in the form the
extraction stage writes it (:func:`canonical`), so a phone on a parcel and the same phone read in a post match.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import threading
import time
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from wildtrace.extract import identifier_occurrences
from wildtrace.share._known import KnownValues, known_values, store_fingerprint, store_ids
from wildtrace.share._policy import Policy, load_policy
from wildtrace.store import Store

HASH_PREFIX = "h:"
_HASHED = re.compile(r"^h:[0-9a-f]{16}$")
_PSEUDONYM = re.compile(r"(?<![0-9a-z])h:[0-9a-f]{16}(?![0-9a-z])")
# The placeholder of a class in free text.
_PLACEHOLDER = {"contact": "contact", "payment": "payment", "account_ref": "account", "buyer_ref": "account",
                "private_name": "name", "location": "place", "url": "url"}


_PHONE_LIKE = re.compile(r"\+?[0-9][0-9 ()./-]{5,}")
_SEPARATORS = re.compile(r"[ ()./-]")
# A mainland mobile number with or without its country code (most phones of this trade): read without the
# extraction stage, which gives the same E.164 form but costs some 50 us a number.
_CN_MOBILE = re.compile(r"(?:\+86|0086|86)?(1[3-9][0-9]{9})")


@lru_cache(maxsize=65536)
def _canonical_contact(text: str) -> str:
    if not _PHONE_LIKE.fullmatch(text):
        return text
    if mobile := _CN_MOBILE.fullmatch(_SEPARATORS.sub("", text)):
        return "+86" + mobile.group(1)
    for found in identifier_occurrences(text):
        if found.kind == "phone" and found.span == (0, len(text)):
            return found.value
    return text


def canonical(value: str, cls: str | None = None) -> str:
    """The form a value of policy class ``cls`` is hashed in: a contact that is one phone number as the extraction
    stage writes it (E.164: ``13912345678`` and ``+86 139 1234 5678`` are ``+8613912345678``), else itself."""
    return _canonical_contact(value) if cls == "contact" else value


def pseudonym(value: Any, key: bytes, cls: str | None = None) -> str:
    """``h:`` + 16 hex digits of HMAC-SHA256(key, the :func:`canonical` form of value); a pseudonym stays as it is."""
    text = str(value)
    if _HASHED.match(text):
        return text
    return HASH_PREFIX + hmac.new(key, canonical(text, cls).encode(), hashlib.sha256).hexdigest()[:16]


def is_pseudonym(value: str) -> bool:
    return bool(_HASHED.match(value))


def audience_key(key: bytes, audience: str) -> bytes:
    """The pseudonym key of ``audience``: HMAC-SHA256 of its name with the installation's share ``key``. Each
    audience has its own pseudonyms (a partner's and the public's releases do not join on them); an audience keeps
    the same ones in every release as long as the share key stays."""
    return hmac.new(key, b"wildtrace audience pseudonyms:" + audience.encode(), hashlib.sha256).digest()


class Redactor:
    """One audience's view. ``key`` is the installation's share key (the redactor hashes with the audience's
    :func:`audience_key`); ``known`` are the store's identifiers (:func:`known_values`; a plain list of strings is
    taken as contacts); ``ids`` are the store's ids that may be asked for by pseudonym."""

    def __init__(self, audience: str, policy: Policy | None = None, key: bytes = b"",
                 known: KnownValues | Iterable[str] = (), ids: Iterable[str] = ()) -> None:
        self.policy = policy or load_policy()
        self.audience = self.policy.audience(audience).name
        self.actions = self.policy.audience(self.audience).actions
        self.withheld = self.policy.audience(self.audience).withhold
        self.open = all(a == "keep" for a in self.actions.values())
        self.key = audience_key(key, self.audience)
        self.known = known if isinstance(known, KnownValues) else KnownValues((v, "contact") for v in known)
        self._ids = ids
        self._scrub = lru_cache(maxsize=4096)(self._scrub_text)

    # -- values and free text ------------------------------------------------------------------------
    def hidden(self, cls: str) -> bool:
        """Whether this audience loses values of class ``cls`` (anything but keep)."""
        return self.actions.get(cls, "drop") != "keep"

    def receives(self, kind: str) -> bool:
        """Whether this audience receives records of ``kind`` at all (the policy's ``withhold``)."""
        return kind not in self.withheld

    def pseudonym(self, value: str) -> str:
        """``value`` if this audience sees everything, else its keyed pseudonym."""
        return value if self.open else pseudonym(value, self.key)

    def unmask(self, value: str) -> str | None:
        """The store id an asker of this audience means by ``value``: itself for an audience that sees
        everything; for others only a pseudonym is accepted (a real id must not tell its pseudonym)."""
        if self.open:
            return value
        if not is_pseudonym(value):
            return None
        if isinstance(self._ids, dict):
            return self._ids.get(value)
        self._ids = {pseudonym(i, self.key): i for i in self._ids}
        return self._ids.get(value)

    def scrub(self, text: str) -> str:
        """Free text with every identifier this audience may not see replaced by ``[kind]``."""
        return self._scrub(text) if text else text

    def _scrub_text(self, text: str) -> str:
        spans: list[tuple[int, int, int, str]] = []  # start, rank (the extraction stage's name first), end, label
        for f in identifier_occurrences(text):
            cls = self.policy.text_kinds.get(f.kind)
            if cls and self.hidden(cls):
                spans.append((f.span[0], 0, f.span[1], f.kind.replace("_id", "")))
        kept = []  # store values this audience keeps: a pattern's guess does not hide them
        for a, b, classes in self.known.find(text):
            hidden = sorted(c for c in classes if self.hidden(c))
            if hidden:
                spans.append((a, 1, b, _PLACEHOLDER.get(hidden[0], "redacted")))
            else:
                kept.append((a, b))
        for p in self.policy.text_patterns:
            if self.hidden(p.cls):
                spans += [(m.start(), 2, m.end(), p.name) for m in p.pattern.finditer(text)
                          if not any(a <= m.start() and m.end() <= b for a, b in kept)]
        if not spans:
            return text
        cursor = 0
        for m in _PSEUDONYM.finditer(text):  # a pseudonym is not redacted again (its hex may look like digits)
            spans.append((m.start(), -1, m.end(), ""))
        out = []
        for a, rank, b, label in sorted(spans):
            if b <= cursor:
                continue
            if a >= cursor:
                out.append(text[cursor:a])
                out.append(text[a:b] if rank < 0 else f"[{label}]")
            cursor = max(cursor, b)
        out.append(text[cursor:])
        return "".join(out)

    def value(self, action: str, value: Any, cls: str | None = None) -> Any:
        """``value`` (of policy class ``cls``) with ``action`` applied."""
        if value is None or action == "keep":
            return value
        if isinstance(value, list):
            return [self.value(action, v, cls) for v in value]
        if action == "hash":
            return pseudonym(value, self.key, cls)
        if action == "scrub":
            return self.scrub(str(value))
        raise ValueError(f"action {action!r} has no value")

    def _shown(self, kinds: tuple[str, ...], name: str, record: dict[str, Any], action: str) -> tuple[bool, Any]:
        """(whether it is shown, the value) of field ``name`` of ``record``, whose rule is the first of ``kinds`` that
        lists it. A hashed field that is another name of a thing shows the thing's pseudonym (``pseudonym_of``),
        and is not shown when the record does not name the thing."""
        kind = next((k for k in kinds if self.policy.rule(k, name)), kinds[0])
        rule, cls = self.policy.rule(kind, name), self.policy.class_of(kind, name, record)
        if action == "hash" and (qualified := self.policy.qualified(kind, name, record)):
            head = qualified[0]
            return True, head + self.value("hash", record[name][len(head):], cls)
        if action != "hash" or rule is None or not rule.pseudonym_of:
            return True, self.value(action, record[name], cls)
        for other in rule.pseudonym_of:
            if record.get(other) not in (None, ""):
                of = next((k for k in kinds if self.policy.rule(k, other)), kind)
                return True, self.value("hash", record[other], self.policy.class_of(of, other, record) or cls)
        return False, None

    # -- records -------------------------------------------------------------------------------------
    def record(self, kind: str, record: dict[str, Any]) -> dict[str, Any]:
        """``record`` (a ``kind`` record: account, post, transaction...) as this audience may see it;
        fields the policy does not list are dropped. A kind the audience withholds is refused (see :meth:`receives`)."""
        if kind not in self.policy.fields:
            raise ValueError(f"record kind {kind!r} is not in the redaction policy {self.policy.source}")
        if not self.receives(kind):
            raise ValueError(f"the {self.audience} audience receives no {kind} records (the policy's withhold)")
        out = {}
        for name, value in record.items():
            rule = self.policy.rule(kind, name)
            cls = self.policy.class_of(kind, name, record) if rule else None
            action = self.actions[cls] if cls else "drop"
            if action == "drop":
                continue
            if action == "hash" and rule and (rule.pseudonym_of or rule.qualified):
                shown, text = self._shown((kind,), name, record, action)
                if shown:
                    out[name] = text
            else:
                out[name] = self.value(action, value, cls)
        return out

    def field(self, kind: str, name: str, value: Any, record: dict[str, Any] | None = None) -> Any:
        """One field's value for this audience, or ``None`` when it is dropped."""
        record = {**(record or {}), name: value}
        action = self.policy.action(self.audience, kind, name, record)
        return None if action == "drop" else self._shown((kind,), name, record, action)[1]

    # -- composite documents (the workbench's answers) -----------------------------------------------
    def document(self, data: Any, kind: str | None = None) -> Any:
        """``data`` (a record of policy kind ``kind``, or a document of records) as this audience may see it.
        A part's kind comes from the key it sits under (the policy's ``nested``); a field that neither its
        kind nor the policy's ``document`` fields list is scrubbed if it is text. A part of a kind the audience
        withholds is shown empty (``[]`` or ``{}``: it keeps its place and tells nothing)."""
        return data if self.open and not self.withheld else self._walk(data, kind)

    def _action(self, kind: str | None, name: str, record: dict[str, Any]) -> str | None:
        cls = self.policy.class_of(kind or "", name, record) or self.policy.class_of("document", name, record)
        return self.actions[cls] if cls else None

    def _walk(self, data: Any, kind: str | None) -> Any:
        if kind is not None and not self.receives(kind) and isinstance(data, dict | list | tuple):
            return {} if isinstance(data, dict) else []
        if isinstance(data, dict):
            out = {}
            kinds = (kind or "", "document")
            for name, value in data.items():
                action = self._action(kind, name, data)
                if action == "drop":  # an empty value keeps its place (it tells nothing)
                    if value in (None, "", [], {}):
                        out[name] = value
                    continue
                nested = isinstance(value, dict | list) and any(
                    isinstance(v, dict) for v in (value if isinstance(value, list) else [value]))
                if isinstance(value, dict | list) and (nested or action not in ("keep", "hash", "scrub")):
                    out[name] = self._walk(value, self.policy.nested.get(name, kind))
                elif isinstance(value, dict | list | str):
                    shown, text = self._shown(kinds, name, data, action or "scrub")
                    if shown:
                        out[name] = text
                else:
                    out[name] = value
            return out
        if isinstance(data, list | tuple):
            return [self._walk(v, kind) for v in data]
        if isinstance(data, str):
            return self.scrub(data)
        return data


def store_redactor(store: Store, audience: str, key: bytes, policy: Policy | None = None) -> Redactor:
    """A redactor for ``audience`` that knows the identifiers and ids of ``store``."""
    policy = policy or load_policy()
    return Redactor(audience, policy, key, known_values(store, policy), store_ids(store))


class Redactors:
    """The redactor of each audience over one store, built again when the store's identifier tables change (a
    server keeps one of these). The tables are counted at most every ``refresh`` seconds (counting a large
    table on every request would cost more than the request); until then new identifiers are still caught by
    the extraction stage's reading of the text."""

    def __init__(self, store: Store, key: bytes, refresh: float = 10.0) -> None:
        self.store, self.key, self.refresh = store, key, refresh
        self._built: dict[str, tuple[tuple[int, ...], Redactor]] = {}
        self._mark: tuple[int, ...] = ()
        self._checked = -float("inf")
        self._lock = threading.Lock()

    def __call__(self, audience: str) -> Redactor:
        with self._lock:
            now = time.monotonic()
            if now - self._checked >= self.refresh:
                self._mark, self._checked = store_fingerprint(self.store), now
            cached = self._built.get(audience)
            if cached is None or cached[0] != self._mark:
                policy = load_policy()
                known = next((r.known for m, r in self._built.values() if m == self._mark), None)
                built = Redactor(audience, policy, self.key, known or known_values(self.store, policy),
                                 store_ids(self.store))
                self._built[audience] = cached = (self._mark, built)
            return cached[1]


def redact_record(record: dict[str, Any], kind: str, audience: str, policy: Policy | None = None,
                  key: bytes = b"", known: KnownValues | Iterable[str] = ()) -> dict[str, Any]:
    """One record as ``audience`` may see it (see :class:`Redactor` for batches)."""
    return Redactor(audience, policy, key, known).record(kind, record)
