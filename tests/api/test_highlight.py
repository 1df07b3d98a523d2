"""Search snippets: the terms marked where they occur, in any script, around the first one found."""

from __future__ import annotations

from wildtrace.service._highlight import snippet


def _marked(pieces: list[dict[str, object]]) -> str:
    return "".join(f"[{p['text']}]" if p["hit"] else str(p["text"]) for p in pieces)


def test_terms_are_marked_case_folded_in_any_script() -> None:
    assert _marked(snippet("出售XY手镯 象牙 Ivory 🐘", ["象牙", "ivory", "🐘"])) == "出售XY手镯 [象牙] [Ivory] [🐘]"
    assert _marked(snippet("Bán SỪNG tê giác; ขายงาช้าง", ["sừng", "งาช้าง"])) == "Bán [SỪNG] tê giác; ขาย[งาช้าง]"
    assert _marked(snippet("a+b (c) a+b", ["a+b"])) == "[a+b] (c) [a+b]"  # a term is text, not a pattern
    assert _marked(snippet("犀角杯", ["犀角杯", "犀角"])) == "[犀角杯]"  # the longest term wins where both fit


def test_a_long_text_is_cut_around_the_first_hit() -> None:
    text = "x" * 500 + " 象牙 " + "y" * 500
    pieces = snippet(text, ["象牙"], width=100)
    assert pieces[0] == {"text": "…", "hit": False} and pieces[-1] == {"text": "…", "hit": False}
    assert [p["text"] for p in pieces if p["hit"]] == ["象牙"]
    assert sum(len(str(p["text"])) for p in pieces[1:-1]) == 100
    assert _marked(snippet("no hit here", ["象牙"])) == "no hit here"
