"""A post made readable: its extracted facts as a short fact sheet (species with their CITES appendix, product,
price and price per gram, weight, contacts, payment and delivery) and why it was flagged, in words
("code word 山甲 for pangolin; gives a price; gives a weight").

Contacts stay structured (``kind``, ``value``) so that the role's redactor pseudonymises them like any other
identifier and the page can link each to its identifier page."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from wildtrace.store import Store

_SOURCE = "wildtrace/service/data/explanations.yaml"
_CONTACT_KINDS = {"phone", "messenger_id", "qq", "email", "telegram", "payment_account", "bank_card"}


@lru_cache(maxsize=1)
def feature_words() -> tuple[dict[str, str], str]:
    """(words of each lexicon feature, words for the n-gram features), validated on load."""
    data = yaml.safe_load((resources.files("wildtrace.service") / "data" / "explanations.yaml").read_text("utf-8"))
    if not isinstance(data, dict) or data.get("version") != 1:
        raise ValueError(f"{_SOURCE}: expected a mapping with version: 1")
    features, ngrams = data.get("features"), data.get("ngrams")
    if not isinstance(features, dict) or not features:
        raise ValueError(f"{_SOURCE}: 'features' must map feature names to words")
    bad = [k for k, v in features.items() if not isinstance(v, str) or not v.strip()]
    if bad:
        raise ValueError(f"{_SOURCE}: features.{bad[0]}: the words must be a non-empty text")
    if not isinstance(ngrams, str) or not ngrams.strip():
        raise ValueError(f"{_SOURCE}: 'ngrams' must be a non-empty text")
    return {str(k): v for k, v in features.items()}, ngrams


def _texts(values: Any) -> list[str]:
    return [str(v).replace("_", " ") for v in values or [] if v]


def fact_sheet(extracted: dict[str, Any]) -> dict[str, Any]:
    """The facts of a verdict's ``extracted`` fields that a reader needs, each None or empty when not found."""
    species = [{"name": str(s.get("name", "")).replace("_", " "), "cites_appendix": s.get("cites_appendix")}
               for s in extracted.get("species") or [] if isinstance(s, dict) and s.get("name")]
    products = _texts(extracted.get("product_types") or [extracted.get("product_type")])
    price = extracted.get("price")
    price_per_gram = extracted.get("price_per_gram_cny")
    quantity = extracted.get("quantity")
    return {
        "species": species,
        "products": products,
        "price": None if price is None else {"amount": float(price), "max": extracted.get("price_max"),
                                             "currency": extracted.get("currency") or "",
                                             "negotiable": bool(extracted.get("price_negotiable"))},
        "weight_g": extracted.get("weight_g"),
        "quantity": None if quantity is None else f"{quantity:g} {extracted.get('quantity_unit') or ''}".strip(),
        "price_per_gram": None if price_per_gram is None else {
            "cny": float(price_per_gram), "usd": extracted.get("price_per_gram_usd"),
            "rates_date": extracted.get("rates_date")},
        "contacts": [{"kind": c["kind"], "value": c["value"]} for c in extracted.get("contacts") or []
                     if isinstance(c, dict) and c.get("kind") in _CONTACT_KINDS and c.get("value")],
        "payment": _texts(extracted.get("payment_methods")),
        "delivery": _texts(extracted.get("delivery_methods")),
        "legality": _texts(extracted.get("legality_claims")),
        "places": _texts(extracted.get("locations")),
    }


def explanation(spans: list[dict[str, Any]], features: list[Any]) -> list[str]:
    """Why a post was flagged, in words: the code words and species it names, then what its strongest features
    say (those that pushed the score up), most weight first."""
    words, ngrams = feature_words()
    said: list[str] = []
    for span in spans:
        if span.get("source", "text") != "text":
            continue
        meaning = f" for {span['meaning']}" if span.get("meaning") else ""
        if span.get("category") == "code_word":
            said.append(f"code word {span['text']}{meaning}")
        elif span.get("category") == "species":
            said.append(f"names {span['text']}" + (f" ({span['meaning']})" if span.get("meaning") else ""))
        elif span.get("category") in ("product", "legality"):
            said.append(f"{span['category']} word {span['text']}{meaning}")
    pushed = sorted(((str(name), float(weight)) for name, weight in features if float(weight) > 0),
                    key=lambda f: -f[1])
    for name, _ in pushed:
        text = words.get(name.removeprefix("lexicon:")) if name.startswith("lexicon:") else \
            ngrams if name.startswith("ngram:") else _learned(name) if name.startswith("learned:") else None
        if text:
            said.append(text)
    return list(dict.fromkeys(said))


def _learned(feature: str) -> str:
    """``learned:species:pangolin`` in words: a name the model learned from reviewers' corrections."""
    kind, _, name = feature.removeprefix("learned:").partition(":")
    return f"names {kind} {name.replace('_', ' ')} as reviewers' corrections taught the model"


def readable_post(store: Store, detail: dict[str, Any] | None) -> dict[str, Any] | None:
    """A post's detail (``post_detail``) with its fact sheet, its explanation in words, its trader and the
    trader's payment identifiers (the money is one click away)."""
    if detail is None:
        return None
    verdict = detail.get("verdict") or {}
    account_id = detail["post"].get("account_id")
    member = store.query("SELECT trader_id FROM link_members WHERE account_id = ?", [account_id]) if account_id else []
    trader_id = member[0]["trader_id"] if member else None
    holders = store.query("SELECT account_id FROM link_members WHERE trader_id = ?", [trader_id]) if trader_id else \
        [{"account_id": account_id}] if account_id else []
    payments: list[dict[str, Any]] = []
    if holders:
        marks = ", ".join("?" for _ in holders)
        payments = store.query(
            f"SELECT DISTINCT kind, value FROM account_identifiers WHERE account_id IN ({marks}) AND kind IN "
            "('payment_account', 'bank_card') ORDER BY kind, value LIMIT 20", [h["account_id"] for h in holders])
    return {**detail, "facts": fact_sheet(verdict.get("extracted") or {}),
            "explanation": explanation(verdict.get("spans") or [], verdict.get("features") or []),
            "trader_id": trader_id, "payment_identifiers": payments}
