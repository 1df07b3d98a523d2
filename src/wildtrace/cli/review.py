"""``wildtrace review sample``: posts to label, nearest the cut-off or at random, not only the top scores."""

from __future__ import annotations

from typing import Annotated

import typer

from wildtrace.cli._common import ConfigOpt, DbOpt, JsonOpt, emit, fail, store

review_app = typer.Typer(help="The review queue: samples of screened posts for analysts to label.",
                         no_args_is_help=True)


OrderOpt = Annotated[str, typer.Option("--order", help="uncertain (nearest the cut-off first), random (an unbiased "
                                      "sample) or score (the review queue's order).")]


@review_app.command("sample")
def sample(order: OrderOpt = "uncertain",
           n: Annotated[int, typer.Option("--n", min=1, max=10_000, help="How many posts.")] = 50,
           around: Annotated[float, typer.Option("--around", min=0.0, max=1.0,
                                                 help="With --order uncertain: the cut-off.")] = 0.5,
           seed: Annotated[str, typer.Option("--seed", help="With --order random: the sample's seed.")] = "",
           tier: Annotated[list[str] | None, typer.Option("--tier", help="Only these tiers (repeat); default all "
                                                          "for uncertain and random.")] = None,
           db: DbOpt = None, config: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """Posts without a decision yet, for labelling in the workbench; `wildtrace train --from-reviews` then learns
    from the decisions."""
    from wildtrace.service import queue

    with store(db, config) as st:
        try:
            result = queue(st, tier or None, status="pending", limit=n, order=order, around=around, seed=seed)
        except ValueError as exc:
            fail(str(exc))
    lines = [f"{i['post_id']}\t{i['tier']}\t{i['score'] if i['score'] is not None else '-'}\t"
             f"{i['excerpt'][:100].replace(chr(10), ' ')}" for i in result["items"]]
    emit(result, as_json, "\n".join([*lines, f"{len(lines)} of {result['total']} pending posts ({order})"]))


def register(app: typer.Typer) -> None:
    app.add_typer(review_app, name="review")
