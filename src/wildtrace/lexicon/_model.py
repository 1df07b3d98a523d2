"""Lexicon entries: one :class:`Term` per concept, with its names in every language."""

from __future__ import annotations

from dataclasses import dataclass, field

KINDS = ("species", "product", "code_word", "legality", "benign", "trade")
LANGUAGES = ("zh-Hans", "zh-Hant", "en", "vi", "fr", "de", "id", "ms", "th")
CITES_APPENDICES = ("I", "II", "III", "I/II", "II/III")
PRODUCT_CATEGORIES = ("raw", "semi_worked", "worked_uncarved", "worked_carved", "part", "live")
NUMBER_SLOT = " #"  # a name ending in it matches only before a number ("lot #": "Lot 45", not "thanks a lot")


@dataclass(frozen=True)
class Term:
    """One concept of the lexicon (a species, a product, a code word, ...) and the names it goes by.

    ``meaning`` is the species a code word stands for; ``category`` the product type of a product, the
    claim of a legality entry or the signal of a trade entry; ``species`` the species a product implies;
    ``parts`` the names of a species that name one of its parts or products (犀角, rhino horn: ``horn``), as
    (name, product id) pairs.
    """

    id: str
    kind: str
    names: dict[str, tuple[str, ...]]
    meaning: str | None = None
    category: str | None = None
    species: str | None = None
    scientific: tuple[str, ...] = ()
    cites: str | None = None
    source: str | None = None
    parts: tuple[tuple[str, str], ...] = ()
    origin: str = "package"
    added_by: str | None = None
    added_at: str | None = None

    def all_names(self) -> list[str]:
        return [n for lang in LANGUAGES for n in self.names.get(lang, ())]

    def name_languages(self) -> dict[str, tuple[str, ...]]:
        """Each name once, with the languages that list it."""
        out: dict[str, tuple[str, ...]] = {}
        for lang in LANGUAGES:
            for name in self.names.get(lang, ()):
                out[name] = (*out.get(name, ()), lang)
        return out

    def reports(self) -> bool:
        """Whether this is a word of reporting, enforcement, policy or campaigns (the trade signal ``context``, the
        benign ``conservation``): the context the scope rule reads."""
        return (self.kind, self.category) == ("trade", "context") or (self.kind, self.id) == ("benign", "conservation")

    def on_appendix_i(self) -> bool:
        """Whether this is a species listed on CITES Appendix I, wholly or for some populations ("I/II": the
        elephants of four southern African countries are on II, yet the commercial trade in their ivory is banned).
        "II" and "III" are not: their trade is lawful with permits."""
        return self.kind == "species" and "I" in (self.cites or "").split("/")

    def implied_species(self) -> str | None:
        """The species this term points at: itself, the meaning of a code word, a product's species."""
        if self.kind == "species":
            return self.id
        return self.meaning if self.kind == "code_word" else self.species


@dataclass
class Lexicon:
    """All active terms, from the package data and the analysts' layer (minus retired ones)."""

    terms: list[Term]
    version: str
    retired: dict[str, dict] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_id = {t.id: t for t in self.terms}

    def of_kind(self, kind: str) -> list[Term]:
        return [t for t in self.terms if t.kind == kind]

    def cites(self, species_id: str) -> str | None:
        term = self.by_id.get(species_id)
        return term.cites if term else None
