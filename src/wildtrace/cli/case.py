"""``wildtrace case``: open and close investigation cases and list what they hold (the workbench's cases, from
the shell)."""

from __future__ import annotations

import getpass
from typing import Annotated

import typer

from wildtrace.cli._common import DbOpt, JsonOpt, emit, fail, store

case_app = typer.Typer(help="Cases: posts, accounts, captures and more collected for an investigation; the same "
                       "cases as in the workbench. `evidence add --case ID` and `evidence export --case ID` use them.",
                       no_args_is_help=True)


@case_app.command("create")
def create(
    title: Annotated[str, typer.Argument(help="What the case is about.")],
    item: Annotated[list[str] | None, typer.Option("--item", help="kind:id to hold (post:ID, account:ID, "
                                                   "capture:SHA256, ...); repeatable.")] = None,
    by: Annotated[str | None, typer.Option("--by", help="Who opens it (default: the login name).")] = None,
    db: DbOpt = None, as_json: JsonOpt = False,
) -> None:
    """Open a case; prints its id."""
    from wildtrace.service import create_case

    with store(db) as st:
        case = create_case(st, title, by or getpass.getuser(), item or [])
    emit(case.model_dump(mode="json"), as_json, f"{case.id}  {case.title}  ({len(case.items)} item(s))")


@case_app.command("add")
def add(
    case_id: Annotated[str, typer.Argument(help="Case id.")],
    item: Annotated[list[str], typer.Argument(help="kind:id references to add (post:ID, capture:SHA256, ...).")],
    db: DbOpt = None, as_json: JsonOpt = False,
) -> None:
    """Add items to a case; each must exist."""
    from wildtrace.service import add_case_item

    with store(db) as st:
        for ref in item:
            case = add_case_item(st, case_id, ref)
    emit(case.model_dump(mode="json"), as_json, f"{case.id}: {len(case.items)} item(s)")


@case_app.command("list")
def list_(
    status: Annotated[str | None, typer.Option("--status", help="open, closed, ...")] = None,
    db: DbOpt = None, as_json: JsonOpt = False,
) -> None:
    """The cases, newest first."""
    from wildtrace.service import list_cases

    with store(db) as st:
        cases = list_cases(st, status, limit=10_000)
    emit([c.model_dump(mode="json") for c in cases], as_json, "\n".join(
        f"{c.id}  {c.status}  {len(c.items):>4} item(s)  {c.title}" for c in cases) or "no cases")


@case_app.command("close")
def close(
    case_id: Annotated[str, typer.Argument(help="Case id.")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is closed: kept as a note of the case and in "
                                        "the audit log.")],
    by: Annotated[str | None, typer.Option("--by", help="Who closes it (default: the login name).")] = None,
    db: DbOpt = None, as_json: JsonOpt = False,
) -> None:
    """Close a case as the workbench does (audited); `case-study` then takes it without --force."""
    from wildtrace.service import add_case_note, get_case, record, set_case_status

    if not reason.strip():
        fail("--reason: say why the case is closed")
    who = by or getpass.getuser()
    with store(db) as st:
        if get_case(st, case_id).status == "closed":
            fail(f"case {case_id!r} is already closed")
        case = set_case_status(st, case_id, "closed")
        note = add_case_note(st, case_id, who, f"Closed: {reason.strip()}")
        record(st, who, "case_status", "case", case_id,
               {"status": str(case.status), "reason": reason.strip(), "note_id": note["note_id"], "via": "cli"})
    emit(case.model_dump(mode="json"), as_json, f"{case.id}  closed  ({reason.strip()})")


def register(app: typer.Typer) -> None:
    app.add_typer(case_app, name="case")
