"""Regular expressions built once from the vocabularies (amounts, currencies, units, labels)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from wildtrace.extract._terms import wordish
from wildtrace.extract._vocab import Vocabulary

LETTER = "a-z\u00c0-\u024f\u1e00-\u1eff"
NOT_AFTER_LETTER = f"(?<![{LETTER}])"
NOT_BEFORE_LETTER = f"(?![{LETTER}])"
NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?:\.\d{3})+(?:,\d+)?(?!\d)|\d+(?:\.\d+|,\d{1,2}(?!\d))?"


def alternation(terms: Iterable[str], may_follow: str = "", check_before: bool = True) -> str:
    """One regex alternative per term, longest first; Latin terms may not run on into a longer word
    (except into ``may_follow``, a regex of what may come right after, e.g. a currency glued to a weight)."""
    after = f"(?!(?!{may_follow})[{LETTER}])" if may_follow else NOT_BEFORE_LETTER
    parts = []
    for term in sorted(set(terms), key=lambda t: (-len(t), t)):
        part = re.escape(term)
        if wordish(term[0]) and check_before:
            part = NOT_AFTER_LETTER + part
        if wordish(term[-1]):
            part += after
        parts.append(part)
    return "(?:" + "|".join(parts) + ")"


def ends_with(terms: Iterable[str], filler: str = r"[ \t:=是为约仅只要：]*") -> re.Pattern[str]:
    """Matches a text that ends with one of ``terms`` (then optional filler)."""
    return re.compile(alternation(terms) + filler + r"\Z")


def starts_with(terms: Iterable[str]) -> re.Pattern[str]:
    return re.compile(r"\s*" + alternation(terms))


class Patterns:
    """The compiled patterns of one vocabulary."""

    def __init__(self, v: Vocabulary) -> None:
        cn_digits = "".join(v.cn_digits)
        cn_units = "".join(v.cn_units)
        units = alternation([*v.weight_units, *v.quantity_units])

        # Chinese numerals: digit-unit pairs (两千 五百, 1万 2千) and a last digit (两千五, not the 一 of 1.1千一斤:
        # that is "one 斤"); one digit alone.
        cn_number = (rf"(?:(?:\d+(?:\.\d+)?|[{cn_digits}])?[{cn_units}])+(?:\d(?!\d)|[{cn_digits}](?![斤两兩克]))?"
                     rf"|[{cn_digits}]")

        def amount(tag: str) -> str:
            return (rf"(?P<{tag}cn>{cn_number})"
                    rf"|(?P<{tag}num>{NUM})(?:\s?(?P<{tag}mult>{alternation(v.multipliers)})"
                    rf"(?P<{tag}tail>\d(?!\d)|\s?{alternation(v.half_after)})?)?")

        prefix = alternation(v.currency_prefixes, check_before=False)  # the letter before is checked in code
        latin_prefixes = "|".join(re.escape(t) for t in v.currency_prefixes if wordish(t[0]))
        # OCR drops spaces: 817gRMB1650 is a weight then a price
        self.after_weight = re.compile(rf"\d\s?{alternation(v.weight_units, latin_prefixes)}$")
        self.money = re.compile(  # a letter right before is checked in code (allowed after a weight: 21g507块)
            rf"(?<!\d)(?<!\d[.,])"
            rf"(?:(?:每|一|单|per\s?|a\s)(?P<punit>{units})\s?(?:价格|价钱|售价|价)?\s?[:：]?\s?"
            rf"|(?P<punit2>克|g)价\s?[:：]?\s?)?"
            rf"(?:(?P<pre>{prefix})\s?[:：]?\s?)?"
            rf"(?:{amount('a')})"
            rf"(?:\s?(?:-|~|～|至|到|—|–|to)\s?(?:(?P<pre2>{prefix})\s?)?(?:{amount('b')}))?"
            rf"(?:\s?(?P<suf>{alternation(v.currency_suffixes)}))?"
            rf"(?:\s?(?:/|每|一|per|a|for\s1)\s?(?P<unit>{units})|\s?(?P<each>each|apiece|ea\.?(?![{LETTER}])|一个|一件|/pc))?"
        )
        self.weight = re.compile(
            rf"(?<![{LETTER}\d/])(?<!\d[.,])"
            rf"(?:(?P<cn>半|{cn_number})|(?P<num>{NUM}))"
            rf"(?:\s?(?:-|~|～|至|到|—|–)\s?(?:(?P<cn2>{cn_number})|(?P<num2>{NUM})))?"
            rf"\s?(?P<unit>{alternation(v.weight_units, latin_prefixes)})"
            # a digit right after 斤 or 两 is tenths of it (2两8 = 2.8 两, 1斤2两 = 1.2 斤)
            rf"(?:(?<=[斤两兩])(?P<tail>\d|[一二三四五六七八九])(?:两|兩|钱|錢)?(?![\d.,元块米万萬千kw])"
            rf"|(?<=斤)\s(?P<spaced>\d|[一二三四五六七八九])\s?(?:两|兩))?"  # 1 斤 2 两, spaced
        )
        self.quantity = re.compile(
            rf"(?<![{LETTER}\d/])(?<!\d[.,])(?:(?P<cn>{cn_number})|(?P<num>\d+))\s?"
            rf"(?P<unit>{alternation(v.quantity_units)})(?!月|人|小时|天|星期|年)"
            rf"|(?<![{LETTER}])(?:x|×|\*)\s?(?P<times>\d{{1,2}})(?![\d.])"
        )
        self.not_quantity_after = starts_with(v.not_quantity_after)
        self.price_cue = ends_with(v.price_cues, r"[\s:=是为约仅只要：]*")
        self.price_after = starts_with(v.price_after)
        self.unit_after = starts_with([*v.weight_units, *v.quantity_units])
        self.weight_after = re.compile(r"\s?" + alternation(v.weight_units, latin_prefixes) + "(?![重价])")  # not 克重
        # a weight, then a bare amount set apart from it: 一斤 1800, 重58克 1280 (the price of that weight)
        self.weight_before = re.compile(
            rf"(?:\d|[{cn_digits}半])\s?{alternation(v.weight_units, latin_prefixes)}[\s,，、;；/|]{{1,3}}\Z")
        self.times_before = re.compile(rf"(?<![{LETTER}])(?:x|×|\*)\s?\Z")
        self.standalone = re.compile(r"[\s,，。;；!！~～|/)）]|\Z")
        self.not_price_before = ends_with(v.not_price_before)
        self.count_cue = ends_with(v.count_cues)
        self.not_price_after = starts_with(v.not_price_after)
        self.weight_cue = ends_with(v.weight_cues, r"[ \t:=约为是：]*")
        self.negotiable = re.compile(alternation(v.negotiable))


@cache
def patterns(v: Vocabulary) -> Patterns:
    return Patterns(v)
