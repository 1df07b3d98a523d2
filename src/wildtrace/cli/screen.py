"""``wildtrace screen``, ``train`` and ``eval --labels``: screening on the store and on labelled files."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from wildtrace.cli._common import ConfigOpt, DbOpt, JsonOpt, emit, exit_partial, fail, progress_bars, settings, store
from wildtrace.cli.evaluate import eval_app

if TYPE_CHECKING:
    from wildtrace.lexicon import Lexicon
    from wildtrace.screen import ImageReader, LabelledSet

ModelOpt = Annotated[str | None, typer.Option("--model", help="Model directory [env: WILDTRACE_MODEL].")]
FullOpt = Annotated[bool, typer.Option("--full", help="Add the embedding stage for candidates (slower).")]
ScopeOpt = Annotated[str | None, typer.Option(
    "--scope", help="illegal (offers of the illegal trade) or regulated (every offer of a regulated product); "
                    "default: the model's own [env: WILDTRACE_SCOPE].")]
LabelsOpt = Annotated[str | None, typer.Option("--labels", help="CSV file with a text and a 0/1 label column.")]
TextCol = Annotated[str, typer.Option("--text-col", help="Column with the post text.")]
LabelCol = Annotated[str, typer.Option("--label-col", help="Column with the label: 0/1, true/false or yes/no.")]
ImageCol = Annotated[str | None, typer.Option("--image-col", help="Column listing image files, ';'-separated.")]
ImageRoot = Annotated[str | None, typer.Option("--image-root", help="Folder image paths are relative to.")]


def _reader(image_col: str | None) -> ImageReader | None:
    from wildtrace.screen import ImageReader


    return ImageReader.from_settings(settings()) if image_col else None


def screen(db: DbOpt = None, model: ModelOpt = None, full: FullOpt = False,
           ocr: Annotated[bool, typer.Option("--ocr/--no-ocr", help="Read text inside images (cached).")] = True,
           engine: Annotated[str, typer.Option(help="With --input: local (this machine) or spark.")] = "local",
           source: Annotated[str | None, typer.Option("--input", help="Parquet of posts (id, text; images with "
                                                      "--image-root) to screen instead of the store.")] = None,
           image_root: Annotated[str | None, typer.Option("--image-root", help="With --input: the folder the "
                                                          "'images' column's files (';'-separated) are in; their "
                                                          "OCR text is screened with the post.")] = None,
           output: Annotated[str | None, typer.Option("--output", help="Where the verdict Parquet goes.")] = None,
           master: Annotated[str, typer.Option(help="Spark master URL.")] = "local[2]",
           follow: Annotated[bool, typer.Option("--follow", help="Screen JSON Lines posts from stdin (or --folder) "
                                                "as they arrive, one verdict line each.")] = False,
           folder: Annotated[str | None, typer.Option(help="With --follow: watch this folder for *.jsonl files "
                                                      "renamed into place.")] = None,
           idle_exit: Annotated[float | None, typer.Option(help="With --folder: stop after this many idle "
                                                           "seconds.")] = None,
           scope: ScopeOpt = None, config: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """Screen every post in the store that has no verdict yet; images get OCR text and a perceptual hash.

    With --input, screen a Parquet of posts on this machine or on Spark (same verdicts); with --follow,
    screen a live stream.
    """
    from wildtrace.cli._screen_modes import screen_follow, screen_parquet

    scope = scope or settings(db, config).scope or None
    if follow:
        counts = screen_follow(folder, model or settings(db, config).model or None, idle_exit, scope)
        typer.echo(f"screened {counts['screened']} posts, {counts['failed']} bad lines", err=True)
        exit_partial(counts["failed"])
        return
    if source:
        s = settings(db, config)
        emit(screen_parquet(engine, source, output, model or s.model or None, master, image_root, s.picture_cache,
                            scope), as_json)
        return
    if engine != "local":
        fail("--engine spark screens a Parquet file: give --input and --output")
    from wildtrace.evidence import Evidence
    from wildtrace.screen import ImageReader, Screener, default_extractor, screen_store

    s = settings(db, config)
    try:
        screener = Screener.load(model or s.model or None, str(s.lexicon_path), full=full, scope=scope)
    except ValueError as exc:
        fail(str(exc))
    with store(db, config) as st, progress_bars() as progress:
        result = screen_store(st, screener, ImageReader.from_settings(s, ocr=ocr), extractor=default_extractor(),
                              blobs=Evidence(st, s.data_path).blobs, progress=progress)
    tiers = ", ".join(f"{k} {v}" for k, v in result["tiers"].items())
    emit(result, as_json, f"screened {result['screened']} posts ({tiers}) with {result['model_version']}")


OptimiseOpt = Annotated[str, typer.Option("--optimise", help="Metric the medium cut-off maximises (chosen by inner "
                                          "cross-validation): f1, mcc or 'precision-at-recall R'.")]
FeaturesOpt = Annotated[str, typer.Option("--features", help="Feature sets to choose among by inner cross-validation, "
                                          "comma-separated: fast (hashed char 1-3-grams), tfidf (word 1-2 + char 2-5), "
                                          "fast+tfidf; lexicon features are always in.")]


def _feature_sets(features: str) -> list[str] | None:
    return None if features.strip() in ("", "auto") else [f.strip() for f in features.split(",") if f.strip()]


def train(labels: LabelsOpt = None, text_col: TextCol = "text", label_col: LabelCol = "label",
          out: Annotated[str, typer.Option("--out", help="Directory to write the model to.")] = "model",
          image_col: ImageCol = None, image_root: ImageRoot = None,
          group_col: Annotated[str | None, typer.Option(
              "--group-col", help="Keep this column's groups (e.g. the seller) whole in the inner folds.")] = None,
          from_reviews: Annotated[bool, typer.Option("--from-reviews", "--from-decisions",
                                                     help="Add analysts' review decisions from the store as "
                                                          "labels.")] = False,
          optimise: OptimiseOpt = "f1", features: FeaturesOpt = "auto",
          embeddings: Annotated[bool, typer.Option("--embeddings/--no-embeddings",
                                                   help="Train the embedding stage too.")] = True,
          scope: Annotated[str | None, typer.Option("--scope", help="The scope the labels follow (illegal or "
                                                    "regulated), recorded as the model's own.")] = None,
          db: DbOpt = None, config: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """Train a screening model on your labelled posts (and/or review decisions); use it with --model.

    Feature set and regularisation are chosen by inner cross-validation, scores are calibrated, and the tier
    cut-offs are set for the metric given by --optimise."""
    from wildtrace.lexicon import load_lexicon
    from wildtrace.screen import (
        LabelledSet,
        check_scope,
        labelled_from_decisions,
        read_labelled,
        teach_names,
        train_model,
    )

    s = settings(db, config)
    data = LabelledSet([], [], [])
    if labels:
        data = read_labelled(labels, text_col, label_col, image_col=image_col, image_root=image_root,
                             group_col=group_col, images=_reader(image_col))
    reviews = 0
    if from_reviews:
        with store(db, config) as st:
            extra = labelled_from_decisions(st)
        reviews = len(extra.labels)
        offset = len(data.docs)
        data = LabelledSet(data.docs + extra.docs, data.labels + extra.labels, data.groups + extra.groups,
                           data.skipped + extra.skipped,
                           [c._replace(position=c.position + offset) for c in extra.corrections])
    if not labels and not from_reviews:
        fail("give --labels FILE.csv and/or --from-reviews")
    if not data.docs:
        fail("no labelled posts to train on")
    try:
        model = train_model(data.docs, data.labels, load_lexicon(str(s.lexicon_path)), embeddings=embeddings,
                            optimise=optimise, feature_sets=_feature_sets(features),
                            groups=data.groups if group_col or from_reviews else None)
        if scope:
            model.info["scope"] = check_scope(scope)
    except ValueError as exc:
        fail(str(exc))
    naming = None
    if data.corrections:  # reviewers' species/product corrections: what the model learns to name from them
        naming = model.info["review_corrections"] = teach_names(model, load_lexicon(str(s.lexicon_path)), data)
    path = model.save(out)
    result = {"model": str(path), "n": len(data.labels), "positives": sum(data.labels), "review_labels": reviews,
              "feature_set": model.info["feature_set"], "C": model.info["C"], "optimise": model.info["optimise"],
              "thresholds": model.thresholds, "skipped": data.skipped, "review_corrections": naming}
    cuts = ", ".join(f"{k} {v:.3f}" for k, v in model.thresholds.items())
    emit(result, as_json, f"trained on {result['n']} posts ({result['positives']} positive"
         + (f", {reviews} from reviews" if from_reviews else "") + f"); features {result['feature_set']}, "
         f"C {result['C']:g}; cut-offs for {result['optimise']}: {cuts}; model in {path}"
         + (f"; skipped {len(data.skipped)} rows" if data.skipped else "")
         + (f"; {naming['corrections']} species/product corrections from reviews: the lexicon names the corrected "
            f"species on {naming['species_agree']} and products on {naming['products_agree']}"
            + (f" (missed: {', '.join(naming['species_missed'])})" if naming["species_missed"] else "")
            + (f"; learned to name {', '.join(naming['learned'])} (now species {naming['species_agree_after']}, "
               f"products {naming['products_agree_after']} on those posts)" if naming.get("learned") else "")
            if naming else ""))


def evaluate(ctx: typer.Context, labels: LabelsOpt = None, text_col: TextCol = "text", label_col: LabelCol = "label",
             model: ModelOpt = None, image_col: ImageCol = None, image_root: ImageRoot = None,
             cv: Annotated[int | None, typer.Option("--cv", help="K folds: train on K-1, score the rest; the TF-IDF "
                                                    "+ LR and keyword baselines run on the same folds.")] = None,
             group_col: Annotated[str | None, typer.Option(
                 "--group-col", help="Never split this column's groups (e.g. the seller) across folds.")] = None,
             optimise: OptimiseOpt = "f1", features: FeaturesOpt = "auto",
             with_reviews: Annotated[bool, typer.Option("--with-reviews", help="With --cv: also train every fold with "
                                                        "the store's review decisions and show what they change.")
                                     ] = False,
             full: FullOpt = False, scope: ScopeOpt = None, db: DbOpt = None, config: ConfigOpt = None,
             as_json: JsonOpt = False) -> None:
    """Screening precision, recall, F1 and MCC on your labelled CSV (flagged = tier medium or above).

    With --cv, WildTrace's trained model is compared on the same folds with a TF-IDF + logistic-regression
    baseline and a keyword rule; with --with-reviews, the folds are trained again with the analysts' review
    decisions added, and the report shows how far those labels moved the metrics."""
    if ctx.invoked_subcommand is not None:
        return
    if not labels:
        typer.echo(ctx.get_help())
        raise typer.Exit(0)
    from wildtrace.lexicon import load_lexicon
    from wildtrace.screen import Screener, cross_validate, evaluate, read_labelled

    s = settings(None, config)
    data = read_labelled(labels, text_col, label_col, image_col=image_col, image_root=image_root,
                         group_col=group_col, images=_reader(image_col))
    if not data.docs:
        fail(f"{labels}: no labelled rows")
    if cv:
        if cv < 2:
            fail("--cv needs at least 2 folds")
        lexicon = load_lexicon(str(s.lexicon_path))
        try:
            result = cross_validate(data, lexicon, cv, full=full, grouped=bool(group_col), optimise=optimise,
                                    feature_sets=_feature_sets(features))
            if with_reviews:
                result["reviews"] = _review_gain(data, result, lexicon, cv, full, bool(group_col), optimise, features,
                                                 db, config)
        except ValueError as exc:
            fail(str(exc))
        human = cv_report(result)
    elif with_reviews:
        fail("--with-reviews needs --cv K")
    else:
        try:
            screener = Screener.load(model or s.model or None, str(s.lexicon_path), full=full,
                                     scope=scope or s.scope or None)
        except ValueError as exc:
            fail(str(exc))
        result = evaluate(screener, data)
        human = (f"precision {result['precision']:.3f}  recall {result['recall']:.3f}  f1 {result['f1']:.3f}  "
                 f"mcc {result['mcc']:.3f}  n {result['n']}")
    result = {**result, "skipped": len(data.skipped)}
    emit(result, as_json, human)


def _review_gain(data: LabelledSet, without: dict, lexicon: Lexicon, cv: int, full: bool, grouped: bool, optimise: str,
                 features: str, db: str | None, config: str | None) -> dict:
    """The same cross-validation with the store's review decisions in every training part: how many labels, and
    what they changed."""
    from wildtrace.screen import cross_validate, labelled_from_decisions

    with store(db, config) as st:
        reviews = labelled_from_decisions(st)
    if not reviews.labels:
        fail("--with-reviews: the store has no review decisions yet")
    with_them = cross_validate(data, lexicon, cv, full=full, grouped=grouped, optimise=optimise, extra=reviews,
                               feature_sets=_feature_sets(features))
    keys = ("precision", "recall", "f1", "mcc")
    return {"labels": len(reviews.labels), "positives": sum(reviews.labels),
            "without": {k: without[k] for k in keys}, "with": {k: with_them[k] for k in keys},
            "change": {k: round(with_them[k] - without[k], 4) for k in keys}}


def _line(name: str, m: dict) -> str:
    return f"{name:<14}{m['precision']:>10.3f}{m['recall']:>8.3f}{m['f1']:>8.3f}{m['mcc']:>8.3f}"


def cv_report(r: dict) -> str:
    """The cross-validation table: WildTrace and the two baselines on the same folds, and what it adds."""
    base = r["baselines"]["tfidf_lr"]
    gap = r["mcc"] - base["mcc"]
    op = r["operating_point"]
    return "\n".join([
        f"{'':<14}{'precision':>10}{'recall':>8}{'f1':>8}{'mcc':>8}",
        _line("WildTrace", r), _line("TF-IDF + LR", base), _line("keyword", r["baselines"]["keyword"]),
        f"WildTrace {'beats' if gap > 0 else 'matches' if r['beats_baseline'] else 'does NOT beat'} the TF-IDF + LR "
        f"baseline on MCC "
        f"({r['mcc']:.3f} vs {base['mcc']:.3f}, {gap:+.3f}); n {r['n']}, {r['folds']} folds",
        f"operating point (cut-offs chosen by inner CV for {r['optimise']}): MCC {op['mcc']:.3f}; best single "
        f"cut-off on the pooled scores ({op['best_cutoff']:.3f}): MCC {op['best_mcc']:.3f}",
        "models chosen: " + ", ".join(f"{k} ({v}x)" for k, v in r["chosen"].items()),
        *([_reviews_line(r["reviews"])] if "reviews" in r else []),
    ])


def _reviews_line(g: dict) -> str:
    return (f"with {g['labels']} review labels ({g['positives']} positive) in every training fold: MCC "
            f"{g['without']['mcc']:.3f} -> {g['with']['mcc']:.3f} ({g['change']['mcc']:+.3f}), F1 "
            f"{g['without']['f1']:.3f} -> {g['with']['f1']:.3f} ({g['change']['f1']:+.3f})")


def register(app: typer.Typer) -> None:
    app.command("screen")(screen)
    app.command("train")(train)
    eval_app.callback(invoke_without_command=True)(evaluate)
