"""The simulator's curated data (species, phrases, benign kinds), loaded and validated from YAML."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).parent / "data"
LANGUAGES = ("zh", "zh_hant", "en", "vi")
PRODUCT_TYPES = ("raw", "semi_worked", "worked_uncarved", "worked_carved")


@dataclass(frozen=True)
class CodeWord:
    word: str
    meaning: str
    week: int


@dataclass(frozen=True)
class PriceModel:
    mean: float
    sd: float
    grams: tuple[int, int]


@dataclass(frozen=True)
class Species:
    id: str
    share: float
    names: dict[str, str]
    pinyin: str
    initials: str
    homophones: tuple[str, ...]
    code_words: tuple[CodeWord, ...]
    products: dict[str, PriceModel]


@dataclass(frozen=True)
class BenignKind:
    id: str
    weight: float
    lookalike: bool
    head: dict[str, list[str]]
    body: dict[str, list[str]]
    tail: dict[str, list[str]]


@dataclass(frozen=True)
class Vocabulary:
    species: dict[str, Species]
    products: dict[str, dict[str, list[str]]]
    slots: dict[str, dict[str, list[str]]]
    emoji: list[str]
    split_marks: list[str]
    family_names: list[str]
    given_names: list[str]
    cities: list[str]
    districts: list[str]
    handles: list[str]
    benign: dict[str, BenignKind]


def _need(data: dict[str, Any], key: str, where: str, kind: type | tuple[type, ...]) -> Any:
    if key not in data:
        raise ValueError(f"{where}: missing '{key}'")
    if not isinstance(data[key], kind):
        raise ValueError(f"{where}: '{key}' must be {getattr(kind, '__name__', kind)}, got {data[key]!r}")
    return data[key]


def _strings(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise ValueError(f"{where}: must be a non-empty list of strings")
    return list(value)


def _by_language(data: Any, where: str, required: tuple[str, ...] = ()) -> dict[str, list[str]]:
    if not isinstance(data, dict):
        raise ValueError(f"{where}: must map languages to lists")
    for lang in data:
        if lang not in LANGUAGES:
            raise ValueError(f"{where}: unknown language '{lang}'; expected one of {LANGUAGES}")
    for lang in required:
        if lang not in data:
            raise ValueError(f"{where}: missing language '{lang}'")
    return {lang: _strings(v, f"{where}.{lang}") for lang, v in data.items()}


def _load(name: str) -> dict[str, Any]:
    path = DATA / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: must be a mapping")
    return data


def _species(path: str, sid: str, d: Any) -> Species:
    where = f"{path}: species '{sid}'"
    if not isinstance(d, dict):
        raise ValueError(f"{where}: must be a mapping")
    names = _need(d, "names", where, dict)
    missing = [lang for lang in LANGUAGES if lang not in names]
    if missing:
        raise ValueError(f"{where}: names lack {missing}")
    words = []
    for i, w in enumerate(_need(d, "code_words", where, list)):
        if not isinstance(w, dict) or not isinstance(w.get("word"), str) or not isinstance(w.get("week"), int):
            raise ValueError(f"{where}: code_words[{i}] needs a 'word' string and a 'week' integer")
        words.append(CodeWord(w["word"], str(w.get("meaning", sid)), w["week"]))
    products = {}
    for ptype, p in _need(d, "products", where, dict).items():
        if ptype not in PRODUCT_TYPES:
            raise ValueError(f"{where}: unknown product type '{ptype}'; expected one of {PRODUCT_TYPES}")
        if not isinstance(p, dict) or not {"mean", "sd", "grams"} <= set(p) or len(p["grams"]) != 2:
            raise ValueError(f"{where}: product '{ptype}' needs mean, sd and grams [low, high]")
        products[ptype] = PriceModel(float(p["mean"]), float(p["sd"]), (int(p["grams"][0]), int(p["grams"][1])))
    return Species(sid, float(_need(d, "share", where, (int, float))), {k: str(v) for k, v in names.items()},
                   str(_need(d, "pinyin", where, str)), str(_need(d, "initials", where, str)),
                   tuple(_strings(d.get("homophones"), f"{where}.homophones")), tuple(words), products)


def _benign(path: str, kid: str, d: Any) -> BenignKind:
    where = f"{path}: kind '{kid}'"
    if not isinstance(d, dict):
        raise ValueError(f"{where}: must be a mapping")
    return BenignKind(kid, float(_need(d, "weight", where, (int, float))), bool(_need(d, "lookalike", where, bool)),
                      _by_language(d.get("head"), f"{where}.head", ("zh",)),
                      _by_language(d.get("body"), f"{where}.body", ("zh",)),
                      _by_language(d.get("tail", {}), f"{where}.tail"))


@cache
def vocabulary() -> Vocabulary:
    """Load and validate the curated data once; errors name the file and the entry."""
    sp, ph, bn = _load("species.yaml"), _load("phrases.yaml"), _load("benign.yaml")
    species = {sid: _species("species.yaml", sid, d) for sid, d in _need(sp, "species", "species.yaml", dict).items()}
    products = {}
    for ptype, d in _need(ph, "products", "phrases.yaml", dict).items():
        if ptype not in PRODUCT_TYPES:
            raise ValueError(f"phrases.yaml: unknown product type '{ptype}'")
        products[ptype] = _by_language(d, f"phrases.yaml: products.{ptype}", LANGUAGES)
    slots = {name: _by_language(d, f"phrases.yaml: slots.{name}", LANGUAGES)
             for name, d in _need(ph, "slots", "phrases.yaml", dict).items()}
    names = _need(ph, "names", "phrases.yaml", dict)
    benign = {kid: _benign("benign.yaml", kid, d) for kid, d in _need(bn, "kinds", "benign.yaml", dict).items()}
    return Vocabulary(
        species=species, products=products, slots=slots,
        emoji=_strings(ph.get("emoji"), "phrases.yaml: emoji"),
        split_marks=_strings(ph.get("split_marks"), "phrases.yaml: split_marks"),
        family_names=_strings(names.get("family"), "phrases.yaml: names.family"),
        given_names=_strings(names.get("given"), "phrases.yaml: names.given"),
        cities=_strings(ph.get("cities"), "phrases.yaml: cities"),
        districts=_strings(ph.get("districts"), "phrases.yaml: districts"),
        handles=_strings(ph.get("handles"), "phrases.yaml: handles"),
        benign=benign,
    )
