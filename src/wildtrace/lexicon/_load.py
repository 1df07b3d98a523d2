"""Load and validate the lexicon: the package's YAML files plus the analysts' layer file.

Every error names the file and the entry, so a bad edit is found in seconds.
"""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from wildtrace.lexicon._model import CITES_APPENDICES, KINDS, LANGUAGES, NUMBER_SLOT, PRODUCT_CATEGORIES, Lexicon, Term

_COMMON = {"id", "names", "source"}
_ALLOWED: dict[str, set[str]] = {
    "species": _COMMON | {"scientific", "cites", "parts"},
    "product": _COMMON | {"category", "species"},
    "code_word": _COMMON | {"meaning"},
    "legality": _COMMON | {"claim"},
    "benign": _COMMON,
    "trade": _COMMON | {"signal"},
}
_USER_EXTRA = {"kind", "added_by", "added_at"}


class LexiconError(ValueError):
    """A lexicon file or entry is invalid; the message names the file and the entry."""


def package_files() -> list[tuple[str, str]]:
    """(file name, text) of every packaged lexicon file, in name order."""
    folder = resources.files("wildtrace.lexicon") / "data"
    return sorted((f.name, f.read_text(encoding="utf-8")) for f in folder.iterdir() if f.name.endswith(".yaml"))


def _parse(name: str, text: str) -> Any:
    try:
        return yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise LexiconError(f"{name}: not valid YAML: {exc}") from exc


def term_from_entry(raw: Any, kind: str | None, where: str, origin: str = "package") -> Term:
    """Validate one YAML entry and build its :class:`Term`; ``where`` names file and entry for errors."""
    if not isinstance(raw, dict):
        raise LexiconError(f"{where}: an entry must be a mapping, got {type(raw).__name__}")
    kind = kind or raw.get("kind")
    if kind not in KINDS:
        raise LexiconError(f"{where}: kind must be one of {', '.join(KINDS)}, got {kind!r}")
    term_id = raw.get("id")
    if not isinstance(term_id, str) or not term_id.strip():
        raise LexiconError(f"{where}: entry has no 'id'")
    where = f"{where} ({term_id})"
    unknown = set(raw) - _ALLOWED[kind] - (_USER_EXTRA if origin == "user" else set())
    if unknown:
        raise LexiconError(f"{where}: unknown field(s) {', '.join(sorted(unknown))} for kind {kind}")
    names = raw.get("names")
    if not isinstance(names, dict) or not names:
        raise LexiconError(f"{where}: 'names' must map a language ({', '.join(LANGUAGES)}) to a list of names")
    clean: dict[str, tuple[str, ...]] = {}
    for lang, values in names.items():
        if lang not in LANGUAGES:
            raise LexiconError(f"{where}: unknown language {lang!r} (use {', '.join(LANGUAGES)})")
        if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
            raise LexiconError(f"{where}: names for {lang} must be a list of non-empty strings")
        clean[lang] = tuple(v.strip() for v in values)
        for v in clean[lang]:
            if "#" in v.removesuffix(NUMBER_SLOT) or v == NUMBER_SLOT.strip():
                raise LexiconError(f"{where}: name {v!r}: '#' only ends a name, after a space, for a number ('lot #')")
    cites = raw.get("cites")
    if kind == "species" and cites not in CITES_APPENDICES:
        raise LexiconError(f"{where}: 'cites' must be one of {', '.join(CITES_APPENDICES)}, got {cites!r}")
    category = raw.get("category") or raw.get("claim") or raw.get("signal")
    if kind == "product" and category not in PRODUCT_CATEGORIES:
        raise LexiconError(f"{where}: 'category' must be one of {', '.join(PRODUCT_CATEGORIES)}, got {category!r}")
    if kind == "code_word" and not raw.get("meaning"):
        raise LexiconError(f"{where}: a code word needs a 'meaning' (a species id)")
    if kind == "code_word" and not raw.get("source"):
        raise LexiconError(f"{where}: a code word needs a 'source' (where it was reported)")
    return Term(
        id=term_id.strip(), kind=kind, names=clean, meaning=raw.get("meaning"), category=category,
        species=raw.get("species"), scientific=tuple(raw.get("scientific") or ()), cites=cites,
        source=raw.get("source"), parts=_parts(raw.get("parts"), clean, where), origin=origin,
        added_by=raw.get("added_by"),
        added_at=str(raw["added_at"]) if raw.get("added_at") else None,
    )


def _parts(raw: Any, names: dict[str, tuple[str, ...]], where: str) -> tuple[tuple[str, str], ...]:
    """A species' names that name one of its parts: ``{product id: [names of this entry]}`` as (name, product)
    pairs; every name must be one of the entry's own (the product ids are checked with the whole lexicon)."""
    if raw is None:
        return ()
    if not isinstance(raw, dict) or not all(isinstance(k, str) and isinstance(v, list) for k, v in raw.items()):
        raise LexiconError(f"{where}: 'parts' must map a product id to a list of this entry's names")
    own = {n for values in names.values() for n in values}
    pairs: dict[str, str] = {}
    for product, listed in raw.items():
        for name in listed:
            if name not in own:
                raise LexiconError(f"{where}: parts.{product}: {name!r} is not one of this entry's names")
            if pairs.setdefault(name, product) != product:
                raise LexiconError(f"{where}: parts: {name!r} is listed under {pairs[name]!r} and {product!r}")
    return tuple(pairs.items())


def _package_terms() -> tuple[list[Term], list[str]]:
    terms, texts = [], []
    for name, text in package_files():
        texts.append(text)
        doc = _parse(name, text)
        kind = doc.get("kind")
        if kind not in KINDS:
            raise LexiconError(f"{name}: top-level 'kind' must be one of {', '.join(KINDS)}, got {kind!r}")
        entries = doc.get("entries")
        if not isinstance(entries, list):
            raise LexiconError(f"{name}: top-level 'entries' must be a list")
        terms += [term_from_entry(e, kind, f"{name}: entry {i + 1}") for i, e in enumerate(entries)]
    return terms, texts


def read_user_layer(path: Path) -> dict[str, Any]:
    """The analysts' layer: ``{"entries": [...], "retired": [...]}`` (empty when the file is missing)."""
    if not path.is_file():
        return {"entries": [], "retired": []}
    doc = _parse(str(path), path.read_text(encoding="utf-8"))
    if not isinstance(doc, dict):
        raise LexiconError(f"{path}: must be a mapping with 'entries' and 'retired'")
    for key in ("entries", "retired"):
        doc.setdefault(key, [])
        if not isinstance(doc[key], list):
            raise LexiconError(f"{path}: '{key}' must be a list")
    return doc


def load_lexicon(user_layer: str | Path | None = None) -> Lexicon:
    """The packaged lexicon plus the analysts' layer at ``user_layer`` (if given and present), validated."""
    terms, texts = _package_terms()
    retired: dict[str, dict] = {}
    if user_layer:
        path = Path(user_layer)
        doc = read_user_layer(path)
        texts.append(path.read_text(encoding="utf-8") if path.is_file() else "")
        terms += [term_from_entry(e, None, f"{path}: entry {i + 1}", origin="user")
                  for i, e in enumerate(doc["entries"])]
        for i, r in enumerate(doc["retired"]):
            if not isinstance(r, dict) or not r.get("id"):
                raise LexiconError(f"{path}: retired entry {i + 1} has no 'id'")
            retired[str(r["id"])] = r
    _check_references(terms)
    active = [t for t in terms if t.id not in retired]
    version = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:12]
    return Lexicon(terms=active, version=version, retired=retired)


def _check_references(terms: list[Term]) -> None:
    seen: dict[str, Term] = {}
    for t in terms:
        if t.id in seen:
            raise LexiconError(f"entry id {t.id!r} is defined twice ({seen[t.id].origin} and {t.origin})")
        seen[t.id] = t
    species = {t.id for t in terms if t.kind == "species"}
    products = {t.id for t in terms if t.kind == "product"}
    for t in terms:
        for name, product in t.parts:
            if product not in products:
                raise LexiconError(f"entry {t.id!r} ({t.origin}): parts: {product!r} (for {name!r}) is not a product "
                                   f"id ({', '.join(sorted(products))})")
        ref = t.meaning if t.kind == "code_word" else t.species
        if ref and ref not in species:
            known = ", ".join(sorted(species))
            raise LexiconError(f"entry {t.id!r} ({t.origin}): {ref!r} is not a species id ({known})")
