"""The extraction vocabularies: YAML files in ``data/``, validated on load.

Each loader names the file and the entry that is wrong. Terms are folded (NFKC, case-folded) once
here, and every Chinese term also gets its traditional-character form.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from opencc import OpenCC

from wildtrace.extract._terms import TermMatcher
from wildtrace.extract._text import fold

PRODUCT_TYPES = ("raw", "semi_worked", "worked_uncarved", "worked_carved")
PLACE_KINDS = ("country", "region", "province", "city", "border_town")
_CONTACT_LISTS = ("generic", "needs_colon", "qq", "telegram", "alipay", "wechat_pay", "bank", "phone_cues",
                  "same_as_phone")


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: ten times faster


class VocabularyError(ValueError):
    """A vocabulary file is malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class Place:
    name: str
    kind: str
    country: str
    names: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class Vocabulary:
    """Everything extraction knows, loaded from one data directory."""

    rates_date: str
    rates_source: str
    to_cny: dict[str, float]
    currency_prefixes: dict[str, str]
    currency_suffixes: dict[str, str]
    weak_suffixes: frozenset[str]
    no_cents: frozenset[str]
    multipliers: dict[str, float]
    multiplier_currency: dict[str, str]
    half_after: tuple[str, ...]
    cn_digits: dict[str, int]
    cn_units: dict[str, int]
    price_cues: tuple[str, ...]
    negotiable: tuple[str, ...]
    not_price_before: tuple[str, ...]
    not_price_after: tuple[str, ...]
    price_after: tuple[str, ...]
    count_cues: tuple[str, ...]
    weight_units: dict[str, float]
    weight_cues: tuple[str, ...]
    quantity_units: tuple[str, ...]
    not_quantity_after: tuple[str, ...]
    products: dict[str, tuple[str, ...]]
    not_products: tuple[str, ...]
    payment: dict[str, tuple[str, ...]]
    delivery: dict[str, tuple[str, ...]]
    claims: dict[str, tuple[str, ...]]
    places: tuple[Place, ...]
    contacts: dict[str, Any]

    def matcher(self, name: str) -> TermMatcher:
        """The term matcher of one vocabulary: products, payment, delivery, claims, places."""
        return _matchers(self)[name]


def _traditional(terms: list[str]) -> list[str]:
    """The terms, each Chinese term followed by its traditional forms (standard and Hong Kong: 菸嘴, 煙嘴)."""
    out = []
    for term in terms:
        out.append(term)
        if any("\u4e00" <= c <= "\u9fff" for c in term):
            out.extend(dict.fromkeys(fold(c.convert(term)) for c in _converters()))
    return list(dict.fromkeys(out))


@cache
def _converters() -> tuple[OpenCC, ...]:
    return OpenCC("s2t"), OpenCC("s2hk")


class _Reader:
    """Reads one YAML file and checks its shape, naming the file and entry in every error."""

    def __init__(self, directory: Path, name: str) -> None:
        self.file = name
        path = directory / name
        try:
            self.data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
        except FileNotFoundError as exc:
            raise VocabularyError(f"{self.file}: file not found in {directory}") from exc
        except yaml.YAMLError as exc:
            raise VocabularyError(f"{self.file}: not valid YAML: {exc}") from exc

    def fail(self, entry: str, why: str) -> VocabularyError:
        return VocabularyError(f"{self.file}: entry {entry!r}: {why}")

    def mapping(self, value: Any, entry: str) -> dict[str, Any]:
        if not isinstance(value, dict) or not value:
            raise self.fail(entry, "must be a non-empty mapping")
        return value

    def terms(self, value: Any, entry: str) -> list[str]:
        if not isinstance(value, list) or not value:
            raise self.fail(entry, "must be a non-empty list of terms")
        bad = [v for v in value if not isinstance(v, str) or not v.strip()]
        if bad:
            raise self.fail(entry, f"terms must be non-empty strings, got {bad[0]!r}")
        return [fold(v) for v in value]

    def number(self, value: Any, entry: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise self.fail(entry, f"must be a positive number, got {value!r}")
        return float(value)

    def text(self, value: Any, entry: str) -> str:
        if not isinstance(value, str):
            raise self.fail(entry, f"must be a string, got {value!r}")
        return value

    def top(self, *keys: str) -> dict[str, Any]:
        data = self.mapping(self.data, "(top level)")
        for key in keys:
            if key not in data:
                raise self.fail(key, "is missing")
        return data


def load_vocabulary(directory: str | Path | None = None) -> Vocabulary:
    """Load and validate every vocabulary file in ``directory`` (default: the package's ``data/``)."""
    if directory is None:
        return _packaged()
    return _load(Path(directory))


@cache
def _packaged() -> Vocabulary:
    return _load(Path(str(resources.files("wildtrace.extract") / "data")))


def _load(directory: Path) -> Vocabulary:
    cur = _Reader(directory, "currencies.yaml")
    data = cur.top("rates", "currencies", "no_cents")
    rates = cur.mapping(data["rates"], "rates")
    to_cny = {str(k).upper(): cur.number(v, f"rates.to_cny.{k}") for k, v in
              cur.mapping(rates.get("to_cny"), "rates.to_cny").items()}
    prefixes: dict[str, str] = {}
    suffixes: dict[str, str] = {}
    weak: set[str] = set()
    for code, spec in cur.mapping(data["currencies"], "currencies").items():
        spec = cur.mapping(spec, f"currencies.{code}")
        if code not in to_cny:
            raise cur.fail(f"currencies.{code}", "has no rate in rates.to_cny")
        for term in _traditional(cur.terms(spec.get("prefixes"), f"currencies.{code}.prefixes")):
            prefixes.setdefault(term, code)
        for term in _traditional(cur.terms(spec.get("suffixes"), f"currencies.{code}.suffixes")):
            suffixes.setdefault(term, code)
        if "weak_suffixes" in spec:
            for term in cur.terms(spec["weak_suffixes"], f"currencies.{code}.weak_suffixes"):
                if term not in suffixes:
                    raise cur.fail(f"currencies.{code}.weak_suffixes", f"{term!r} is not one of the suffixes")
                weak.add(term)
    no_cents = {str(c).upper() for c in cur.terms(data.get("no_cents"), "no_cents")}
    if no_cents - set(to_cny):
        raise cur.fail("no_cents", f"{sorted(no_cents - set(to_cny))[0]!r} has no rate in rates.to_cny")

    num = _Reader(directory, "numbers.yaml")
    ndata = num.top("multipliers", "multiplier_currency", "half_after", "cn_digits", "cn_units", "price_cues",
                    "negotiable", "not_price_before", "not_price_after", "price_after", "count_cues")
    multipliers = {fold(str(k)): num.number(v, f"multipliers.{k}") for k, v in
                   num.mapping(ndata["multipliers"], "multipliers").items()}
    multiplier_currency = {}
    for k, code in num.mapping(ndata["multiplier_currency"], "multiplier_currency").items():
        if fold(str(k)) not in multipliers or code not in to_cny:
            raise num.fail(f"multiplier_currency.{k}", "must name a multiplier above and a currency with a rate")
        multiplier_currency[fold(str(k))] = code
    cn_digits = {}
    for k, v in num.mapping(ndata["cn_digits"], "cn_digits").items():
        if not isinstance(v, int) or not 0 <= v <= 9 or len(str(k)) != 1:
            raise num.fail(f"cn_digits.{k}", "must map one character to a digit 0-9")
        cn_digits[str(k)] = v
    cn_units = {str(k): int(num.number(v, f"cn_units.{k}")) for k, v in
                num.mapping(ndata["cn_units"], "cn_units").items()}

    units = _Reader(directory, "units.yaml")
    udata = units.top("weights", "weight_cues", "quantities", "not_quantity_after")
    weights = {fold(str(k)): units.number(v, f"weights.{k}") for k, v in
               units.mapping(udata["weights"], "weights").items()}

    prod = _Reader(directory, "products.yaml")
    pdata = prod.top(*PRODUCT_TYPES, "not_products")
    extra = set(pdata) - {*PRODUCT_TYPES, "not_products"}
    if extra:
        raise prod.fail(sorted(extra)[0], f"unknown product type; use one of {', '.join(PRODUCT_TYPES)}")

    meth = _Reader(directory, "methods.yaml")
    mdata = meth.top("payment", "delivery")
    claims = _Reader(directory, "claims.yaml")
    cdata = claims.top()

    gaz = _Reader(directory, "places.yaml")
    if not isinstance(gaz.data, list) or not gaz.data:
        raise gaz.fail("(top level)", "must be a list of places")
    places = []
    for i, entry in enumerate(gaz.data):
        label = f"#{i + 1} {entry.get('name') if isinstance(entry, dict) else entry!r}"
        entry = gaz.mapping(entry, label)
        kind = gaz.text(entry.get("kind"), f"{label}.kind")
        if kind not in PLACE_KINDS:
            raise gaz.fail(f"{label}.kind", f"must be one of {', '.join(PLACE_KINDS)}, got {kind!r}")
        places.append(Place(gaz.text(entry.get("name"), f"{label}.name"), kind,
                            gaz.text(entry.get("country", ""), f"{label}.country"),
                            tuple(gaz.terms(entry.get("names"), f"{label}.names"))))

    con = _Reader(directory, "contacts.yaml")
    kdata = con.top("messengers", *_CONTACT_LISTS)
    contacts: dict[str, Any] = {
        "messengers": {str(app): _traditional(con.terms(v, f"messengers.{app}"))
                       for app, v in con.mapping(kdata["messengers"], "messengers").items()},
    }
    for key in _CONTACT_LISTS:
        contacts[key] = _traditional(con.terms(kdata[key], key))

    return Vocabulary(
        rates_date=cur.text(rates.get("date"), "rates.date"),
        rates_source=cur.text(rates.get("source", ""), "rates.source"),
        to_cny=to_cny,
        currency_prefixes=prefixes,
        currency_suffixes=suffixes,
        weak_suffixes=frozenset(weak),
        no_cents=frozenset(no_cents),
        multipliers=multipliers,
        multiplier_currency=multiplier_currency,
        half_after=tuple(num.terms(ndata["half_after"], "half_after")),
        cn_digits=cn_digits,
        cn_units=cn_units,
        price_cues=tuple(_traditional(num.terms(ndata["price_cues"], "price_cues"))),
        negotiable=tuple(_traditional(num.terms(ndata["negotiable"], "negotiable"))),
        not_price_before=tuple(_traditional(num.terms(ndata["not_price_before"], "not_price_before"))),
        not_price_after=tuple(_traditional(num.terms(ndata["not_price_after"], "not_price_after"))),
        price_after=tuple(_traditional(num.terms(ndata["price_after"], "price_after"))),
        count_cues=tuple(_traditional(num.terms(ndata["count_cues"], "count_cues"))),
        weight_units=weights,
        weight_cues=tuple(_traditional(units.terms(udata["weight_cues"], "weight_cues"))),
        quantity_units=tuple(_traditional(units.terms(udata["quantities"], "quantities"))),
        not_quantity_after=tuple(_traditional(units.terms(udata["not_quantity_after"], "not_quantity_after"))),
        products={t: tuple(_traditional(prod.terms(pdata[t], t))) for t in PRODUCT_TYPES},
        not_products=tuple(_traditional(prod.terms(pdata["not_products"], "not_products"))),
        payment={str(k): tuple(_traditional(meth.terms(v, f"payment.{k}")))
                 for k, v in meth.mapping(mdata["payment"], "payment").items()},
        delivery={str(k): tuple(_traditional(meth.terms(v, f"delivery.{k}")))
                  for k, v in meth.mapping(mdata["delivery"], "delivery").items()},
        claims={str(k): tuple(_traditional(claims.terms(v, str(k)))) for k, v in cdata.items()},
        places=tuple(places),
        contacts=contacts,
    )


@cache
def _matchers(vocab: Vocabulary) -> dict[str, TermMatcher]:
    return {
        "products": TermMatcher([*((t, None) for t in vocab.not_products),
                                 *((t, kind) for kind, terms in vocab.products.items() for t in terms)]),
        "payment": TermMatcher((t, name) for name, terms in vocab.payment.items() for t in terms),
        "delivery": TermMatcher((t, name) for name, terms in vocab.delivery.items() for t in terms),
        "claims": TermMatcher((t, name) for name, terms in vocab.claims.items() for t in terms),
        "places": TermMatcher((t, p) for p in vocab.places for t in _traditional(list(p.names))),
    }
