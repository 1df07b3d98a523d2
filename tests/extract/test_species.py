"""Species and CITES appendix come from the screening lexicon, the one source of truth for names."""

from __future__ import annotations

from wildtrace.extract import extract_fields
from wildtrace.lexicon import load_lexicon


def test_species_screening_found_get_their_appendix() -> None:
    lex = load_lexicon()
    fields = extract_fields("出货 50g", species=["rhinoceros", "pangolin"])
    assert fields["species"] == [{"name": "rhinoceros", "cites_appendix": lex.cites("rhinoceros")},
                                 {"name": "pangolin", "cites_appendix": lex.cites("pangolin")}]
    assert lex.cites("rhinoceros") == "I"


def test_without_screening_the_text_names_the_species() -> None:
    assert [s["name"] for s in extract_fields("果冻手镯 50g 老料")["species"]] == ["elephant"]  # a code word
    assert [s["name"] for s in extract_fields("犀角杯 一只")["species"]] == ["rhinoceros"]
    assert extract_fields("纯棉T恤 三件")["species"] == []


def test_products_screening_found_give_the_product_type() -> None:
    assert extract_fields("看图", products=["tusk"])["product_type"] == "raw"
    assert extract_fields("看图", products=["bangle", "carving"])["product_type"] == "worked_carved"
    assert extract_fields("看图", products=["no_such_product"])["product_type"] == "none"
