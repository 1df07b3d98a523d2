"""Properties that hold for any input: no crash on arbitrary Unicode, spans inside the text and equal
to the raw text they claim, identifiers normalised."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from wildtrace.extract import extract_fields, identifiers

# Text built from the characters extraction cares about, mixed with anything at all.
_PIECES = st.sampled_from([
    "元", "块", "¥", "$", "k", "w", "万", "千", "克", "g", "kg", "斤", "两", "/", "-", "~", ".", ",",
    "一", "三", "八", "幺", "微信", "QQ", "@", "#", ":", " ", "１", "３", "８", "đ", "tr", "+86",
    "138", "1234", "5678", "每克", "面议", "\u0301", "ß", "İ", "㎏", "①", "ﬁ",
])
_TEXT = st.lists(st.one_of(_PIECES, st.text(max_size=6), st.integers(0, 10**12).map(str)), max_size=30).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.one_of(_TEXT, st.text(max_size=200)))
def test_any_text_gives_json_with_spans_inside(text: str) -> None:
    fields = extract_fields(text)
    json.dumps(fields)
    for item in [*fields["prices"], *fields["weights"], *fields["contacts"], *fields["matches"]]:
        start, end = item["span"]
        assert 0 <= start <= end <= len(text)
        assert text[start:end] == item["raw"]
    if fields["price"] is not None:
        assert fields["price"] > 0 and fields["currency"]
    if fields["weight_g"] is not None:
        assert fields["weight_g"] > 0


@settings(max_examples=200, deadline=None)
@given(_TEXT)
def test_identifier_values_are_normalised(text: str) -> None:
    for ident in identifiers(text):
        if ident.kind == "phone":
            assert ident.value.startswith("+") and ident.value[1:].isdigit()
        elif ident.kind == "bank_card":
            assert ident.value.startswith("bank:") and 16 <= len(ident.value) - 5 <= 19
        elif ident.kind in ("messenger_id", "payment_account"):
            assert ":" in ident.value
        assert ident.value == ident.value.strip()


_MOBILE_PREFIXES = ["130", "135", "138", "139", "150", "158", "177", "186", "189", "199"]


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(_MOBILE_PREFIXES), st.integers(0, 10**8 - 1))
def test_a_mobile_number_is_found_however_it_is_spaced(prefix: str, rest: int) -> None:
    digits = f"{prefix}{rest:08d}"
    for written in (digits, f"{digits[:3]} {digits[3:7]} {digits[7:]}", f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"):
        values = [i.value for i in identifiers(f"联系 {written} 谢谢")]
        assert values == ["+86" + digits], written
