"""Weights (g, 克, kg, 公斤, 斤, 两, lb, oz, ct) and quantities (pcs, 件, 个, 条, 串, x3)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from wildtrace.extract._money import _overlaps
from wildtrace.extract._numbers import parse_chinese, parse_decimal
from wildtrace.extract._patterns import patterns
from wildtrace.extract._text import View
from wildtrace.extract._vocab import Vocabulary


@dataclass
class Weight:
    grams: float
    amount: float
    unit: str
    raw: str
    span: tuple[int, int]
    grams_max: float | None = None
    cued: bool = False

    def as_dict(self) -> dict:
        return {"grams": self.grams, "grams_max": self.grams_max, "amount": self.amount, "unit": self.unit,
                "raw": self.raw, "span": list(self.span)}


@dataclass
class Quantity:
    count: float
    unit: str
    raw: str
    span: tuple[int, int]


def _number(cn: str | None, num: str | None, v: Vocabulary) -> float | None:
    if cn:
        return 0.5 if cn == "半" else parse_chinese(cn, v.cn_digits, v.cn_units)
    return parse_decimal(num) if num else None


def find_weights(view: View, v: Vocabulary, taken: list[tuple[int, int]]) -> list[Weight]:
    """Weights in the view's text, outside ``taken`` stretches (prices, identifiers)."""
    p = patterns(v)
    found = []
    for m in p.weight.finditer(view.text):
        if _overlaps(view.span(m.start(), m.end()), taken):
            continue
        unit = m.group("unit")
        if unit == "两" and re.match(r"[个件只条根串对位人天年次]", view.text[m.end():m.end() + 1]):
            continue  # 一两个 is "one or two", not fifty grams
        amount = _number(m.group("cn"), m.group("num"), v)
        if amount is None or amount <= 0:
            continue
        tail = m.group("tail") or m.group("spaced")
        if tail:
            amount += (v.cn_digits[tail] if tail in v.cn_digits else int(tail)) / 10
        before = view.text[max(0, m.start() - 8):m.start()]
        cued = p.weight_cue.search(before) is not None
        span = view.span(m.start(), m.end())
        raw = view.original[span[0]:span[1]]
        if raw.rstrip()[-1:] == "G" and amount in (3, 4, 5) and not cued:
            continue  # 5G is a network
        high = _number(m.group("cn2"), m.group("num2"), v)
        factor = v.weight_units[unit]
        found.append(Weight(amount * factor, amount, unit, raw, span,
                            high * factor if high and high > amount else None, cued))
    return found


def find_quantities(view: View, v: Vocabulary, taken: list[tuple[int, int]]) -> list[Quantity]:
    p = patterns(v)
    found = []
    for m in p.quantity.finditer(view.text):
        if _overlaps(view.span(m.start(), m.end()), taken) or p.not_quantity_after.match(view.text, m.end()):
            continue  # 3 pcs left: stock on hand, not the quantity offered
        if m.group("times"):
            count: float | None = float(m.group("times"))
            unit = "x"
        else:
            count = _number(m.group("cn"), m.group("num"), v)
            unit = m.group("unit")
        if count is None or count <= 0:
            continue
        span = view.span(m.start(), m.end())
        found.append(Quantity(count, unit, view.original[span[0]:span[1]], span))
    return found
