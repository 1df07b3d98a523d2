"""Server-side sessions: the signed cookie carries only the session id, so logout and disabling a user
end a session at once. Each session has its own CSRF token for forms."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from wildtrace.service._users import Role, User
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
    rows = store.query("SELECT u.username, u.role, s.csrf FROM wb_sessions s JOIN wb_users u ON u.username = "
                       "s.username WHERE s.session_id = ? AND s.expires_at > ? AND NOT u.disabled",
                       [sid, datetime.now(UTC)])
    return (User(rows[0]["username"], Role(rows[0]["role"])), rows[0]["csrf"]) if rows else None


def end_session(store: Store, sid: str) -> None:
    store.execute("DELETE FROM wb_sessions WHERE session_id = ?", [sid])
