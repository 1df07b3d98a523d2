from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from wildtrace.lexicon import LexiconError, add_term, load_lexicon, retire_term

DOMAIN_CODE_WORDS = ["XY", "jelly", "blood material", "XJ", "Xi Jiao", "yellow materials", "white plastic",
                     "African materials", "ox bone", "cow bone"]


def test_packaged_lexicon_loads_with_every_kind_and_language() -> None:
    lex = load_lexicon()
    kinds = {t.kind for t in lex.terms}
    assert kinds == {"species", "product", "code_word", "legality", "benign", "trade"}
    elephant = lex.by_id["elephant"]
    assert set(elephant.names) == {"zh-Hans", "zh-Hant", "en", "vi", "fr", "de", "id", "ms", "th"}
    assert elephant.cites and elephant.scientific


def test_every_code_word_of_the_domain_notes_is_in_the_lexicon_with_meaning_and_source() -> None:
    lex = load_lexicon()
    names = {n.casefold(): t for t in lex.of_kind("code_word") for n in t.all_names()}
    for word in DOMAIN_CODE_WORDS:
        term = names[word.casefold()]
        assert term.meaning in lex.by_id and term.source


def test_add_and_retire_are_recorded_in_the_user_layer(tmp_path: Path) -> None:
    layer = tmp_path / "lexicon.yaml"
    term = add_term(layer, "code_word", {"zh-Hans": ["白条子"]}, meaning="elephant", source="seen in case 12",
                    by="ana")
    lex = load_lexicon(layer)
    assert lex.by_id[term.id].origin == "user"
    retire_term(layer, "jelly", reason="too many false hits", by="ana")
    lex = load_lexicon(layer)
    assert "jelly" not in lex.by_id and "jelly" in lex.retired
    doc = yaml.safe_load(layer.read_text())
    assert doc["retired"][0]["retired_by"] == "ana"
    with pytest.raises(LexiconError, match="already retired"):
        retire_term(layer, "jelly")


def test_invalid_user_entry_names_file_and_entry(tmp_path: Path) -> None:
    layer = tmp_path / "lexicon.yaml"
    layer.write_text(yaml.safe_dump({"entries": [{"id": "bad", "kind": "code_word", "names": {"xx": ["a"]}}]}))
    with pytest.raises(LexiconError, match=r"lexicon.yaml: entry 1 \(bad\).*unknown language"):
        load_lexicon(layer)


def test_code_word_meaning_must_be_a_species(tmp_path: Path) -> None:
    with pytest.raises(LexiconError, match="not a species id"):
        add_term(tmp_path / "l.yaml", "code_word", {"en": ["snow"]}, meaning="unicorn", source="x")
    assert load_lexicon(tmp_path / "l.yaml").by_id.get("user_snow") is None


@pytest.mark.parametrize("name", ["#", "lot #x", "# lot", "lot ##"])
def test_a_number_slot_only_ends_a_name(tmp_path: Path, name: str) -> None:
    layer = tmp_path / "lexicon.yaml"
    layer.write_text(yaml.safe_dump({"entries": [{"id": "odd", "kind": "trade", "names": {"en": [name]}}]}))
    with pytest.raises(LexiconError, match=r"entry 1 \(odd\).*'#' only ends a name"):
        load_lexicon(layer)


@pytest.mark.parametrize(("parts", "error"), [
    ({"horn": ["unicorn horn"]}, r"entry 1 \(unicorn\).*parts.horn: 'unicorn horn' is not one of this entry's names"),
    ({"horn": "unicorn"}, r"entry 1 \(unicorn\).*'parts' must map a product id to a list"),
    ({"horn": ["unicorn"], "bone": ["unicorn"]}, r"'unicorn' is listed under 'bone' and 'horn'"),
    ({"antler": ["unicorn"]}, r"entry 'unicorn' \(user\): parts: 'antler' \(for 'unicorn'\) is not a product id"),
])
def test_part_names_are_the_entry_s_own_names_and_name_a_product(tmp_path: Path, parts: object, error: str) -> None:
    layer = tmp_path / "lexicon.yaml"
    layer.write_text(yaml.safe_dump({"entries": [{"id": "unicorn", "kind": "species", "cites": "I",
                                                  "names": {"en": ["unicorn"]}, "parts": parts}]}))
    with pytest.raises(LexiconError, match=error):
        load_lexicon(layer)


def test_the_species_names_that_are_parts_are_marked() -> None:
    """犀角 is rhino horn, 虎骨 tiger bone, 熊胆 bear bile, 穿山甲鳞片 pangolin scales; 犀牛, 穿山甲: the animals."""
    by_id = load_lexicon().by_id
    parts = {name: product for t in by_id.values() for name, product in t.parts}
    assert {parts["犀角"], parts["rhino horn"], parts["虎骨"], parts["豹骨"], parts["熊胆"], parts["穿山甲鳞片"]} == {
        "horn", "bone", "bile", "scales"}
    assert "犀牛" not in parts and "穿山甲" not in parts and "tiger" not in parts
    assert all(by_id[product].kind == "product" for product in parts.values())
