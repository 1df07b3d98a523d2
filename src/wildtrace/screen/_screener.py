"""The screener: lexicon matching, the linear model and (with ``full``) the embedding stage, in batches."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from wildtrace.lexicon import Lexicon, load_lexicon
from wildtrace.model import Post, Span, Tier, Verdict
from wildtrace.screen._embed import embed, top_k_similarity
from wildtrace.screen._features import (
    FEATURES_VERSION,
    LEXICON_FEATURES,
    N_FEATURES,
    design_matrix,
    hash_ngrams,
    lexicon_matrix,
    lexicon_vector,
    ngram_names,
)
from wildtrace.screen._match import Hit, Matcher
from wildtrace.screen._model import ScreenModel, _sigmoid
from wildtrace.screen._normalise import Normalised, NormalisedBatch

if TYPE_CHECKING:
    from wildtrace.screen._images import ImageReader

TOP_FEATURES = 8


@dataclass
class Document:
    """What is screened for one post: its text, and the OCR text of each of its images."""

    text: str
    images: list[tuple[str, str]] = field(default_factory=list)  # (sha256, OCR text)
    n_images: int = 0

    @property
    def combined(self) -> str:
        return "\n".join([self.text, *(t for _, t in self.images if t)])


def document_of(text: str, files: str | None, root: str | Path, reader: ImageReader | None
                ) -> tuple[Document, list[Path]]:
    """A post's document: its text and, when ``reader`` is given, the OCR text of its image files (``files``:
    paths relative to ``root``, separated by ``;``). Also returns the image files that are not there."""
    names = [f.strip() for f in (files or "").split(";") if f.strip()]
    doc = Document(text, n_images=len(names))
    missing: list[Path] = []
    if reader is None:
        return doc, missing
    for name in names:
        path = Path(root) / name
        if not path.is_file():
            missing.append(path)
            continue
        entry = reader.read(path)
        doc.images.append((entry["sha256"], entry["text"] or ""))
    return doc, missing


@dataclass
class Prepared:
    """A document after normalisation and matching: the model's inputs."""

    doc: Document
    norm: Normalised
    hits: list[Hit]
    lexicon_row: list[float]


@dataclass
class ScreenResult:
    """The verdict on one text, before it is tied to a post. ``spans`` and ``features`` (the explanation)
    are built on first use, so a caller that only ranks by score does not pay for them."""

    score: float
    tier: str
    species: list[str]
    products: list[str]
    code_words: list[str]
    legality_claims: list[str]
    fast_score: float
    model_version: str
    explain: Callable[[], tuple[list[Span], list[tuple[str, float]]]] = field(repr=False)

    @cached_property
    def _explanation(self) -> tuple[list[Span], list[tuple[str, float]]]:
        return self.explain()

    @property
    def spans(self) -> list[Span]:
        return self._explanation[0]

    @property
    def features(self) -> list[tuple[str, float]]:
        return self._explanation[1]

    def to_verdict(self, post_id: str, extracted: dict[str, Any] | None = None) -> Verdict:
        return Verdict(post_id=post_id, score=self.score, tier=Tier(self.tier), species=self.species,
                       products=self.products, spans=self.spans, code_words=self.code_words,
                       features=self.features, extracted=extracted or {}, model_version=self.model_version,
                       screened_at=datetime.now(UTC))


class Screener:
    """Screens texts and posts. Build with :meth:`load`; ``full`` adds the embedding stage for candidates."""

    def __init__(self, lexicon: Lexicon, model: ScreenModel, full: bool = False, threads: int = 1) -> None:
        self.lexicon = lexicon
        self.model = model
        self.full = full and model.has_embeddings
        self.threads = threads
        self.matcher = Matcher(lexicon)
        gc.freeze()  # the tables and automatons live as long as the process: keep them out of GC passes
        self.version = f"{model.version}+lex.{lexicon.version}" + ("+emb" if self.full else "")

    @classmethod
    def load(cls, model_dir: str | None = None, lexicon_path: str | None = None, full: bool = False,
             threads: int = 1) -> Screener:
        """The screener for a model directory (default: the shipped model) and an analysts' lexicon layer."""
        model = ScreenModel.load(model_dir or None)
        if model.info.get("features") != FEATURES_VERSION:
            raise ValueError(f"the model in {model_dir or 'the package'} was trained on other features "
                             f"({model.info.get('features')!r}, now {FEATURES_VERSION!r}): train it again")
        return cls(load_lexicon(lexicon_path or None), model, full=full, threads=threads)

    # -- preparing -------------------------------------------------------------------------------
    def prepare(self, docs: Sequence[Document]) -> list[Prepared]:
        """Normalise and match a batch of documents: the model's inputs."""
        batch = NormalisedBatch.of([d.combined for d in docs])
        return [Prepared(d, norm, hits, lexicon_vector(hits, norm.original, d.n_images, any(t for _, t in d.images)))
                for d, norm, hits in zip(docs, batch.items, self.matcher.match_batch(batch), strict=True)]

    def design(self, prepared: Sequence[Prepared]) -> Any:
        return design_matrix([p.norm.spaced for p in prepared], [p.lexicon_row for p in prepared],
                             self.model.lexicon_scale)

    # -- screening -------------------------------------------------------------------------------
    def screen_documents(self, docs: Iterable[Document], batch_size: int = 2048) -> Iterator[ScreenResult]:
        """Screen documents in batches (streaming: memory does not grow with the input)."""
        it = iter(docs)
        while batch := list(islice(it, batch_size)):
            yield from self._screen_batch(self.prepare(batch))

    def screen_texts(self, texts: Iterable[str], batch_size: int = 2048) -> Iterator[ScreenResult]:
        return self.screen_documents((Document(t) for t in texts), batch_size)

    def screen_text(self, text: str) -> ScreenResult:
        return next(self.screen_texts([text]))

    def screen_post(self, post: Post, images: list[tuple[str, str]] | None = None) -> Verdict:
        doc = Document(post.text, images or [], n_images=len(post.media))
        return next(self.screen_documents([doc])).to_verdict(post.id)

    def _screen_batch(self, prepared: list[Prepared]) -> list[ScreenResult]:
        X = hash_ngrams([p.norm.spaced for p in prepared])
        logit = self.model.fast_logit(X, lexicon_matrix([p.lexicon_row for p in prepared], self.model.lexicon_scale))
        fast = _sigmoid(logit)
        score = fast.copy()
        if self.full:
            cand = np.flatnonzero(fast >= self.model.candidate_threshold)
            if len(cand) and self.model.pos_emb is not None and self.model.neg_emb is not None:
                emb = embed([prepared[i].doc.combined for i in cand], threads=self.threads)
                score[cand] = self.model.combine(logit[cand], top_k_similarity(emb, self.model.pos_emb),
                                                 top_k_similarity(emb, self.model.neg_emb))
        rows = zip(self.model.tiers(score), np.round(score, 4).tolist(), np.round(fast, 4).tolist(), strict=True)
        return [self._result(p, X, i, *row) for i, (p, row) in enumerate(zip(prepared, rows, strict=True))]

    # -- explaining ------------------------------------------------------------------------------
    def _result(self, p: Prepared, X: Any, i: int, tier: str, score: float, fast: float) -> ScreenResult:
        species: list[str] = []
        products: list[str] = []
        code_words: list[str] = []
        claims: list[str] = []
        confident = tier in ("high", "medium")
        for h in p.hits:
            if h.via == "homophone" and not confident:
                continue
            sp = h.term.implied_species()
            if sp and h.term.kind in ("species", "code_word") and sp not in species:
                species.append(sp)
            if h.term.kind == "product" and h.term.id not in products:
                products.append(h.term.id)
            if h.term.kind == "code_word":
                code_words.append(f"{p.norm.original[h.start:h.end]} = {h.term.meaning}")
            if h.term.kind == "legality" and h.term.category not in claims:
                claims.append(str(h.term.category))
        return ScreenResult(
            score=score, tier=tier, species=species, products=products, code_words=code_words,
            legality_claims=claims, fast_score=fast, model_version=self.version,
            explain=lambda: (self._spans(p), self._top_features(p, X, i, name_ngrams=tier != "none")),
        )

    def _spans(self, p: Prepared) -> list[Span]:
        text_len = len(p.doc.text)
        bounds = []  # (start offset in combined, source, media sha)
        offset = text_len + 1
        for sha, t in p.doc.images:
            if t:
                bounds.append((offset, sha))
                offset += len(t) + 1
        spans = []
        for h in p.hits:
            start, end, source, media = h.start, h.end, "text", None
            if start >= text_len:
                base, media = next((b, s) for b, s in reversed(bounds) if b <= start)
                start, end, source = start - base, end - base, "ocr"
            meaning = h.term.meaning if h.term.kind == "code_word" else h.term.category or h.term.implied_species()
            spans.append(Span.model_construct(  # trusted values: skip validation on the hot path
                start=start, end=end, text=p.norm.original[h.start:h.end], term=h.term.id, category=h.term.kind,
                meaning=meaning, source=source, via=h.via, media=media))
        return spans

    def _top_features(self, p: Prepared, X: Any, i: int, name_ngrams: bool) -> list[tuple[str, float]]:
        """The contributions (weight x value) that weighed most; n-grams are named for flagged tiers only."""
        coef = self.model.coef
        contrib = {}
        for j, x in enumerate(p.lexicon_row):
            if not x:
                continue
            value = x * self.model.lexicon_scale
            contrib[f"lexicon:{LEXICON_FEATURES[j]}"] = float(coef[N_FEATURES + j] * value)
        if name_ngrams:
            lo, hi = X.indptr[i], X.indptr[i + 1]
            idx, w = X.indices[lo:hi], coef[X.indices[lo:hi]] * X.data[lo:hi]
            order = np.argsort(-np.abs(w))[:TOP_FEATURES]
            names = ngram_names(p.norm.spaced, {int(idx[k]) for k in order})
            for k in order:
                contrib[f"ngram:{names.get(int(idx[k]), int(idx[k]))}"] = float(w[k])
        top = sorted(contrib.items(), key=lambda t: -abs(t[1]))[:TOP_FEATURES]
        return [(k, round(v, 4)) for k, v in top]
