"""One identifier (a phone, messenger ID, wallet, bank account, waybill or picture hash) and everything that
carries it: posts, accounts (with where each was seen holding it), traders, payments, parcels, seizures and the
payment accounts' KYC records. The pivot of an investigation, as in Aleph.

An identifier is named ``kind:value`` (``phone:13912345678``, ``payment_account:wallet:w-881``,
``waybill:SF100200300``, ``image_hash:<sha256>``). A role whose audience hashes the identifier's class names it
by the pseudonym it was shown (``phone:h:0123456789abcdef``); ``resolve_identifier`` turns that back into the
value for the server, and refuses a real value (which would tell its pseudonym) and classes the audience drops.
"""

from __future__ import annotations

import json
import re
import weakref
from typing import Any

from wildtrace.model import (
    Entity,
    IdentifierKind,
    PaymentAccount,
    Post,
    Seizure,
    Shipment,
    Transaction,
)
from wildtrace.service._principal import Principal
from wildtrace.service._unowned import catch_up, unowned_count
from wildtrace.share import Redactor, pseudonym
from wildtrace.store import Store

PAYMENT_KINDS = ("payment_account", "bank_card")
KINDS = (*[k.value for k in IdentifierKind if k != IdentifierKind.URL], "waybill")
_LIMIT = 200
# The redaction policy's record kind and field whose class an identifier kind takes.
_POLICY_FIELD = {"waybill": ("shipment", "waybill")}
# Per redactor and kind: (rows of wb_post_identifiers when made, value by pseudonym). A redactor is made again when
# the store's identifier tables change; identifiers of posts without an account make the index again on a miss.
_index: weakref.WeakKeyDictionary[Redactor, dict[str, tuple[int, dict[str, str]]]] = weakref.WeakKeyDictionary()


def identifier_class(redactor: Redactor, kind: str) -> str | None:
    """The policy class of identifiers of ``kind`` (contact, payment, record_ref, evidence)."""
    record_kind, field = _POLICY_FIELD.get(kind, ("identifier", "value"))
    return redactor.policy.class_of(record_kind, field, {"kind": kind})


def shown_identifier(redactor: Redactor, kind: str, value: str) -> str | None:
    """``value`` as ``redactor``'s audience is shown it: itself, its pseudonym, or None (its class is dropped)."""
    if redactor.open:
        return value
    action = _action(redactor, kind)
    return redactor.value(action, value, identifier_class(redactor, kind)) if action in ("keep", "hash") else None


def _action(redactor: Redactor, kind: str) -> str:
    return redactor.actions.get(identifier_class(redactor, kind) or "", "drop")


def identifier_kind(kind: str) -> str:
    """``kind`` if it names identifiers, else ``ValueError``."""
    if kind not in KINDS:
        raise ValueError(f"identifier kind {kind!r} is not one of {', '.join(KINDS)}")
    return kind


def payment_kind(value: str) -> str:
    """The identifier kind of a payer or payee: a bank card for ``bank:...``, else a payment account."""
    return "bank_card" if value.startswith(("bank:", "card:")) else "payment_account"


def _family(kind: str) -> list[str]:
    """The identifier kinds one page gathers: a wallet and a bank card are both payment accounts."""
    return list(PAYMENT_KINDS) if kind in PAYMENT_KINDS else [kind]


def _candidates(store: Store, kind: str) -> list[str]:
    """Every value of ``kind`` the store holds anywhere (what a pseudonym may stand for), those written only in
    posts without an account included."""
    family = _family(kind)
    marks = ", ".join("?" for _ in family)
    values = [r["v"] for r in store.query(
        f"SELECT value AS v FROM account_identifiers WHERE kind IN ({marks}) UNION SELECT value FROM "
        f"wb_post_identifiers WHERE kind IN ({marks})", family + family)]
    if kind in PAYMENT_KINDS:
        values += [r["v"] for r in store.query("SELECT payer AS v FROM transactions UNION SELECT payee FROM "
                                               "transactions UNION SELECT payment_account FROM payment_accounts")]
    elif kind == "phone":
        values += [r["v"] for r in store.query(
            "SELECT sender_phone AS v FROM shipments UNION SELECT receiver_phone FROM shipments UNION "
            "SELECT holder_phone FROM payment_accounts")]
        for r in store.query("SELECT phones FROM seizures"):
            values += json.loads(r["phones"] or "[]")
    elif kind == "waybill":
        values += [r["v"] for r in store.query("SELECT waybill AS v FROM shipments UNION SELECT waybill FROM seizures")]
    elif kind == "image_hash":
        values += [r["v"] for r in store.query("SELECT sha256 AS v FROM media")]
    return sorted({str(v) for v in values if v})


def resolve_identifier(store: Store, redactor: Redactor, ref: str) -> tuple[str, str] | None:
    """(kind, value) of an identifier as a user of ``redactor``'s audience names it, or None: a class the
    audience keeps is named by value, one it hashes only by pseudonym, one it drops not at all."""
    kind, _, shown = ref.partition(":")
    if kind not in KINDS or not shown:
        return None
    action = _action(redactor, kind)
    if redactor.open or action == "keep":
        return kind, shown
    if action != "hash":
        return None
    by_kind = _index.setdefault(redactor, {})
    value = by_kind.get(kind, (-1, {}))[1].get(shown)
    if value is None:  # not known when the index was made: posts without an account may have come since
        catch_up(store, now=True)
        if by_kind.get(kind, (-1, {}))[0] != (unowned := unowned_count(store)):
            by_kind[kind] = (unowned, _pseudonyms(store, redactor, kind))
            value = by_kind[kind][1].get(shown)
    return (kind, value) if value is not None else None


def _pseudonyms(store: Store, redactor: Redactor, kind: str) -> dict[str, str]:
    """Each value of ``kind`` by its pseudonym, then by those of its other spellings (an audited form)."""
    values, cls = _candidates(store, kind), identifier_class(redactor, kind)
    index = {pseudonym(v, redactor.key, cls): v for v in values}
    for v in values:
        for other in spellings(kind, v) - {v}:
            index.setdefault(pseudonym(other, redactor.key, cls), v)
    return index


def spellings(kind: str, value: str) -> set[str]:
    """``value`` as normalised and its usual other spellings: a phone with and without the country code; a
    payment account or messenger ID with and without its scheme (``wallet:``, ``wechat:``: a post writes the
    bare handle)."""
    found = {value}
    if kind == "phone":
        digits = re.sub(r"\D", "", value)
        national = digits[2:] if digits.startswith("86") and len(digits) == 13 else digits
        found |= {national, "86" + national, "+86" + national}
    if (kind in PAYMENT_KINDS or kind == "messenger_id") and ":" in value:
        found.add(value.split(":", 1)[1])
    return {f for f in found if f}


def forms(store: Store, kind: str, value: str) -> list[str]:
    """The ways ``value`` is written in the store: its :func:`spellings` and the raw text it was read from."""
    raw = {r["raw"] for r in store.query("SELECT raw FROM account_identifiers WHERE value = ? AND raw IS NOT NULL "
                                         "UNION SELECT raw FROM wb_post_identifiers WHERE value = ?", [value, value])}
    return sorted(spellings(kind, value) | {r for r in raw if r})


def _in(column: str, values: list[str]) -> tuple[str, list[str]]:
    return f"{column} IN ({', '.join('?' for _ in values)})", list(values)


def identifier_view(store: Store, kind: str, value: str) -> dict[str, Any] | None:
    """Everything that carries the identifier (at most 200 of each), or None when nothing does (after reading
    the posts without an account that came since: the identifier may be written only in one of them)."""
    kind = identifier_kind(kind)
    catch_up(store)
    view = _view(store, kind, value)
    if view is None and catch_up(store, now=True):
        view = _view(store, kind, value)
    return view


def _view(store: Store, kind: str, value: str) -> dict[str, Any] | None:
    written = forms(store, kind, value)
    family = _family(kind)
    where, params = _in("value", written)
    kinds = f"kind IN ({', '.join('?' for _ in family)})"
    held = store.query(f"SELECT account_id, kind, value, seen_in, seen_id FROM account_identifiers WHERE {where} AND "
                       f"{kinds} ORDER BY account_id, seen_in, seen_id", params + family)
    account_ids = sorted({r["account_id"] for r in held})
    post_ids = {r["seen_id"] for r in held if r["seen_in"] == "post"}
    post_ids |= {r["post_id"] for r in store.query(  # posts without an account writing it
        f"SELECT DISTINCT post_id FROM wb_post_identifiers WHERE {where} AND {kinds}", params + family)}
    if kind == "image_hash":
        post_ids |= {r["id"] for r in store.query("SELECT id FROM posts WHERE strpos(media, ?) > 0 LIMIT 200",
                                                  [value])}
    elif kind not in ("waybill",):
        for form in written:
            if len(form) >= 5:
                post_ids |= set(store.text_search("posts", "id", ["text"], form, limit=_LIMIT))
    posts = post_summaries(store, _newest_first(store, sorted(post_ids)))
    accounts = _accounts(store, account_ids, held)
    payments: list[Entity] = []
    kyc: list[Entity] = []
    parcels: list[Entity] = []
    seizures: list[Entity] = []
    if kind in PAYMENT_KINDS or kind == "phone":
        kyc += store.find(PaymentAccount, *_in("holder_phone" if kind == "phone" else "payment_account", written))
    if kind in PAYMENT_KINDS:
        (a, pa), (b, pb) = _in("payer", written), _in("payee", written)
        payments += store.find(Transaction, f"{a} OR {b}", pa + pb, order_by="time NULLS LAST, step NULLS LAST, id",
                               limit=_LIMIT)
    if kind in ("phone", "waybill"):
        clauses = [_in(c, written) for c in (["sender_phone", "receiver_phone"] if kind == "phone" else ["waybill"])]
        parcels += store.find(Shipment, " OR ".join(c for c, _ in clauses), [p for _, ps in clauses for p in ps],
                              order_by="time NULLS LAST, waybill", limit=_LIMIT)
        seizures += [s for s in store.find(Seizure, order_by="date, id")
                     if s.waybill in written or set(s.phones) & set(written)]
    traders = _traders(store, account_ids)
    found = {"posts": posts, "accounts": accounts, "traders": traders,
             "payments": [p.model_dump(mode="json") for p in payments],
             "payment_accounts": [k.model_dump(mode="json") for k in kyc],
             "parcels": [p.model_dump(mode="json") for p in parcels],
             "seizures": [s.model_dump(mode="json") for s in seizures]}
    if not any(found.values()):
        return None
    return {"identifier": {"kind": kind, "value": value}, **found, "money": _money(found["payments"], written)}


def post_summaries(store: Store, post_ids: list[str], text_chars: int | None = 280) -> list[dict[str, Any]]:
    """Posts (platform, account, time in the post's own zone, the start of the text, tier and score) in the order
    of ``post_ids``."""
    if not post_ids:
        return []
    marks = ", ".join("?" for _ in post_ids)
    posts = {p.id: p for p in store.find(Post, f"id IN ({marks})", post_ids)}
    verdicts = {r["post_id"]: r for r in store.query(
        f"SELECT post_id, tier, score FROM verdicts WHERE post_id IN ({marks})", post_ids)}
    return [{"id": p.id, "platform": p.platform, "account_id": p.account_id,
             "posted_at": p.posted_at.isoformat() if p.posted_at else None, "text": p.text[:text_chars],
             "tier": verdicts.get(p.id, {}).get("tier"), "score": verdicts.get(p.id, {}).get("score")}
            for p in (posts.get(i) for i in post_ids) if p is not None]


def _newest_first(store: Store, post_ids: list[str]) -> list[str]:
    if not post_ids:
        return []
    marks = ", ".join("?" for _ in post_ids)
    return [r["id"] for r in store.query(f"SELECT id FROM posts WHERE id IN ({marks}) ORDER BY posted_at DESC NULLS "
                                         f"LAST, id LIMIT {_LIMIT}", post_ids)]


def _accounts(store: Store, account_ids: list[str], held: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not account_ids:
        return []
    marks = ", ".join("?" for _ in account_ids)
    rows = store.query("SELECT a.id, a.platform, a.handle, a.status, m.trader_id FROM accounts a LEFT JOIN "
                       f"link_members m ON m.account_id = a.id WHERE a.id IN ({marks}) ORDER BY a.id", account_ids)
    seen: dict[str, list[str]] = {}
    for r in held:
        where = f"{r['seen_in']} {r['seen_id']}".strip()
        if where not in seen.setdefault(r["account_id"], []):
            seen[r["account_id"]].append(where)
    return [{**r, "seen": [f"seen in {w}" for w in seen.get(r["id"], [])][:10]} for r in rows]


def _traders(store: Store, account_ids: list[str]) -> list[dict[str, Any]]:
    if not account_ids:
        return []
    marks = ", ".join("?" for _ in account_ids)
    return store.query("SELECT t.trader_id, t.n_flagged, t.category, count(*) AS n_accounts FROM link_members m "
                       f"JOIN link_traders t ON t.trader_id = m.trader_id WHERE m.account_id IN ({marks}) "
                       "GROUP BY t.trader_id, t.n_flagged, t.category ORDER BY t.n_flagged DESC, t.trader_id",
                       account_ids)


def _money(payments: list[dict[str, Any]], written: list[str]) -> dict[str, Any]:
    """Money into and out of a payment identifier, per currency."""
    into: dict[str, float] = {}
    out: dict[str, float] = {}
    for p in payments:
        side = into if p["payee"] in written else out
        side[p["currency"]] = side.get(p["currency"], 0.0) + float(p["amount"])
    return {"in": [{"currency": c, "amount": round(a, 2)} for c, a in sorted(into.items())],
            "out": [{"currency": c, "amount": round(a, 2)} for c, a in sorted(out.items())],
            "n_in": sum(p["payee"] in written for p in payments), "n_out": sum(p["payee"] not in written
                                                                             for p in payments)}


def present_identifier_view(view: dict[str, Any], redactor: Redactor) -> dict[str, Any]:
    """An identifier view as ``redactor``'s audience may see it (each part through the policy's rules)."""
    kind = view["identifier"]["kind"]
    parts = {"posts": "post", "accounts": "account", "traders": "trader", "payments": "transaction",
             "payment_accounts": "payment_account", "parcels": "shipment", "seizures": "seizure"}
    return {"identifier": {"kind": kind, "value": shown_identifier(redactor, kind, view["identifier"]["value"])},
            **{name: redactor.document(view[name], kind_) for name, kind_ in parts.items()}, "money": view["money"]}


def identifier_page(store: Store, principal: Principal, ref: str) -> dict[str, Any] | None:
    """What carries the identifier ``ref`` names (``kind:value``, or ``kind:pseudonym``), as ``principal`` may see
    it, the view audited; None when the principal may not name it so or nothing carries it."""
    found = resolve_identifier(store, principal.redactor, ref)
    view = identifier_view(store, *found) if found else None
    if found is None or view is None:
        return None
    principal.audit(store, "view", "identifier", f"{found[0]}:{found[1]}")
    return present_identifier_view(view, principal.redactor)
