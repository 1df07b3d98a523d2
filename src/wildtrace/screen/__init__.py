"""Screening: normalisation, lexicon matching (Aho-Corasick), a linear model, embeddings and OCR -> verdicts.

    from wildtrace.screen import Screener
    screener = Screener.load()                  # the model shipped in the package
    result = screener.screen_text("出象牙手镯 微信私聊")
    result.score, result.tier, result.spans

Training and evaluation (scikit-learn, pandas) are imported on first use, so screening starts fast.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from wildtrace.screen._images import ImageReader
from wildtrace.screen._model import ScreenModel
from wildtrace.screen._normalise import Normalised, fold, squeeze
from wildtrace.screen._scope import SCOPES, check_scope
from wildtrace.screen._screener import Document, Screener, ScreenResult, document_of
from wildtrace.screen._store import default_extractor, finish_verdict, labelled_from_decisions, screen_store

if TYPE_CHECKING:
    from wildtrace.screen._baselines import KeywordRule, tfidf_baseline
    from wildtrace.screen._evaluate import (
        LabelledSet,
        SpeciesLabel,
        cross_validate,
        evaluate,
        metrics,
        naming_agreement,
        parse_label,
        read_labelled,
    )
    from wildtrace.screen._naming import Namer, teach_names
    from wildtrace.screen._operating import Objective, choose_thresholds, parse_objective
    from wildtrace.screen._train import train_model

_LAZY = {"LabelledSet": "_evaluate", "SpeciesLabel": "_evaluate", "naming_agreement": "_evaluate",
         "cross_validate": "_evaluate", "evaluate": "_evaluate", "metrics": "_evaluate",
         "parse_label": "_evaluate", "read_labelled": "_evaluate", "train_model": "_train",
         "KeywordRule": "_baselines", "tfidf_baseline": "_baselines", "Objective": "_operating",
         "choose_thresholds": "_operating", "parse_objective": "_operating", "Namer": "_naming",
         "teach_names": "_naming"}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_LAZY[name]}"), name)


__all__ = [
    "SCOPES", "Document", "ImageReader", "KeywordRule", "LabelledSet", "Namer", "Normalised", "Objective",
    "ScreenModel",
    "ScreenResult", "Screener", "SpeciesLabel", "check_scope", "choose_thresholds", "cross_validate",
    "default_extractor", "document_of", "evaluate", "finish_verdict", "fold", "labelled_from_decisions", "metrics",
    "naming_agreement", "parse_label", "parse_objective", "read_labelled", "screen_store", "squeeze", "teach_names",
    "tfidf_baseline", "train_model",
]
