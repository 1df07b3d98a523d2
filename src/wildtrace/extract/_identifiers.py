"""``identifiers``: the contact and payment identifiers of a text as domain-model objects."""

from __future__ import annotations

from wildtrace.extract._contacts import Found, find_all_identifiers, find_identifiers
from wildtrace.extract._text import View
from wildtrace.extract._vocab import Vocabulary, load_vocabulary
from wildtrace.model import Identifier, IdentifierKind


def identifiers(text: str, vocabulary: Vocabulary | None = None) -> list[Identifier]:
    """Phones (E.164), messenger IDs, QQ, email, Telegram, wallets, bank cards and URLs in ``text``."""
    v = vocabulary or load_vocabulary()
    found = find_identifiers(View.of(text), v)
    return [Identifier(kind=IdentifierKind(f.kind), raw=f.raw, value=f.value) for f in found]


def identifier_spans(text: str, vocabulary: Vocabulary | None = None) -> list[tuple[int, int]]:
    """Where the identifiers of ``text`` are written (offsets into ``text``): screening leaves these characters
    to the contact, so a spelled-out handle is not read as a code word.

    >>> identifier_spans("私聊 w x _ l o t u s 1 2 3")
    [(3, 24)]
    """
    return [f.span for f in identifier_occurrences(text, vocabulary)]


def identifier_occurrences(text: str, vocabulary: Vocabulary | None = None) -> list[Found]:
    """Every occurrence of a contact or payment identifier in ``text``: kind, raw text, normalised value and
    its span in ``text`` (a repeated identifier once per occurrence)."""
    return find_all_identifiers(View.of(text), vocabulary or load_vocabulary())
