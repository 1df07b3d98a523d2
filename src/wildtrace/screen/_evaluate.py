"""Labelled data from anyone's CSV, metrics at the default operating point, and grouped cross-validation."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from sklearn.model_selection import GroupKFold, StratifiedKFold

from wildtrace.lexicon import Lexicon
from wildtrace.log import get_logger
from wildtrace.screen._images import ImageReader
from wildtrace.screen._model import ScreenModel
from wildtrace.screen._operating import Curve, Objective
from wildtrace.screen._screener import Document, Screener, document_of

log = get_logger(__name__)
_TRUE = {"1", "true", "yes", "y", "t"}
_FALSE = {"0", "false", "no", "n", "f"}
FLAGGED = ("high", "medium")


def parse_label(value: object) -> int:
    """0/1, true/false, yes/no (any case) to 0 or 1; anything else is a ValueError."""
    text = str(value).strip().lower()
    if text.endswith(".0"):
        text = text[:-2]
    if text in _TRUE:
        return 1
    if text in _FALSE:
        return 0
    raise ValueError(f"label {value!r} is not 0/1, true/false or yes/no")


@dataclass
class LabelledSet:
    """Labelled documents (1 = illegal trade, 0 = not), their groups (seller) and the rows skipped, with reviewers'
    corrections of what some of them name (``SpeciesLabel``: position in ``docs``, species ids, product ids)."""

    docs: list[Document]
    labels: list[int]
    groups: list[str]
    skipped: list[str] = field(default_factory=list)
    corrections: list[SpeciesLabel] = field(default_factory=list)


class SpeciesLabel(NamedTuple):
    """A reviewer's correction of the species and products document ``index`` names (lexicon ids)."""

    position: int
    species: tuple[str, ...]
    products: tuple[str, ...]


def naming_agreement(results: Sequence[Any], corrections: Sequence[SpeciesLabel]) -> dict[str, Any]:
    """How often screening names what reviewers corrected to: ``results[i]`` is the screening of the document
    of ``corrections[i]``; exact set agreement of species and of products (a miss is a lexicon gap to fill)."""
    species = sum(set(r.species) == set(c.species) for r, c in zip(results, corrections, strict=True))
    products = sum(set(r.products) == set(c.products) for r, c in zip(results, corrections, strict=True))
    missed = sorted({s for r, c in zip(results, corrections, strict=True) for s in set(c.species) - set(r.species)})
    return {"corrections": len(corrections), "species_agree": species, "products_agree": products,
            "species_missed": missed}


def read_labelled(path: str | Path, text_col: str, label_col: str, *, image_col: str | None = None,
                  image_root: str | Path | None = None, group_col: str | None = None,
                  images: ImageReader | None = None) -> LabelledSet:
    """Read a labelled CSV; bad rows are skipped with a reason naming the row and the field."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    for col in (text_col, label_col, image_col, group_col):
        if col and col not in frame.columns:
            raise ValueError(f"{path}: no column {col!r} (columns: {', '.join(frame.columns)})")
    out = LabelledSet([], [], [])
    root = Path(image_root or Path(path).parent)
    for i, row in enumerate(frame.to_dict("records"), start=2):
        try:
            label = parse_label(row[label_col])
        except ValueError as exc:
            out.skipped.append(f"{path} line {i}, field {label_col}: {exc}")
            continue
        doc, missing = document_of(str(row[text_col]), row[image_col] if image_col else None, root, images)
        out.skipped += [f"{path} line {i}, field {image_col}: no image {m} (text kept)" for m in missing]
        out.docs.append(doc)
        out.labels.append(label)
        out.groups.append(str(row[group_col]) if group_col else str(i))
    for reason in out.skipped:
        log.warning(reason)
    return out


def metrics(labels: list[int] | np.ndarray, flagged: list[bool] | np.ndarray) -> dict[str, float | int]:
    """Precision, recall, F1 and MCC of the positive class, with the confusion counts."""
    y = np.asarray(labels, dtype=bool)
    p = np.asarray(flagged, dtype=bool)
    tp, fp = int((y & p).sum()), int((~y & p).sum())
    fn, tn = int((y & ~p).sum()), int((~y & ~p).sum())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    denom = math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    mcc = (tp * tn - fp * fn) / denom if denom else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4), "mcc": round(mcc, 4),
            "n": len(y), "tp": tp, "fp": fp, "fn": fn, "tn": tn}


def flag(screener: Screener, docs: list[Document]) -> list[bool]:
    return [r.tier in FLAGGED for r in screener.screen_documents(docs)]


def evaluate(screener: Screener, data: LabelledSet) -> dict[str, float | int]:
    """Metrics of ``screener`` on labelled data (flagged = tier medium or above)."""
    return metrics(data.labels, flag(screener, data.docs))


def fold_indices(labels: list[int], groups: list[str], k: int, *, grouped: bool = True,
                 seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train, test) index arrays of k folds; with ``grouped`` every group stays within one fold."""
    y = np.asarray(labels)
    idx = np.arange(len(y))
    if grouped:
        if len(set(groups)) < k:
            raise ValueError(f"--cv {k} needs at least {k} groups, found {len(set(groups))}")
        return list(GroupKFold(n_splits=k).split(idx, y, groups))
    return list(StratifiedKFold(k, shuffle=True, random_state=seed).split(idx, y))


def cross_validate(data: LabelledSet, lexicon: Lexicon, k: int, *, full: bool = False, grouped: bool = True,
                   seed: int = 0, optimise: str = "f1", extra: LabelledSet | None = None,
                   feature_sets: list[str] | None = None) -> dict[str, Any]:
    """Train on k-1 folds, score the held-out fold, pool the predictions. With ``grouped`` no group is split.

    On the same folds, the textbook TF-IDF + logistic-regression baseline is trained and the keyword rule
    applied, so the result says what WildTrace adds. ``operating_point`` compares the MCC at the cut-offs each
    fold's model chose by inner cross-validation (for ``optimise``) with the best single cut-off on the pooled
    out-of-fold scores. ``extra`` labelled posts (e.g. review decisions) join every training part, never a
    test part (posts whose text is in the test part are left out).
    """
    from wildtrace.screen._baselines import KeywordRule, tfidf_baseline
    from wildtrace.screen._train import train_model

    y = np.asarray(data.labels)
    texts = [d.combined for d in data.docs]
    scores = np.zeros(len(y))
    flagged, baseline = np.zeros(len(y), dtype=bool), np.zeros(len(y), dtype=bool)
    chosen: Counter[str] = Counter()
    for train_idx, test_idx in fold_indices(data.labels, data.groups, k, grouped=grouped, seed=seed):
        docs, labels, groups = _training_part(data, train_idx, extra, {texts[i] for i in test_idx})
        model: ScreenModel = train_model(docs, labels, lexicon, embeddings=full, version="cv", seed=seed,
                                         optimise=optimise, groups=groups if grouped else None,
                                         feature_sets=feature_sets)
        chosen[f"{model.info['feature_set']} C={model.info['C']:g}"] += 1
        results = list(Screener(lexicon, model, full=full).screen_documents([data.docs[i] for i in test_idx]))
        scores[test_idx] = [r.score for r in results]
        flagged[test_idx] = [r.tier in FLAGGED for r in results]
        textbook = tfidf_baseline().fit([d.combined for d in docs], labels)
        baseline[test_idx] = textbook.predict([texts[i] for i in test_idx]) == 1
    ours, theirs = metrics(y, flagged), metrics(y, baseline)
    best_cut, best_mcc = Curve.of(y, scores).best(Objective("mcc"))
    return {**ours, "folds": k, "optimise": optimise, "chosen": dict(chosen),
            "operating_point": {"mcc": ours["mcc"], "best_mcc": round(best_mcc, 4), "best_cutoff": round(best_cut, 4)},
            "baselines": {"tfidf_lr": theirs, "keyword": metrics(y, KeywordRule(lexicon).flags(texts))},
            "beats_baseline": bool(ours["mcc"] >= theirs["mcc"]),
            "extra_labels": len(extra.labels) if extra else 0}


def _training_part(data: LabelledSet, rows: np.ndarray, extra: LabelledSet | None, held_out: set[str]
                   ) -> tuple[list[Document], list[int], list[str]]:
    docs = [data.docs[i] for i in rows]
    labels = [data.labels[i] for i in rows]
    groups = [data.groups[i] for i in rows]
    for doc, label, group in zip(*(extra.docs, extra.labels, extra.groups) if extra else ((), (), ()), strict=True):
        if doc.combined not in held_out:
            docs.append(doc)
            labels.append(label)
            groups.append(group)
    return docs, labels, groups
