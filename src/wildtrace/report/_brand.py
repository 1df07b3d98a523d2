"""The look of a published report: organisation, logo, colours and the language of the headings, as data files
(``data/brand.yaml``, ``data/headings/<language>.yaml``) validated on load, errors naming the file and the entry."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_LOGO_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".svg": "image/svg+xml"}
MAX_LOGO_BYTES = 2_000_000


class BrandError(ValueError):
    """A brand or headings file is wrong; the message names the file and the entry."""


@dataclass(frozen=True)
class Brand:
    """Organisation, logo (as a data URI), colours, footer and the headings in the chosen language."""

    organisation: str
    logo: str | None
    language: str
    colours: dict[str, str]
    footer: str
    headings: dict[str, str]


def _data(name: str) -> Any:
    return resources.files("wildtrace.report") / "data" / name


@cache
def languages() -> dict[str, dict[str, str]]:
    """Every headings file by language code, each checked to have exactly the keys of English."""
    out: dict[str, dict[str, str]] = {}
    for ref in sorted(_data("headings").iterdir(), key=lambda r: r.name):
        if ref.name.endswith(".yaml"):
            source = f"wildtrace/report/data/headings/{ref.name}"
            data = yaml.safe_load(ref.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or not all(isinstance(v, str) and v for v in data.values()):
                raise BrandError(f"{source}: expected a mapping of heading keys to non-empty texts")
            out[ref.name.removesuffix(".yaml")] = data
    english = set(out.get("en", {}))
    for code, headings in out.items():
        if set(headings) != english:
            missing, extra = sorted(english - set(headings)), sorted(set(headings) - english)
            raise BrandError(f"wildtrace/report/data/headings/{code}.yaml: keys differ from en.yaml "
                             f"(missing {missing}, unknown {extra})")
    return out


def _logo(value: Any, base: Path, source: str) -> str | None:
    if value in (None, ""):
        return None
    path = base / str(value)
    kind = _LOGO_TYPES.get(path.suffix.lower())
    if kind is None:
        raise BrandError(f"{source}: logo: {value!r} is not a PNG, JPEG or SVG file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BrandError(f"{source}: logo: cannot read {path}: {exc.strerror}") from None
    if len(data) > MAX_LOGO_BYTES:
        raise BrandError(f"{source}: logo: {path} is larger than {MAX_LOGO_BYTES:,} bytes")
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"


def parse_brand(data: Any, source: str, base: Path) -> Brand:
    """Validate a brand document ``data`` read from ``source`` (logo paths relative to ``base``)."""
    if not isinstance(data, dict):
        raise BrandError(f"{source}: expected a mapping")
    colours = data.get("colours")
    if not isinstance(colours, dict) or set(colours) != {"primary", "accent", "text"}:
        raise BrandError(f"{source}: colours: expected primary, accent and text")
    for name, value in colours.items():
        if not isinstance(value, str) or not _COLOUR.match(value):
            raise BrandError(f"{source}: colours.{name}: {value!r} is not a colour such as #1f5f4a")
    language = str(data.get("language", "en"))
    if language not in languages():
        raise BrandError(f"{source}: language: {language!r} has no headings file (have {sorted(languages())})")
    return Brand(organisation=str(data.get("organisation") or ""), logo=_logo(data.get("logo"), base, source),
                 language=language, colours=dict(colours), footer=str(data.get("footer") or ""),
                 headings=languages()[language])


def load_brand(path: str | Path | None = None, language: str | None = None) -> Brand:
    """The brand of ``path`` (else the packaged one), its headings in ``language`` when given."""
    if path is None:
        brand = parse_brand(yaml.safe_load(_data("brand.yaml").read_text(encoding="utf-8")),
                            "wildtrace/report/data/brand.yaml", Path("."))
    else:
        file = Path(path)
        try:
            data = yaml.safe_load(file.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise BrandError(f"{file}: cannot read the brand file: {exc}") from None
        brand = parse_brand(data, str(file), file.parent)
    if language is None or language == brand.language:
        return brand
    if language not in languages():
        raise BrandError(f"--lang {language!r}: no headings in that language (have {sorted(languages())})")
    return replace(brand, language=language, headings=languages()[language])
