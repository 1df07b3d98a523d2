"""``wildtrace lexicon``: list, add, retire and suggest screening terms (edits go to the analysts' layer file)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

import typer

from wildtrace.cli._common import ConfigOpt, DbOpt, JsonOpt, emit, fail, settings, store

lexicon_app = typer.Typer(help="The screening lexicon: species, products, code words, claims, look-alikes.",
                          no_args_is_help=True)
KindOpt = Annotated[str | None, typer.Option("--kind", help="species, product, code_word, legality, benign or trade.")]


def _path(config: str | None) -> str:
    return str(settings(None, config).lexicon_path)


@lexicon_app.command("list")
def list_terms(kind: KindOpt = None, config: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """List active terms (packaged and added), with meaning and source."""
    from wildtrace.lexicon import load_lexicon

    lex = load_lexicon(_path(config))
    terms = [t for t in lex.terms if kind is None or t.kind == kind]
    rows: list[dict[str, Any]] = [
        {"id": t.id, "kind": t.kind, "names": t.all_names(), "meaning": t.meaning, "category": t.category,
         "cites": t.cites, "source": t.source, "origin": t.origin} for t in terms]
    lines = [f"{r['kind']:<10} {r['id']:<22} {', '.join(r['names'][:6])}"
             + (f"  = {r['meaning']}" if r["meaning"] else "") + ("  [added]" if r["origin"] == "user" else "")
             for r in rows]
    emit({"version": lex.version, "terms": rows, "retired": sorted(lex.retired)}, as_json,
         "\n".join(lines) + f"\n{len(rows)} terms, lexicon version {lex.version}, {len(lex.retired)} retired")


@lexicon_app.command("add")
def add(term: Annotated[list[str], typer.Option("--term", help="A name as written (repeat for more).")],
        kind: Annotated[str, typer.Option("--kind", help="code_word, species, product, legality, benign, trade.")]
        = "code_word",
        lang: Annotated[str, typer.Option("--lang", help="zh-Hans, zh-Hant, en or vi.")] = "zh-Hans",
        meaning: Annotated[str | None, typer.Option("--meaning", help="Species id a code word stands for.")] = None,
        source: Annotated[str | None, typer.Option("--source", help="Where it was seen / reported.")] = None,
        category: Annotated[str | None, typer.Option("--category", help="Product type, claim or signal.")] = None,
        term_id: Annotated[str | None, typer.Option("--id", help="Entry id (default: from the first name).")] = None,
        by: Annotated[str, typer.Option("--by", help="Who adds it (recorded).")] = "analyst",
        config: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """Add a term to the analysts' layer (validated against the whole lexicon first)."""
    from wildtrace.lexicon import add_term

    added = add_term(_path(config), kind, {lang: list(term)}, term_id=term_id, meaning=meaning, source=source,
                     category=category, by=by)
    emit({"id": added.id, "kind": added.kind, "file": _path(config)}, as_json,
         f"added {added.kind} {added.id} to {_path(config)}")


@lexicon_app.command("retire")
def retire(term_id: Annotated[str, typer.Argument(help="Id of the term to retire.")],
           reason: Annotated[str, typer.Option("--reason", help="Why (recorded).")] = "",
           by: Annotated[str, typer.Option("--by", help="Who retires it (recorded).")] = "analyst",
           config: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """Retire a term: it stops matching and the retirement is recorded in the analysts' layer."""
    from wildtrace.lexicon import retire_term

    retire_term(_path(config), term_id, reason=reason, by=by)
    emit({"retired": term_id}, as_json, f"retired {term_id}")


@lexicon_app.command("suggest")
def suggest_cmd(db: DbOpt = None, high: Annotated[float, typer.Option("--high", help="Score counted as high.")] = 0.5,
                min_count: Annotated[int, typer.Option("--min-count", help="Least high posts with the term.")] = 3,
                limit: Annotated[int, typer.Option("--limit", help="Suggestions per source.")] = 20,
                embeddings: Annotated[bool, typer.Option("--embeddings/--no-embeddings")] = True,
                config: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """Propose new code words from screened posts: over-represented terms and embedding neighbours of known ones."""
    from wildtrace.lexicon import load_lexicon, suggest

    with store(db, config) as st:
        rows = st.query("SELECT p.text, v.score FROM posts p JOIN verdicts v ON v.post_id = p.id")
    if not rows:
        fail("no screened posts in the store: run `wildtrace screen` first")
    found = suggest([r["text"] or "" for r in rows], [float(r["score"]) for r in rows], load_lexicon(_path(config)),
                    high=high, min_count=min_count, limit=limit, embeddings=embeddings)
    lines = [f"{s.term:<20} {s.score:>7}  {s.in_high:>4} high / {s.in_rest:<5} rest  {s.reason}\n"
             + "".join(f"    e.g. {e}\n" for e in s.examples[:2]) for s in found]
    emit([asdict(s) for s in found], as_json, "".join(lines) or "no suggestions")


def eval_suggest(world: Annotated[str, typer.Option("--world", help="A simulated world (posts.jsonl and "
                                                    "truth/code_words.csv).")],
                 top: Annotated[int, typer.Option("--top", help="Suggestions read at each checkpoint.")] = 20,
                 window: Annotated[int, typer.Option("--window", help="Weeks after a code word appears.")] = 2,
                 model: Annotated[str | None, typer.Option("--model", help="Model directory that scores the posts "
                                                           "[env: WILDTRACE_MODEL].")] = None,
                 config: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """How early `lexicon suggest` finds the code words a simulated world introduces: recall within their first
    weeks, precision of the top suggestions."""
    from wildtrace.lexicon import describe_suggestion_eval, evaluate_suggestions, load_lexicon, read_world
    from wildtrace.screen import Screener

    s = settings(None, config)
    try:
        texts, weeks, code_words = read_world(world)
    except (OSError, ValueError, KeyError) as exc:
        fail(f"--world {world}: {exc}")
    screener = Screener.load(model or s.model or None, _path(config))
    scores = [r.score for r in screener.screen_texts(texts)]
    result = evaluate_suggestions(texts, weeks, scores, code_words, load_lexicon(_path(config)), top=top,
                                  window=window)
    emit(result, as_json, describe_suggestion_eval(result))


def register(app: typer.Typer) -> None:
    from wildtrace.cli.evaluate import eval_app

    app.add_typer(lexicon_app, name="lexicon")
    eval_app.command("suggest")(eval_suggest)
