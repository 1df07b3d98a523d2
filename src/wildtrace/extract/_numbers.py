"""Reading the numbers people write: thousands separators, decimal commas, Chinese numerals."""

from __future__ import annotations

import re

_COMMA_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")
_DOT_THOUSANDS = re.compile(r"^\d{1,3}(\.\d{3})+(,\d+)?$")


def parse_decimal(raw: str, dot_groups_are_thousands: bool = False) -> float | None:
    """``1,234.5`` -> 1234.5; ``1.500.000`` -> 1500000; ``1,5`` -> 1.5; ``1.500`` -> 1.5 unless
    ``dot_groups_are_thousands`` (currencies without cents, such as VND, write 500.000)."""
    s = raw.strip()
    if not s:
        return None
    if _COMMA_THOUSANDS.match(s):
        return float(s.replace(",", ""))
    if _DOT_THOUSANDS.match(s) and (s.count(".") > 1 or dot_groups_are_thousands):
        return float(s.replace(".", "").replace(",", "."))
    if s.count(",") == 1 and "." not in s:
        s = s.replace(",", ".")
    try:
        return float(s)
    except ValueError:
        return None


def parse_chinese(raw: str, digits: dict[str, int], units: dict[str, int]) -> float | None:
    """Chinese numerals, mixed with Arabic digits: 两千五 -> 2500, 1万2 -> 12000, 3千5百 -> 3500,
    1.2万 -> 12000, 五 -> 5. Returns None when there is no digit at all (万 alone is not a number)."""
    total = 0.0
    section = 0.0
    number: float | None = None
    last_unit = 0
    had_digit = False
    i = 0
    while i < len(raw):
        ch = raw[i]
        if ch.isdigit() and ch.isascii():
            j = i
            while j < len(raw) and ((raw[j].isdigit() and raw[j].isascii()) or raw[j] == "."):
                j += 1
            try:
                number = float(raw[i:j])
            except ValueError:
                return None
            had_digit = True
            i = j
            continue
        if ch in digits:
            # consecutive digits read digit by digit: 一二 -> 12
            number = (number * 10 if number is not None and raw[i - 1] in digits else 0) + digits[ch]
            had_digit = True
        elif ch in units:
            unit = units[ch]
            if unit >= 10000:
                section = (section + (number if number is not None else (0 if section else 1))) * unit
                total += section
                section = 0
            else:
                section += (number if number is not None else 1) * unit
                had_digit = had_digit or unit == 10  # 十 alone is ten
            number = None
            last_unit = unit
        else:
            return None
        i += 1
    if not had_digit:
        return None
    if number is not None and last_unit >= 100 and number < 10 and number == int(number):
        number *= last_unit / 10  # 两千五 = 2500, 1万2 = 12000: the digit after a unit is the next place
    return total + section + (number or 0)
