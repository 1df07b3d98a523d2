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
