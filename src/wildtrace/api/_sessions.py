"""Server-side sessions: the signed cookie carries only the session id, so logout and disabling a user
end a session at once. Each session has its own CSRF token for forms."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from wildtrace.api._users import User, get_user
from wildtrace.store import Store

SESSION_HOURS = 12


def start_session(store: Store, username: str) -> tuple[str, str]:
    """A new session for ``username``: (session id, CSRF token)."""
    sid, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    store.insert_rows("wb_sessions", [{"session_id": sid, "username": username, "csrf": csrf, "created_at": now,
                                       "expires_at": now + timedelta(hours=SESSION_HOURS)}],
                      ["session_id", "username", "csrf", "created_at", "expires_at"], ["session_id"])
    return sid, csrf


def session_user(store: Store, sid: str) -> tuple[User, str] | None:
    """(user, CSRF token) of a live session of an enabled user, else None."""
    rows = store.query("SELECT username, csrf FROM wb_sessions WHERE session_id = ? AND expires_at > ?",
                       [sid, datetime.now(UTC)])
    user = get_user(store, rows[0]["username"]) if rows else None
    if user is None or user.disabled:
        return None
    return user, rows[0]["csrf"]


def end_session(store: Store, sid: str) -> None:
    store.execute("DELETE FROM wb_sessions WHERE session_id = ?", [sid])
