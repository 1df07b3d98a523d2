"""The screening lexicon: species, products, code words, legality claims, benign look-alikes, trade signals.

Curated YAML in ``data/`` (one file per kind), plus an analysts' layer file for terms added and retired
with ``wildtrace lexicon add/retire``: edits are versioned data, never code.
"""

from wildtrace.lexicon._load import LexiconError, load_lexicon
from wildtrace.lexicon._model import KINDS, LANGUAGES, NUMBER_SLOT, Lexicon, Term
from wildtrace.lexicon._suggest import Corpus, Suggestion, read_corpus, suggest, suggest_from
from wildtrace.lexicon._suggest_eval import describe_suggestion_eval, evaluate_suggestions, read_world
from wildtrace.lexicon._user import add_term, retire_term

__all__ = [
    "KINDS", "LANGUAGES", "NUMBER_SLOT", "Corpus", "Lexicon", "LexiconError", "Suggestion", "Term", "add_term",
    "describe_suggestion_eval", "evaluate_suggestions", "load_lexicon", "read_corpus", "read_world", "retire_term",
    "suggest", "suggest_from",
]
