"""``wildtrace extract``: structured fields of one text, or identifiers of every post in the store;
``wildtrace eval extract``: score price/weight/price-per-gram extraction against labelled truth."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from wildtrace.cli._common import DbOpt, JsonOpt, emit, fail, settings, store
from wildtrace.cli.evaluate import eval_app


def extract(
    text: Annotated[str | None, typer.Argument(help="A text to read ('-' for standard input); "
                                                    "without it, every post in the store.")] = None,
    species: Annotated[list[str] | None,
                       typer.Option("--species", help="Species screening found (repeatable).")] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Extract prices, weights, price per gram, contacts and more from TEXT, or write the contact and
    payment identifiers of every post, image and profile in the store (for linking and money)."""
    from wildtrace.extract import extract_fields, extract_store

    if text is not None:
        body = sys.stdin.read() if text == "-" else text
        emit(extract_fields(body, species or ()), as_json)
        return
    with store(db) as s:
        counts = extract_store(s)
    emit(counts, as_json, "  ".join(f"{k}={v}" for k, v in counts.items()))


def eval_extract(
    truth: Annotated[Path, typer.Option("--truth", help=(
        "CSV with post_id, price_cny (or price and currency), weight_g, price_per_gram; optionally product_type, "
        "prices, contacts, payment, delivery (docs/extract.md)."))],
    posts: Annotated[Path, typer.Option("--posts", help="Posts as JSON Lines (id, text) or CSV (post_id, text).")],
    tolerance: Annotated[float, typer.Option(help="Relative error that still counts as exact.")] = 0.01,
    where: Annotated[list[str] | None, typer.Option(
        "--where", help="Keep truth rows with COLUMN=VALUE, e.g. is_illegal=1 or image_only=0 (repeatable).")] = None,
    images: Annotated[bool, typer.Option(
        "--images", help="Read the posts' pictures (OCR, cached) and extract from their text too.")] = False,
    image_root: Annotated[Path | None, typer.Option(help="Folder the posts' media paths are relative to "
                                                         "[default: the posts file's folder].")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Coverage, accuracy and precision of extraction against truth: price, weight, price per gram, and product
    type, currency, prices, contacts, payment and delivery where the truth has them."""
    from wildtrace.extract import evaluate_extraction

    for path in (truth, posts):
        if not path.is_file():
            fail(f"{path}: no such file")
    conditions = {}
    for item in where or []:
        column, sep, value = item.partition("=")
        if not sep:
            fail(f"--where {item!r}: write COLUMN=VALUE")
        conditions[column] = value
    image_text = None
    if images:
        from wildtrace.screen import ImageReader

        reader = ImageReader.from_settings(settings())
        image_text = lambda path: reader.read(path)["text"] or ""  # noqa: E731
    try:
        result = evaluate_extraction(truth, posts, tolerance, where=conditions, image_text=image_text,
                                     image_root=image_root)
    except ValueError as exc:
        fail(str(exc))
    lines = [f"{'field':<16}{'n':>7}{'coverage':>10}{'accuracy':>10}{'precision':>11}{'recall':>9}{'spurious':>10}"]
    for field in ("price", "weight", "price_per_gram", "product_type", "currency", "prices", "contacts", "payment",
                  "delivery"):
        if field not in result:
            continue
        r = result[field]
        lines.append(f"{field:<16}{r['n']:>7}{_pct(r['coverage']):>10}{_pct(r['accuracy']):>10}"
                     f"{_pct(r['precision']):>11}{_pct(r.get('recall')):>9}{r['spurious']:>10}")
    lines.append(f"(within {tolerance:.0%}; exchange rates of {result['rates_date']})")
    emit(result, as_json, "\n".join(lines))


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x:.1%}"


def register(app: typer.Typer) -> None:
    app.command("extract")(extract)
    eval_app.command("extract")(eval_extract)
