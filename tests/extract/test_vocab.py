"""The vocabularies load, and a malformed file is refused with its name and the entry."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import pytest

from wildtrace.extract import VocabularyError, extract_fields, load_vocabulary


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    source = Path(str(resources.files("wildtrace.extract") / "data"))
    target = tmp_path / "data"
    shutil.copytree(source, target)
    return target


def test_packaged_vocabulary_loads() -> None:
    v = load_vocabulary()
    assert v.rates_date and v.to_cny["CNY"] == 1.0
    assert v.weight_units["斤"] == 500 and v.weight_units["两"] == 50
    assert {"raw", "semi_worked", "worked_uncarved", "worked_carved"} == set(v.products)


def test_traditional_forms_are_added() -> None:
    assert extract_fields("象牙手鐲 順豐")["product_type"] == "worked_uncarved"
    assert extract_fields("象牙手鐲 順豐")["delivery_methods"] == ["sf_express"]


@pytest.mark.parametrize(("file", "old", "new", "message"), [
    ("units.yaml", "  斤: 500", "  斤: -500", "weights.斤"),
    ("currencies.yaml", "    CNY: 1.0", "    XXX: 1.0", "currencies.CNY"),
    ("currencies.yaml", 'weak_suffixes: ["米"]', 'weak_suffixes: ["尺"]', "currencies.CNY.weak_suffixes"),
    ("places.yaml", "kind: border_town, country: CN, names: [\"瑞丽\"", "kind: village, country: CN, names: [\"瑞丽\"",
     "Ruili"),
    ("methods.yaml", '  paypal: ["paypal", "贝宝"]', "  paypal: []", "payment.paypal"),
    ("numbers.yaml", "  tr: VND", "  tr: XYZ", "multiplier_currency.tr"),
    ("currencies.yaml", "no_cents: [VND, LAK, MMK, JPY, IDR]", "no_cents: [VND, XYZ]", "no_cents"),
    ("numbers.yaml", 'half_after: ["rưỡi", "半"]', "half_after: []", "half_after"),
])
def test_malformed_entry_is_named(data_dir: Path, file: str, old: str, new: str, message: str) -> None:
    path = data_dir / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(VocabularyError) as err:
        load_vocabulary(data_dir)
    assert file in str(err.value) and message in str(err.value)


def test_broken_yaml_is_named(data_dir: Path) -> None:
    (data_dir / "claims.yaml").write_text("pre_ban: [unclosed", encoding="utf-8")
    with pytest.raises(VocabularyError, match=r"claims\.yaml"):
        load_vocabulary(data_dir)


def test_an_edited_vocabulary_changes_extraction(data_dir: Path) -> None:
    path = data_dir / "claims.yaml"
    path.write_text(path.read_text(encoding="utf-8") + 'hunting_trophy: ["trophy", "战利品"]\n', encoding="utf-8")
    v = load_vocabulary(data_dir)
    assert extract_fields("old hunting trophy tusk", vocabulary=v)["legality_claims"] == ["hunting_trophy"]
