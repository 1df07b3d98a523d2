"""One search over posts (full text, any script), accounts, traders, identifiers and cases.

Matching and ranking are the store's (``Store.text_search``: every term, case folded, in any script, best first
by BM25, through a full-text index on both backends); each post hit carries a snippet of its shown text with the
terms marked (``_highlight``). A user finds a
record only by what their role is shown of it: for a role that sees records redacted, every hit is presented
through its redactor first and kept only if the presented record still holds every term, so a phone number or
handle the role may not see cannot be confirmed by searching for it; such a role pivots by the pseudonyms it is
shown (``h:...``), which name accounts, traders and identifiers directly.
"""

from __future__ import annotations

from typing import Any

from wildtrace.service._case_access import visible_cases
from wildtrace.service._cases import present_case
from wildtrace.service._highlight import snippet
from wildtrace.service._identifiers import KINDS, PAYMENT_KINDS, post_summaries, resolve_identifier, shown_identifier
from wildtrace.service._principal import Principal
from wildtrace.share import is_pseudonym
from wildtrace.store import Store, search_terms

GROUPS = ("posts", "accounts", "traders", "identifiers", "cases")
_WIDEN = 5  # candidates read per hit shown, for roles whose hits are filtered after redaction


def _texts(data: Any) -> str:
    """Every string in ``data``, lower case, one per line."""
    if isinstance(data, dict):
        return "\n".join(_texts(v) for v in data.values())
    if isinstance(data, list | tuple):
        return "\n".join(_texts(v) for v in data)
    return str(data).lower() if isinstance(data, str) else ""


def _shown(principal: Principal, records: list[dict[str, Any]], kind: str, terms: list[str],
           limit: int) -> list[dict[str, Any]]:
    """``records`` as ``principal`` sees them, those that still hold every term, at most ``limit``."""
    out = []
    for record in records:
        shown = principal.present(record, kind)
        text = _texts(shown)
        if principal.sees_everything or all(t in text for t in terms):
            out.append(shown)
        if len(out) >= limit:
            break
    return out


def _in_order(store: Store, sql: str, ids: list[str], key: str = "id") -> list[dict[str, Any]]:
    """The rows ``sql`` (with ``{marks}`` for the ids) gives for ``ids``, in the order of ``ids``."""
    if not ids:
        return []
    rows = {r[key]: r for r in store.query(sql.format(marks=", ".join("?" for _ in ids)), ids)}
    return [rows[i] for i in ids if i in rows]


def _accounts(store: Store, ids: list[str]) -> list[dict[str, Any]]:
    return _in_order(store, "SELECT a.id, a.platform, a.handle, a.display_name, a.status, m.trader_id FROM accounts a "
                            "LEFT JOIN link_members m ON m.account_id = a.id WHERE a.id IN ({marks})", ids)


def _traders(store: Store, ids: list[str]) -> list[dict[str, Any]]:
    return _in_order(store, "SELECT trader_id, n_flagged, category FROM link_traders WHERE trader_id IN ({marks})",
                     ids, "trader_id")


def _identifiers(store: Store, query: str, limit: int) -> list[dict[str, Any]]:
    """Identifiers whose value or raw form holds the query: of accounts, payment accounts and parcels."""
    values = store.text_search("account_identifiers", "value", ["value", "raw"], query, limit)
    found: dict[tuple[str, str], dict[str, Any]] = {}
    if values:
        marks = ", ".join("?" for _ in values)
        for r in store.query("SELECT kind, value, count(DISTINCT account_id) AS n_accounts FROM account_identifiers "
                             f"WHERE value IN ({marks}) GROUP BY kind, value", values):
            found[(r["kind"], r["value"])] = {"kind": r["kind"], "value": r["value"], "n_accounts": r["n_accounts"]}
    for table, key, kind in (("payment_accounts", "payment_account", "payment_account"),
                             ("shipments", "waybill", "waybill")):
        for value in store.text_search(table, key, [key], query, limit):
            found.setdefault((kind, value), {"kind": kind, "value": value, "n_accounts": 0})
    ranked = sorted(found.values(), key=lambda r: (-r["n_accounts"], r["kind"], r["value"]))
    return [r for r in ranked if r["kind"] in KINDS][:limit]


def _shown_identifiers(principal: Principal, found: list[dict[str, Any]], terms: list[str]) -> list[dict[str, Any]]:
    """Identifiers as ``principal`` is shown them, those whose shown value still holds every term."""
    out = []
    for r in found:
        value = shown_identifier(principal.redactor, r["kind"], r["value"])
        if value is not None and (principal.sees_everything or all(t in value.lower() for t in terms)):
            out.append({**r, "value": value})
    return out


def _by_pseudonym(store: Store, principal: Principal, term: str) -> dict[str, list[dict[str, Any]]]:
    """What a pseudonym the principal was shown names: an account, a trader or an identifier."""
    hits: dict[str, list[dict[str, Any]]] = {g: [] for g in GROUPS}
    real = principal.lookup(term)
    if real is not None:
        hits["accounts"] = _accounts(store, [real])
        hits["traders"] = _traders(store, [real])
    for kind in KINDS:
        if kind == "bank_card":  # one lookup serves both payment kinds
            continue
        found = resolve_identifier(store, principal.redactor, f"{kind}:{term}")
        if found is not None and found[1] != term:  # a class kept as is has no pseudonym
            shown_kind = kind if kind not in PAYMENT_KINDS else "payment_account"
            hits["identifiers"].append({"kind": shown_kind, "value": found[1], "n_accounts": 0})
    return hits


def search(store: Store, principal: Principal, query: str, limit: int = 20) -> dict[str, Any]:
    """Hits of each group (``GROUPS``), best first, as ``principal`` may see them (the query too: an identifier
    the role is not shown reads ``[phone]``)."""
    terms = search_terms(query)
    result: dict[str, Any] = {"query": principal.present(" ".join(terms)), **{g: [] for g in GROUPS}}
    if not terms:
        return result
    widen = limit if principal.sees_everything else limit * _WIDEN
    if len(terms) == 1 and is_pseudonym(terms[0]):
        raw = _by_pseudonym(store, principal, terms[0])
        result["accounts"] = principal.present(raw["accounts"], "account")
        result["traders"] = principal.present(raw["traders"], "trader")
        result["identifiers"] = _shown_identifiers(principal, raw["identifiers"], [])
        return result
    found = store.text_search("posts", "id", ["text"], query, widen)
    posts = _shown(principal, post_summaries(store, found, text_chars=None), "post", terms, limit)
    result["posts"] = [{**p, "snippet": snippet(p["text"], terms)} for p in posts]
    result["accounts"] = _shown(principal, _accounts(store, store.text_search(
        "accounts", "id", ["id", "handle", "display_name", "bio"], query, widen)), "account", terms, limit)
    result["traders"] = _shown(principal, _traders(store, store.text_search(
        "link_traders", "trader_id", ["trader_id", "category"], query, widen)), "trader", terms, limit)
    result["identifiers"] = _shown_identifiers(principal, _identifiers(store, query, widen), terms)[:limit]
    cases = [present_case(c.model_dump(mode="json"), principal.redactor)
             for c in visible_cases(store, principal.user, limit=10_000)]
    result["cases"] = [c for c in cases if all(t in _texts({k: c.get(k) for k in ("id", "title")}) for t in terms)
                       ][:limit]
    return result
