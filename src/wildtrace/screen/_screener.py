"""The screener: lexicon matching, the linear model and (with ``full``) the embedding stage, in batches."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from wildtrace.lexicon import Lexicon, load_lexicon
from wildtrace.model import Post, Span, Tier, Verdict
from wildtrace.screen._contacts import without_contacts
from wildtrace.screen._embed import embed, top_k_similarity
from wildtrace.screen._features import (
    FEATURES_VERSION,
    LEXICON_FEATURES,
    N_FEATURES,
    LexiconFeatures,
    design_matrix,
    hash_ngrams,
    ngram_names,
)
from wildtrace.screen._match import BatchHits, Matcher
from wildtrace.screen._model import ScreenModel, _sigmoid
from wildtrace.screen._normalise import NormalisedBatch
from wildtrace.screen._scope import CONTEXT, KEPT, LOWERED, MODEL, RAISED, Scope

if TYPE_CHECKING:
    from wildtrace.screen._images import ImageReader

TOP_FEATURES = 8


class Document(NamedTuple):
    """What is screened for one post: its text, and the OCR text of each of its images."""

    text: str
    images: Sequence[tuple[str, str]] = ()  # (sha256, OCR text)
    n_images: int = 0

    @property
    def combined(self) -> str:
        return "\n".join([self.text, *(t for _, t in self.images if t)]) if self.images else self.text


def document_of(text: str, files: str | Iterable[str] | None, root: str | Path, reader: ImageReader | None
                ) -> tuple[Document, list[Path]]:
    """A post's document: its text and, when ``reader`` is given, the OCR text of its image files (``files``:
    paths relative to ``root``, separated by ``;`` or as a list, e.g. a Parquet list column). Also returns the
    image files that are not there."""
    listed = files.split(";") if isinstance(files, str) else files if isinstance(files, Iterable) else ()
    names = [str(f).strip() for f in listed if str(f).strip()]  # neither a string nor a list: a missing value
    images: list[tuple[str, str]] = []
    missing: list[Path] = []
    if reader is None:
        return Document(text, n_images=len(names)), missing
    for name in names:
        path = Path(root) / name
        if not path.is_file():
            missing.append(path)
            continue
        entry = reader.read(path)
        images.append((entry["sha256"], entry["text"] or ""))
    return Document(text, images, n_images=len(names)), missing


@dataclass
class Prepared:
    """A batch of documents after normalisation and matching: the model's inputs."""

    docs: list[Document] | None  # None: plain texts
    batch: NormalisedBatch
    hits: BatchHits
    lexicon: np.ndarray  # one row of LEXICON_FEATURES per document, unscaled


Explanation = tuple[list[Span], list[tuple[str, float]]]


@dataclass(slots=True, eq=False)
class ScreenResult:
    """The verdict on one text, before it is tied to a post. ``spans`` and ``features`` (the explanation)
    are built on first use, so a caller that only ranks by score does not pay for them."""

    score: float
    tier: str
    species: tuple[str, ...]
    products: tuple[str, ...]
    code_words: tuple[str, ...]
    legality_claims: tuple[str, ...]
    fast_score: float
    model_version: str
    _batch: _Explainer = field(repr=False)
    _index: int = field(repr=False)
    _explanation: Explanation | None = field(default=None, repr=False)

    def _explained(self) -> Explanation:
        if self._explanation is None:
            self._explanation = self._batch.explain(self._index, self.tier)
        return self._explanation

    @property
    def spans(self) -> list[Span]:
        return self._explained()[0]

    @property
    def features(self) -> list[tuple[str, float]]:
        return self._explained()[1]

    @property
    def decided_by(self) -> str:
        """The rule that put the post in or out of the flagged tiers, in words (see ``wildtrace.screen._scope``)."""
        return self._batch.decided_by(self._index)

    def to_verdict(self, post_id: str, extracted: dict[str, Any] | None = None) -> Verdict:
        return Verdict(post_id=post_id, score=self.score, tier=Tier(self.tier), species=list(self.species),
                       products=list(self.products), spans=self.spans, code_words=list(self.code_words),
                       features=self.features, extracted=extracted or {}, model_version=self.model_version,
                       decided_by=self.decided_by, screened_at=datetime.now(UTC))


class Screener:
    """Screens texts and posts. Build with :meth:`load`; ``full`` adds the embedding stage for candidates;
    ``scope`` (illegal or regulated; default: the model's own) decides which offers are flagged. A model without
    a scope of its own (trained on a team's labels) is left to its labels."""

    def __init__(self, lexicon: Lexicon, model: ScreenModel, full: bool = False, threads: int = 1,
                 scope: str | None = None) -> None:
        self.lexicon = lexicon
        self.model = model
        self.full = full and model.has_embeddings
        self.threads = threads
        self.matcher = Matcher(lexicon)
        self.features = LexiconFeatures(self.matcher.terms)
        self.scope = Scope(scope or model.info.get("scope"), self.matcher.terms)
        # terms that a verdict names (species, products, code words, claims); trade signals and look-alikes do not
        self._named = np.array([t.kind in ("species", "product", "code_word", "legality") for t in self.matcher.terms],
                               dtype=bool)
        gc.freeze()  # the tables and automatons live as long as the process: keep them out of GC passes
        self.version = (f"{model.version}+lex.{lexicon.version}+heard.{self.matcher.hearing.version}"
                        + ("+emb" if self.full else "")
                        + ("+regulated" if self.scope.name == "regulated" else ""))

    @classmethod
    def load(cls, model_dir: str | None = None, lexicon_path: str | None = None, full: bool = False,
             threads: int = 1, scope: str | None = None) -> Screener:
        """The screener for a model directory (default: the shipped model), an analysts' lexicon layer and a
        scope (default: the model's own; the shipped model's is illegal)."""
        model = ScreenModel.load(model_dir or None)
        if model.info.get("features") != FEATURES_VERSION:
            raise ValueError(f"the model in {model_dir or 'the package'} was trained on other features "
                             f"({model.info.get('features')!r}, now {FEATURES_VERSION!r}): train it again")
        shipped = None if model_dir else "illegal"
        return cls(load_lexicon(lexicon_path or None), model, full=full, threads=threads,
                   scope=scope or model.info.get("scope") or shipped)

    # -- preparing -------------------------------------------------------------------------------
    def prepare(self, docs: Sequence[Document]) -> Prepared:
        """Normalise and match a batch of documents: the model's inputs."""
        docs = list(docs)
        return self._prepare([d.combined for d in docs], [d.n_images for d in docs],
                             [bool(d.images) and any(t for _, t in d.images) for d in docs], docs)

    def _prepare(self, texts: list[str], n_images: Sequence[int], image_text: Sequence[bool],
                 docs: list[Document] | None) -> Prepared:
        batch = NormalisedBatch(texts)
        hits = without_contacts(batch, self.matcher.match_batch(batch), self.matcher)
        return Prepared(docs, batch, hits, self.features.matrix(batch, hits, n_images, image_text))

    def design(self, prepared: Prepared) -> Any:
        return design_matrix(prepared.batch, prepared.lexicon, self.model.lexicon_scale)

    # -- screening -------------------------------------------------------------------------------
    def screen_documents(self, docs: Iterable[Document], batch_size: int = 2048) -> Iterator[ScreenResult]:
        """Screen documents in batches (streaming: memory does not grow with the input)."""
        for batch in _batches(docs, batch_size):
            yield from self._screen_batch(self.prepare(batch))

    def screen_texts(self, texts: Iterable[str], batch_size: int = 2048) -> Iterator[ScreenResult]:
        """Screen plain texts (no pictures) in batches, without a document per text."""
        for batch in _batches(texts, batch_size):
            yield from self._screen_batch(self._prepare(batch, [0] * len(batch), [False] * len(batch), None))

    def screen_text(self, text: str) -> ScreenResult:
        return next(self.screen_texts([text]))

    def screen_post(self, post: Post, images: list[tuple[str, str]] | None = None) -> Verdict:
        doc = Document(post.text, images or (), n_images=len(post.media))
        return next(self.screen_documents([doc])).to_verdict(post.id)

    def _screen_batch(self, p: Prepared) -> list[ScreenResult]:
        X = hash_ngrams(p.batch)
        logit = self.model.fast_logit(X, p.lexicon * self.model.lexicon_scale)
        if self.model.text_vectoriser is not None:
            logit += self.model.text_logit(p.batch.spaced_texts)
        fast = _sigmoid(logit)
        score = fast.copy()
        if self.full:
            cand = np.flatnonzero(fast >= self.model.candidate_threshold)
            if len(cand) and self.model.pos_emb is not None and self.model.neg_emb is not None:
                emb = embed([p.batch.texts[i] for i in cand], threads=self.threads)
                score[cand] = self.model.combine(logit[cand], top_k_similarity(emb, self.model.pos_emb),
                                                 top_k_similarity(emb, self.model.neg_emb))
        model_score = score
        score, decided = self.scope.decide(p.hits, p.lexicon, score, self.model.thresholds["medium"])
        explainer, version = _Explainer(self.model, p, X, self.scope, model_score, decided), self.version
        tiers = self.model.tiers(score)
        named = p.hits.texts_with(self._named[p.hits.term]).tolist()
        names = [_names(p, i, tier) if n else _NO_NAMES for i, (n, tier) in enumerate(zip(named, tiers, strict=True))]
        if self.model.namer is not None:  # what reviewers' corrections taught, on flagged posts
            names, explainer.learned = self.model.namer.add(names, X, tiers)
        return [ScreenResult(score, tier, species, products, code_words, claims, fast, version, explainer, i)
                for i, (tier, score, fast, (species, products, code_words, claims)) in enumerate(zip(
                    tiers, np.round(score, 4).tolist(), np.round(fast, 4).tolist(), names, strict=True))]


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


_NO_NAMES: tuple[tuple[str, ...], ...] = ((), (), (), ())
_HEARD = ("initials", "homophone")


def _names(p: Prepared, i: int, tier: str) -> tuple[tuple[str, ...], ...]:
    """What the verdict on document ``i`` names: species, products, code words (as written = meaning) and
    legality claims. Homophones name nothing unless the verdict is confident, and a species needs evidence of
    its own: one that is only heard (initials, homophones) is named only when no species is written out."""
    written: dict[str, None] = {}
    heard: dict[str, None] = {}
    products: dict[str, None] = {}
    code_words: list[tuple[str, str]] = []
    claims: dict[str, None] = {}
    confident = tier in ("high", "medium")
    original = p.batch.texts[i]
    for h in p.hits.of_text(i):
        if h.via == "homophone" and not confident:
            continue
        sp = h.term.implied_species()
        if sp and h.term.kind in ("species", "code_word"):
            (heard if h.via in _HEARD else written)[sp] = None
        if h.term.kind == "product":
            products[h.term.id] = None
        if h.term.kind == "code_word":
            code_words.append((original[h.start:h.end], str(h.term.meaning)))
        if h.term.kind == "legality":
            claims[str(h.term.category)] = None
    species = written or heard
    return (tuple(species), tuple(products), tuple(f"{w} = {m}" for w, m in code_words if m in species),
            tuple(claims))


class _Explainer:
    """Explanations of the verdicts of one batch, built when a result is asked for one."""

    def __init__(self, model: ScreenModel, prepared: Prepared, ngrams: Any, scope: Scope, model_score: np.ndarray,
                 decided: np.ndarray) -> None:
        self.model, self.p, self.X = model, prepared, ngrams
        self.scope, self.model_score, self.decided = scope, model_score, decided
        self.learned: dict[int, list[tuple[str, float]]] = {}  # names the model's namer added, by document

    def decided_by(self, i: int) -> str:
        """Which rule put document ``i`` in or out, with its evidence (see ``wildtrace.screen._scope``)."""
        medium, score = self.model.thresholds["medium"], float(self.model_score[i])
        rule = int(self.decided[i])
        if rule == MODEL:
            side = "at or above" if score >= medium else "below"
            scope = f"scope {self.scope.name}" if self.scope.name else "no scope chosen: the model's labels decide"
            return f"model: score {score:.4f} {side} the medium cut-off {medium} ({scope})"
        words = self.scope.words(self.p.hits, self.p.lexicon, i, self.p.batch.texts[i])
        if rule == RAISED:
            return (f"regulated offer: names {words['regulated']} with more offer signals ({words['offer']}) than "
                    f"look-alike or news ones ({words['against']}); model score {score:.4f} alone was below "
                    f"{medium} (scope regulated)")
        if rule == KEPT:
            species = "" if words["listed"] == "none" else f" ({words['listed']})"
            return (f"model: score {score:.4f} at or above the medium cut-off {medium} (scope illegal); an auction "
                    f"({words['offer']}), but of a raw product or part ({words['unworked']}) of a CITES Appendix I "
                    f"species{species} and no worked item: no lawful open market, so the open-market rule does not "
                    f"lower it")
        if rule == CONTEXT:
            return (f"reporting, policy or campaign: {words['context']} and no way to buy (no price, contact or "
                    f"shipping); out under scope {self.scope.name} (model score {score:.4f})")
        assert rule == LOWERED
        return (f"open regulated market: an auction of {words['regulated']} ({words['offer']}) with no covert "
                f"signal; out under scope illegal, in under --scope regulated (model score {score:.4f})")

    def explain(self, i: int, tier: str) -> Explanation:
        learned = [(f"learned:{label}", p) for label, p in self.learned.get(i, [])]
        return self._spans(i), self._top_features(i, name_ngrams=tier != "none") + learned

    def _spans(self, i: int) -> list[Span]:
        original = self.p.batch.texts[i]
        doc = self.p.docs[i] if self.p.docs is not None else Document(original)
        text_len = len(doc.text)
        bounds = []  # (start offset in combined, media sha) of each image's OCR text
        offset = text_len + 1
        for sha, t in doc.images:
            if t:
                bounds.append((offset, sha))
                offset += len(t) + 1
        spans = []
        for h in self.p.hits.of_text(i):
            start, end, source, media = h.start, h.end, "text", None
            if start >= text_len:
                base, media = next((b, s) for b, s in reversed(bounds) if b <= start)
                start, end, source = start - base, end - base, "ocr"
            meaning = h.term.meaning if h.term.kind == "code_word" else h.term.category or h.term.implied_species()
            written = original[h.start:h.end]
            heard = self.p.hits.matcher.lattice.describe(written, h.name) if h.via == "homophone" else None
            spans.append(Span.model_construct(  # trusted values: skip validation on the hot path
                start=start, end=end, text=written, term=h.term.id, category=h.term.kind,
                meaning=meaning, source=source, via=h.via, media=media, heard=heard))
        return spans

    def _top_features(self, i: int, name_ngrams: bool) -> list[tuple[str, float]]:
        """The contributions (weight x value) that weighed most; n-grams are named for flagged tiers only."""
        coef, X = self.model.coef, self.X
        contrib = {}
        for j, x in enumerate(self.p.lexicon[i].tolist()):
            if not x:
                continue
            value = x * self.model.lexicon_scale
            contrib[f"lexicon:{LEXICON_FEATURES[j]}"] = float(coef[N_FEATURES + j] * value)
        if name_ngrams:
            lo, hi = X.indptr[i], X.indptr[i + 1]
            idx, w = X.indices[lo:hi], coef[X.indices[lo:hi]] * X.data[lo:hi]
            order = np.argsort(-np.abs(w))[:TOP_FEATURES]
            names = ngram_names(self.p.batch.spaced_texts[i], {int(idx[k]) for k in order})
            for k in order:
                contrib[f"ngram:{names.get(int(idx[k]), int(idx[k]))}"] = float(w[k])
        top = sorted(contrib.items(), key=lambda t: -abs(t[1]))[:TOP_FEATURES]
        return [(k, round(v, 4)) for k, v in top]
