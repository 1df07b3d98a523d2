"""How early suggestion finds new code words: replay a corpus week by week against the code words it introduced.

For every code word that appears after the first week, suggestion runs on the posts up to the end of its second
week (``window``); the word counts as found when one of the top ``top`` suggestions is it (after folding), or
when one holds the other and the shorter has at least two thirds of the longer's characters (冰糖料 / 冰糖料子).
Recall is also given over the "findable" words, used in at least ``min_count`` posts by then (suggestion needs
that many). Precision is the share of the top ``top`` suggestions that are code words of the truth the lexicon
does not know yet, at each of those checkpoints and on the whole corpus.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from wildtrace.lexicon._model import Lexicon
from wildtrace.lexicon._suggest import read_corpus, suggest_from


def read_world(world: str | Path) -> tuple[list[str], list[int], list[tuple[str, int]]]:
    """A simulated world's post texts, the week of each (week 1 starts on the Monday of the first post) and its
    code words with the week they appear (``posts.jsonl``, ``truth/code_words.csv``)."""
    world = Path(world)
    texts, times = [], []
    with (world / "posts.jsonl").open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            post = json.loads(line)
            if not post.get("posted_at"):
                raise ValueError(f"{world / 'posts.jsonl'}: line {number}: field 'posted_at' is missing")
            texts.append(post.get("text") or "")
            times.append(datetime.fromisoformat(post["posted_at"]))
    first = min(times)
    monday = datetime.combine((first - timedelta(days=first.weekday())).date(), datetime.min.time(), first.tzinfo)
    weeks = [(t - monday).days // 7 + 1 for t in times]
    with (world / "truth" / "code_words.csv").open(encoding="utf-8") as fh:
        code_words = [(r["code_word"], int(r["introduced_week"])) for r in csv.DictReader(fh)]
    return texts, weeks, code_words


def _same(suggested: str, word: str) -> bool:
    from wildtrace.screen import squeeze

    a, b = sorted((squeeze(suggested), squeeze(word)), key=len)
    return a == b or (len(a) >= 2 and a in b and 3 * len(a) >= 2 * len(b))


def evaluate_suggestions(texts: Sequence[str], weeks: Sequence[int], scores: Sequence[float],
                         code_words: Sequence[tuple[str, int]], lexicon: Lexicon, *, top: int = 20, window: int = 2,
                         high: float = 0.5, min_count: int = 3) -> dict[str, Any]:
    """Recall of new code words within ``window`` weeks of their introduction, and precision of the top ``top``."""
    from wildtrace.screen import squeeze

    known = {squeeze(n) for t in lexicon.terms for n in t.all_names()}
    new = [(w, k) for w, k in code_words if k > 1 and squeeze(w) not in known]
    truth = [w for w, _ in code_words if squeeze(w) not in known]
    corpus = read_corpus(texts, scores, lexicon, high)
    week = np.asarray(weeks)

    def top_terms(until: int) -> list[str]:
        found = suggest_from(corpus, lexicon, posts=week <= until, min_count=min_count, limit=top)
        return [s.term for s in found]

    checkpoints = {k + window - 1: top_terms(k + window - 1) for k in sorted({k for _, k in new})}
    rank = {w: next((r + 1 for r, t in enumerate(checkpoints[k + window - 1]) if _same(t, w)), None) for w, k in new}
    found = {w: rank[w] is not None for w, _ in new}
    used = {w: sum(w in texts[i] for i in np.flatnonzero(week <= k + window - 1).tolist()) for w, k in new}
    findable = [w for w, _ in new if used[w] >= min_count]
    final = top_terms(int(week.max()))

    def precision(terms: list[str]) -> float:
        return sum(any(_same(t, w) for w in truth) for t in terms) / len(terms) if terms else 0.0

    return {
        "new_code_words": len(new), "found": sum(found.values()),
        "recall": round(sum(found.values()) / len(new), 3) if new else None,
        "findable": len(findable),  # used in at least min_count posts by the end of their window
        "found_findable": sum(found[w] for w in findable), "min_posts": min_count,
        "recall_findable": round(sum(found[w] for w in findable) / len(findable), 3) if findable else None,
        "precision_at_checkpoints": round(float(np.mean([precision(t) for t in checkpoints.values()])), 3)
        if checkpoints else None,
        "precision_all_weeks": round(precision(final), 3), "top": top, "window_weeks": window,
        "precision_all_weeks_top5": round(precision(final[:5]), 3),
        "words": [{"word": w, "week": k, "posts": used[w], "rank": rank[w]} for w, k in new],
        "top_all_weeks": final,
    }


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def describe_suggestion_eval(result: dict[str, Any]) -> str:
    """The summary of :func:`evaluate_suggestions` for people: each rate beside the counts it is made of, and
    what was not measured (no new code word, none used often enough, no suggestion) said in words."""
    new, findable, shown = result["new_code_words"], result["findable"], len(result["top_all_weeks"])
    if not new:
        recall = "recall not measured: no code word appears after the first week"
    else:
        often = f"used in at least {_count(result['min_posts'], 'post')}"
        recall = (f"recall {result['recall']} ({result['found']} of {_count(new, 'new code word')} found; "
                  + (f"{result['found_findable']} of the {findable} {often}: {result['recall_findable']})" if findable
                     else f"none of them {often} by the end of its window)"))
    precision = (f"precision of the top {_count(shown, 'suggestion')} on all weeks {result['precision_all_weeks']}"
                 if shown else "no suggestion on all weeks: precision not measured")
    words = ", ".join(f"{w['word']} (week {w['week']}, {_count(w['posts'], 'post')}, rank {w['rank'] or '-'})"
                      for w in result["words"])
    return f"{recall}; {precision}" + (f"\n{words}" if words else "")
