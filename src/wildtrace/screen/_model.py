"""The screening model: a linear model over n-grams and lexicon features, plus the embedding stage."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import joblib
import numpy as np

MODEL_FILE = "screen_model.joblib"
META_FILE = "model.json"
DEFAULT_THRESHOLDS = {"high": 0.85, "medium": 0.5, "low": 0.2}


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


@dataclass
class ScreenModel:
    """Learned state of a screener. ``stack`` (4 weights) combines the fast logit with the similarity to
    illegal (``pos_emb``) and benign (``neg_emb``) exemplars for the embedding stage. A model trained with word
    and character TF-IDF features (chosen by ``wildtrace train`` when they help) carries the fitted
    ``text_vectoriser`` and its weights ``text_coef``; the shipped model has none, so its fast path is the
    hashed n-grams alone."""

    coef: np.ndarray
    intercept: float
    lexicon_scale: float = 1.0
    thresholds: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_THRESHOLDS))
    candidate_threshold: float = 0.05
    stack: np.ndarray | None = None
    pos_emb: np.ndarray | None = None
    neg_emb: np.ndarray | None = None
    version: str = "custom"
    info: dict[str, Any] = field(default_factory=dict)
    text_vectoriser: Any = None
    text_coef: np.ndarray | None = None
    namer: Any = None  # heads learned from reviewers' species/product corrections (``_naming.Namer``), if any

    def fast_logit(self, ngrams: Any, lexicon: np.ndarray) -> np.ndarray:
        """The linear model's logit from the n-gram matrix and the (scaled) lexicon features, kept apart
        so that scoring never builds the stacked design matrix."""
        k = lexicon.shape[1]
        return np.asarray(ngrams @ self.coef[:-k]).ravel() + lexicon @ self.coef[-k:] + self.intercept

    def text_logit(self, folded_texts: list[str]) -> np.ndarray:
        """The TF-IDF part of the logit (zero for a model without it), from the folded texts."""
        if self.text_vectoriser is None or self.text_coef is None:
            return np.zeros(len(folded_texts))
        return np.asarray(self.text_vectoriser.transform(folded_texts) @ self.text_coef).ravel()

    def combine(self, logit: np.ndarray, sim_pos: np.ndarray, sim_neg: np.ndarray) -> np.ndarray:
        w = self.stack
        assert w is not None
        return _sigmoid(w[0] * logit + w[1] * sim_pos + w[2] * sim_neg + w[3])

    @property
    def has_embeddings(self) -> bool:
        return self.stack is not None and self.pos_emb is not None

    def tiers(self, scores: np.ndarray) -> list[str]:
        """The tier of each score: high, medium, low or none by the model's thresholds."""
        names = np.array(["none", "low", "medium", "high"])
        cuts = [self.thresholds[name] for name in ("low", "medium", "high")]
        return names[np.searchsorted(cuts, scores, side="right")].tolist()

    def save(self, directory: str | Path) -> Path:
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        state = asdict(self)
        state["coef"] = self.coef.astype(np.float32)
        for key in ("pos_emb", "neg_emb"):
            if state[key] is not None:
                state[key] = state[key].astype(np.float16)
        joblib.dump(state, out / MODEL_FILE, compress=3)
        meta = {k: v for k, v in state.items()
                if k not in ("coef", "stack", "pos_emb", "neg_emb", "text_vectoriser", "text_coef", "namer")}
        (out / META_FILE).write_text(json.dumps(meta, indent=2, ensure_ascii=False, default=str) + "\n")
        return out

    @classmethod
    def load(cls, directory: str | Path | None = None) -> ScreenModel:
        """Load a model directory; ``None`` loads the model shipped in the package."""
        if directory:
            path = Path(directory) / MODEL_FILE
            if not path.is_file():
                raise FileNotFoundError(f"no screening model at {directory} (expected {MODEL_FILE})")
            state = joblib.load(path)
        else:
            with resources.as_file(resources.files("wildtrace.screen") / "model" / MODEL_FILE) as path:
                state = joblib.load(path)
        return cls(**state)
