"""``wildtrace serve`` starts the workbench; ``wildtrace users add/list/disable/token/tokens/revoke`` manages its
accounts and their API tokens."""

from __future__ import annotations

from typing import Annotated

import typer

from wildtrace.cli._common import DbOpt, JsonOpt, emit, fail, settings, store
from wildtrace.config import Settings

users_app = typer.Typer(help="Workbench accounts: admin, investigator, analyst, partner.", no_args_is_help=True)

DEMO_USERS = (("admin", "admin"), ("investigator", "investigator"), ("analyst", "analyst"), ("partner", "partner"))
DEMO_PASSWORD = "wildtrace-demo"


def ensure_demo_users(db: str | None = None) -> list[str]:
    """Create the demo users (password ``wildtrace-demo``) that do not exist yet; return their names."""
    from wildtrace.service import add_user, list_users

    with store(db, create=True) as s:
        have = {u.username for u in list_users(s)}
        made = []
        for name, role in DEMO_USERS:
            if name not in have:
                add_user(s, name, DEMO_PASSWORD, role)
                made.append(name)
        return made


def serve_workbench(s: Settings, demo_users: bool = False, workers: int = 1) -> None:
    """Serve the workbench on ``s.host:s.port`` with ``workers`` processes until interrupted; with ``demo_users``,
    create them first."""
    import uvicorn

    from wildtrace.api import FACTORY, check_serving, export_settings
    from wildtrace.log import server_log_config
    from wildtrace.store import is_postgres

    try:
        check_serving(s, demo_users)
    except (LookupError, ValueError) as exc:
        fail(str(exc))
    if demo_users:
        ensure_demo_users(s.db)
    else:  # an empty store nobody can sign in to: say so rather than make one
        store(s.db).close()
    if workers > 1 and not is_postgres(s.db):
        typer.echo("note: several workers share a DuckDB file by turns; a team server should use PostgreSQL",
                   err=True)
    export_settings(s)
    typer.echo(f"WildTrace workbench on http://{s.host}:{s.port}/ (store {s.db}, {workers} worker(s))")
    if demo_users:
        typer.echo(f"demo sign-in: analyst / {DEMO_PASSWORD} (also admin, investigator, partner)")
    # proxy headers are read by the app, from the configured proxies only (uvicorn would trust loopback)
    uvicorn.run(FACTORY, factory=True, host=s.host, port=s.port, workers=workers, proxy_headers=False,
                log_config=server_log_config(s.log_level, s.log_format), access_log=True)


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        db: DbOpt = None,
        host: Annotated[str | None, typer.Option(help="Address to listen on [env: WILDTRACE_HOST].")] = None,
        port: Annotated[int | None, typer.Option(help="Port [env: WILDTRACE_PORT].")] = None,
        demo_users: Annotated[bool, typer.Option("--demo-users", help="Create the demo users first.")] = False,
        workers: Annotated[int, typer.Option(help="Worker processes (PostgreSQL for more than one).")] = 1,
        threads: Annotated[int | None, typer.Option(help="Threads per worker [env: WILDTRACE_SERVE_THREADS].")
                           ] = None,
    ) -> None:
        """Serve the workbench (API at /api, OpenAPI at /api/docs, pages at /; /api/live and /api/ready for
        a load balancer)."""
        serve_workbench(settings(db, host=host, port=port, serve_threads=threads), demo_users=demo_users,
                        workers=workers)

    @users_app.command("add")
    def users_add(
        username: str,
        role: Annotated[str, typer.Option(help="admin, investigator, analyst or partner.")] = "analyst",
        password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True,
                                              help="At least 8 characters (prompted when not given).")] = "",
        db: DbOpt = None, as_json: JsonOpt = False,
    ) -> None:
        """Add a user."""
        from wildtrace.service import add_user

        with store(db, create=True) as s:
            try:
                user = add_user(s, username, password, role)
            except ValueError as exc:
                fail(str(exc))
        emit({"username": user.username, "role": user.role.value}, as_json, f"added {user.username} ({user.role})")

    @users_app.command("list")
    def users_list(db: DbOpt = None, as_json: JsonOpt = False) -> None:
        """List users."""
        from wildtrace.service import list_users

        with store(db) as s:
            rows = [{"username": u.username, "role": u.role.value, "disabled": u.disabled} for u in list_users(s)]
        emit(rows, as_json, "\n".join(f"{r['username']:<24} {r['role']:<13} {'disabled' if r['disabled'] else ''}"
                                      for r in rows) or "no users")

    @users_app.command("disable")
    def users_disable(username: str, db: DbOpt = None, as_json: JsonOpt = False) -> None:
        """Disable a user: a running workbench refuses their sessions and API tokens within 2 s."""
        from wildtrace.service import record, set_disabled

        with store(db) as s:
            try:
                user = set_disabled(s, username, True)
            except ValueError as exc:
                fail(str(exc))
            record(s, "cli", "user_disabled", "user", username)
        emit({"username": user.username, "disabled": True}, as_json, f"disabled {user.username}")

    @users_app.command("token")
    def users_token(username: str, name: Annotated[str, typer.Option(help="What the token is for.")] = "api",
                    db: DbOpt = None, as_json: JsonOpt = False) -> None:
        """Create an API token for a user (printed once; send it as 'Authorization: Bearer <token>')."""
        from wildtrace.service import create_token, record, token_id

        with store(db) as s:
            try:
                token = create_token(s, username, name)
            except ValueError as exc:
                fail(str(exc))
            record(s, "cli", "token_created", "user", username, {"name": name, "token_id": token_id(token)})
        emit({"username": username, "token": token, "id": token_id(token)}, as_json, token)

    @users_app.command("tokens")
    def users_tokens(username: str, db: DbOpt = None, as_json: JsonOpt = False) -> None:
        """List a user's API tokens (their ids, names, dates; the tokens themselves are not kept)."""
        from wildtrace.service import list_tokens

        with store(db) as s:
            try:
                rows = list_tokens(s, username)
            except ValueError as exc:
                fail(str(exc))
        emit(rows, as_json, "\n".join(f"{r['id']}  {str(r['created_at'])[:19]}  "
                                      f"{'revoked' if r['revoked'] else 'active':<8} {r['name']}" for r in rows)
             or f"{username} has no tokens")

    @users_app.command("revoke")
    def users_revoke(
        username: str,
        token: Annotated[str | None, typer.Argument(help="Its id (`users tokens`) or the token.")] = None,
        all_tokens: Annotated[bool, typer.Option("--all", help="Revoke every token of the user.")] = False,
        db: DbOpt = None, as_json: JsonOpt = False,
    ) -> None:
        """Revoke an API token: a running workbench refuses it within 2 s (at once when revoked on its admin page)."""
        from wildtrace.service import record, revoke_token

        if (token is None) == (not all_tokens):
            fail("name one token (its id or the token) or give --all")
        with store(db) as s:
            try:
                revoked = revoke_token(s, username, token)
            except (ValueError, LookupError) as exc:
                fail(str(exc))
            for rid in revoked:
                record(s, "cli", "token_revoked", "user", username, {"token_id": rid})
        emit({"username": username, "revoked": revoked}, as_json,
             f"revoked {len(revoked)} token(s) of {username}" + (f": {', '.join(revoked)}" if revoked else ""))

    app.add_typer(users_app, name="users")
