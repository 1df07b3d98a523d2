"""Structured extraction: prices, weights, price per gram, contacts, payment and delivery, claims, place.

>>> from wildtrace.extract import extract_fields, identifiers
>>> extract_fields("象牙手镯 1.2w 顺丰包邮")["price"]
12000.0
>>> [i.value for i in identifiers("加V: lao_wang88 电话 138-1234-5678")]
['wechat:lao_wang88', '+8613812345678']
"""

from __future__ import annotations

from wildtrace.extract._evaluate import evaluate_extraction
from wildtrace.extract._fields import extract_fields
from wildtrace.extract._identifiers import identifier_occurrences, identifier_spans, identifiers
from wildtrace.extract._store import extract_store
from wildtrace.extract._text import View, digit_view
from wildtrace.extract._vocab import Vocabulary, VocabularyError, load_vocabulary

__all__ = [
    "View", "Vocabulary", "VocabularyError", "digit_view", "evaluate_extraction", "extract_fields", "extract_store",
    "identifier_occurrences", "identifier_spans", "identifiers", "load_vocabulary",
]
