"""Prices: amounts with their currency, multipliers (k, w, 万), ranges and per-unit prices."""

from __future__ import annotations

import re
from dataclasses import dataclass

from wildtrace.extract._numbers import parse_chinese, parse_decimal
from wildtrace.extract._patterns import LETTER, patterns
from wildtrace.extract._text import View
from wildtrace.extract._vocab import Vocabulary

_VIETNAMESE_LETTER = re.compile("[ăâđêôơư\u1ea0-\u1ef9]")
_ACCENTED = re.compile("[àáèéìíòóùúý]")
_THAI = re.compile("[\u0e00-\u0e7f]")


def is_vietnamese(text: str) -> bool:
    """Letters only Vietnamese uses, or several accented vowels (French or Spanish rarely have two)."""
    return bool(_VIETNAMESE_LETTER.search(text)) or len(_ACCENTED.findall(text)) >= 2


def is_thai(text: str) -> bool:
    """Thai script anywhere in the text."""
    return _THAI.search(text) is not None


@dataclass
class Price:
    """One price as written: ``per`` is None for a total, a weight unit or ``piece`` for a unit price."""

    amount: float
    currency: str | None
    raw: str
    span: tuple[int, int]
    amount_max: float | None = None
    per: str | None = None
    per_grams: float | None = None
    explicit_currency: bool = False

    def as_dict(self) -> dict:
        return {"amount": self.amount, "amount_max": self.amount_max, "currency": self.currency, "per": self.per,
                "raw": self.raw, "span": list(self.span)}


def _overlaps(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    """Whether ``span`` overlaps any of the ``taken`` spans (all in original-text offsets)."""
    return any(x < span[1] and span[0] < y for x, y in taken)


def default_currency(view: View) -> str:
    """The currency of an amount written without one: VND in Vietnamese text, THB in Thai, else CNY."""
    return "VND" if is_vietnamese(view.text) else "THB" if is_thai(view.text) else "CNY"


def _amount(m: re.Match[str], tag: str, v: Vocabulary, no_cents: bool) -> float | None:
    if m.group(f"{tag}cn"):
        return parse_chinese(m.group(f"{tag}cn"), v.cn_digits, v.cn_units)
    raw = m.group(f"{tag}num")
    if raw is None:
        return None
    value = parse_decimal(raw, dot_groups_are_thousands=no_cents)
    mult = m.group(f"{tag}mult")
    if value is None or not mult:
        return value
    factor = v.multipliers[mult]
    tail = (m.group(f"{tag}tail") or "").strip()
    return value * factor + ((int(tail) if tail.isdigit() else 5) * factor / 10 if tail else 0)  # rưỡi, 半: 5 tenths


def _one_unit_is_a_weight(m: re.Match[str], text: str, v: Vocabulary) -> bool:
    """Whether "one <unit>" before an amount is the offer's weight rather than "per <unit>": after a weight
    word (重一两 价格2.5万), or set apart from the amount by a space (一斤 1.2w; per-unit prices are glued:
    一斤1.2w, 一克28)."""
    unit = m.group("punit")
    if not unit or text[m.start()] != "一" or unit not in v.weight_units:
        return False
    cued = patterns(v).weight_cue.search(text, max(0, m.start() - 8), m.start()) is not None
    return cued or text[m.end("punit"):m.end("punit") + 1].isspace()


def find_prices(view: View, v: Vocabulary, taken: list[tuple[int, int]]) -> list[Price]:
    """Every price in the view's text, skipping stretches already read as identifiers (``taken``)."""
    p = patterns(v)
    text = view.text
    found: list[Price] = []
    fallback = default_currency(view)
    pos = 0
    while m := p.money.search(text, pos):
        pos = m.end()
        if m.start() and re.match(f"[{LETTER}]", text[m.start() - 1]) and not p.after_weight.search(
                text, max(0, m.start() - 12), m.start()):
            pos = m.start() + 1  # inside a word or model number (x500, iPhone12, farm): look again after it
            continue
        if not (m.group("anum") or m.group("acn")) or _overlaps(view.span(m.start(), m.end()), taken):
            continue
        if _one_unit_is_a_weight(m, text, v):
            pos = m.end("punit")  # 重一两 价格2.5万, 一斤 1.2w: a weight, then a price of its own
            continue
        pre, suf = m.group("pre") or m.group("pre2"), m.group("suf")
        currency = v.currency_prefixes.get(pre) if pre else v.currency_suffixes.get(suf) if suf else None
        unit = m.group("unit") or m.group("punit") or m.group("punit2")
        per_grams = v.weight_units.get(unit) if unit else None
        per = unit if per_grams else "piece" if unit or m.group("each") else None
        before = text[max(0, m.start() - 12):m.start()]
        if p.count_cue.search(before) and not (pre or suf or m.group("punit") or m.group("punit2")):
            if m.group("bnum") or m.group("bcn"):
                pos = m.start("bnum") if m.group("bnum") else m.start("bcn")  # the second number stands alone
            continue
        cue = p.price_cue.search(before) is not None
        if not cue and m.group("anum"):  # 1280包邮, 800起; 一斤 1800 (not 一起, together)
            cue = p.price_after.match(text, m.end()) is not None or (
                len(m.group("anum")) > 1 and p.weight_before.search(before) is not None
                and p.standalone.match(text, m.end()) is not None and not p.unit_after.match(text, m.end()))
        multiplied = bool(m.group("amult")) or bool(m.group("acn") and re.search("[百千万萬亿億佰仟]", m.group("acn")))
        if not (currency or per or cue or multiplied):
            continue
        if (not (currency or per_grams) or suf in v.weak_suffixes) and p.not_price_before.search(before):
            continue
        open_end = not (currency or m.group("unit") or m.group("each"))  # nothing after the amount says money
        if open_end and p.not_price_after.match(text, m.end()):
            continue  # 2019年, 60mm, and 一副 144张 (144 tiles, not 144 a set)
        if open_end and p.weight_after.match(text, m.end()):
            continue  # 3.2公斤, 五百克, 5千克: a weight, not a price
        if not m.group("pre") and p.times_before.search(before):
            pos = m.end("anum") if m.group("anum") else m.end()
            continue  # x 4: a count (and what follows it may still be a price: x 4 — $60 each)
        cur = currency or v.multiplier_currency.get(m.group("amult") or m.group("bmult") or "") or fallback
        amount = _amount(m, "a", v, cur in v.no_cents)
        if amount is None or amount <= 0:
            continue
        high = _amount(m, "b", v, cur in v.no_cents) if (m.group("bnum") or m.group("bcn")) else None
        if high is not None and m.group("amult") is None and m.group("bmult") and m.group("anum"):
            factor = v.multipliers[m.group("bmult")]
            if amount * factor <= high:
                amount *= factor  # 3-5k: the multiplier covers both ends
        if high is not None and high <= amount:
            high = None
        span = view.span(m.start(), m.end())
        found.append(Price(amount, cur, view.original[span[0]:span[1]], span, high, per, per_grams,
                           explicit_currency=cur != fallback or currency is not None))
    return found


def is_negotiable(view: View, v: Vocabulary) -> bool:
    return patterns(v).negotiable.search(view.text) is not None
