"""The screening lexicon: species, products, code words, legality claims, benign look-alikes, trade signals.

Curated YAML in ``data/`` (one file per kind), plus an analysts' layer file for terms added and retired
with ``wildtrace lexicon add/retire``: edits are versioned data, never code.
"""

from wildtrace.lexicon._load import LexiconError, load_lexicon
from wildtrace.lexicon._model import KINDS, LANGUAGES, Lexicon, Term
from wildtrace.lexicon._suggest import Suggestion, suggest
from wildtrace.lexicon._user import add_term, retire_term

__all__ = [
    "KINDS", "LANGUAGES", "Lexicon", "LexiconError", "Suggestion", "Term", "add_term", "load_lexicon", "retire_term",
    "suggest",
]
