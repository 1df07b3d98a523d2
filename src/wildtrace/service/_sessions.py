"""Server-side sessions: the signed cookie carries only the session id, so logout and disabling a user
end a session at once. Each session has its own CSRF token for forms."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from wildtrace.service._recent import SESSIONS
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


def known_session(store: Store, sid: str) -> tuple[User, str] | None:
    """(user, CSRF token) of a session found live in the last seconds (``_recent``), else None: no store query."""
    found: tuple[User, str] | None = SESSIONS.get(store, sid)
    return found


def session_user(store: Store, sid: str) -> tuple[User, str] | None:
    """(user, CSRF token) of a live session of an enabled user, else None (it runs on every request of a signed-in
    page: one query, none when the session was found in the last seconds)."""
    found = known_session(store, sid)
    if found is None:
        stamp, now = SESSIONS.stamp(store), datetime.now(UTC)
        rows = store.query("SELECT u.username, u.role, s.csrf, s.expires_at FROM wb_sessions s JOIN wb_users u "
                           "ON u.username = s.username WHERE s.session_id = ? AND s.expires_at > ? AND NOT u.disabled",
                           [sid, now])
        if rows:
            found = (User(rows[0]["username"], Role(rows[0]["role"])), rows[0]["csrf"])
            left = (rows[0]["expires_at"] - now).total_seconds()
            SESSIONS.put(store, sid, found, stamp, until=SESSIONS.clock() + left)
    return found


def end_session(store: Store, sid: str) -> None:
    store.execute("DELETE FROM wb_sessions WHERE session_id = ?", [sid])
    SESSIONS.forget(store, sid)
