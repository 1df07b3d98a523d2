"""``extract_fields``: every structured fact of one text, as a JSON-able dict."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from wildtrace.extract._contacts import Found, find_identifiers
from wildtrace.extract._measures import Quantity, Weight, find_quantities, find_weights
from wildtrace.extract._money import Price, find_prices, is_negotiable
from wildtrace.extract._species import packaged_lexicon, product_types_of, species_of
from wildtrace.extract._text import View
from wildtrace.extract._vocab import PRODUCT_TYPES, Place, Vocabulary, load_vocabulary
from wildtrace.lexicon import Lexicon

_SPECIFICITY = {"border_town": 0, "city": 1, "province": 2, "country": 3, "region": 4}


def _round(x: float | None, digits: int = 4) -> float | None:
    return None if x is None else round(x, digits)


def _main_price(prices: list[Price], quantity: Quantity | None, weight: Weight | None) -> tuple[float, str] | None:
    """The asking price of the whole offer: a stated total first, else unit price times quantity or weight."""
    totals = [p for p in prices if p.per is None]
    if totals:
        best = next((p for p in totals if p.explicit_currency), totals[0])
        return best.amount, best.currency or "CNY"
    for p in prices:
        if p.per == "piece":
            return p.amount * (quantity.count if quantity else 1), p.currency or "CNY"
        if p.per_grams and weight:
            return p.amount * weight.grams / p.per_grams, p.currency or "CNY"
    return None


def _per_gram_cny(prices: list[Price], main: tuple[float, str] | None, weight: Weight | None,
                  v: Vocabulary) -> float | None:
    for p in prices:
        if p.per_grams and p.currency in v.to_cny:
            return p.amount / p.per_grams * v.to_cny[p.currency]
    if main and weight and weight.grams > 0 and main[1] in v.to_cny:
        return main[0] * v.to_cny[main[1]] / weight.grams
    return None


def extract_fields(text: str, species: Iterable[str] = (), products: Iterable[str] = (),
                   vocabulary: Vocabulary | None = None, lexicon: Lexicon | None = None) -> dict[str, Any]:
    """Structured fields of one post: prices, weight, price per gram, contacts, methods, claims, place.

    ``species`` and ``products`` are what screening found (lexicon ids); without species, those the
    lexicon names in the text are taken. The CITES appendix comes from the lexicon.

    >>> f = extract_fields("出售象牙手镯 重50克 5000元 微信: ivory_king88")
    >>> f["price"], f["currency"], f["weight_g"], f["price_per_gram_cny"], f["product_type"]
    (5000.0, 'CNY', 50.0, 100.0, 'worked_uncarved')
    >>> [c["value"] for c in f["contacts"]]
    ['wechat:ivory_king88']
    """
    v = vocabulary or load_vocabulary()
    lex = lexicon or packaged_lexicon()
    view = View.of(text)
    contacts = find_identifiers(view, v)
    taken = [c.span for c in contacts]
    prices = find_prices(view, v, taken)
    explicit = next((p.currency for p in prices if p.explicit_currency), None)
    for p in prices:
        if not p.explicit_currency and explicit:
            p.currency = explicit
    taken += [p.span for p in prices]
    weights = find_weights(view, v, taken)
    weight = next((w for w in weights if w.cued), weights[0] if weights else None)
    quantities = find_quantities(view, v, taken + [w.span for w in weights])
    quantity = quantities[0] if quantities else None
    main = _main_price(prices, quantity, weight)
    ppg = _per_gram_cny(prices, main, weight, v)
    usd = v.to_cny["USD"]

    matches: list[dict[str, Any]] = []

    def vocab_hits(name: str) -> list[str]:
        found = []
        for h in v.matcher(name).find(view.text):
            if h.payload is None:
                continue  # a phrase that masks a term inside it
            value = h.payload.name if isinstance(h.payload, Place) else h.payload
            span = view.span(h.start, h.end)
            matches.append({"field": name, "value": value, "raw": text[span[0]:span[1]], "span": list(span)})
            found.append(value)
        return list(dict.fromkeys(found))

    payment = vocab_hits("payment")
    for c in contacts:
        if c.kind == "bank_card" and "bank_transfer" not in payment:  # a card number to pay to: a bank transfer
            payment.append("bank_transfer")
            matches.append({"field": "payment", "value": "bank_transfer", "raw": c.raw, "span": list(c.span)})
    product_types = vocab_hits("products") + product_types_of(products, lex, PRODUCT_TYPES)
    product_type = next((t for t in reversed(PRODUCT_TYPES) if t in product_types), "none")
    place_hits = [h for h in v.matcher("places").find(view.text)]
    location = None
    if place_hits:
        best = min(place_hits, key=lambda h: (_SPECIFICITY[h.payload.kind], h.start))
        span = view.span(best.start, best.end)
        location = {"name": best.payload.name, "kind": best.payload.kind, "country": best.payload.country,
                    "raw": text[span[0]:span[1]], "span": list(span)}
    return {
        "prices": [p.as_dict() for p in prices],
        "price": _round(main[0], 2) if main else None,
        "currency": main[1] if main else None,
        "price_max": next((p.amount_max for p in prices if p.per is None and p.amount_max), None),
        "price_negotiable": is_negotiable(view, v),
        "weight_g": _round(weight.grams) if weight else None,
        "weight_raw": weight.raw if weight else None,
        "weight_unit": weight.unit if weight else None,
        "weights": [w.as_dict() for w in weights],
        "price_per_gram_cny": _round(ppg),
        "price_per_gram_usd": _round(ppg / usd) if ppg is not None else None,
        "rates_date": v.rates_date,
        "quantity": quantity.count if quantity else None,
        "quantity_unit": quantity.unit if quantity else None,
        "product_type": product_type,
        "product_types": [t for t in PRODUCT_TYPES if t in product_types],
        "species": species_of(species, view, lex),
        "contacts": [_contact(c) for c in contacts],
        "payment_methods": payment,
        "delivery_methods": vocab_hits("delivery"),
        "legality_claims": vocab_hits("claims"),
        "location": location,
        "locations": list(dict.fromkeys(h.payload.name for h in place_hits)),
        "matches": matches,
    }


def _contact(c: Found) -> dict[str, Any]:
    return {"kind": c.kind, "raw": c.raw, "value": c.value, "span": list(c.span)}
