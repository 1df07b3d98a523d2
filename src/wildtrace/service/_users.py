"""Workbench accounts: roles, argon2 password hashes, API tokens (kept only as their SHA-256)."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from wildtrace.service._recent import TOKENS, forget_sign_ins
from wildtrace.store import Store

_hasher = PasswordHasher()
_USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
# A hash of a password nobody has, verified when the user is unknown, so that timing does not tell
# which user names exist.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


class Role(StrEnum):
    """What a user may see and do. Investigators see personal data and evidence; analysts see people under
    pseudonyms (unless an investigator shares a case); partners and platforms see redacted data."""

    ADMIN = "admin"
    INVESTIGATOR = "investigator"
    ANALYST = "analyst"
    PARTNER = "partner"
    PLATFORM = "platform"


# Roles allowed to decide on posts and work on cases and alerts.
WORKERS = frozenset({Role.ADMIN, Role.INVESTIGATOR, Role.ANALYST})


@dataclass(frozen=True)
class User:
    username: str
    role: Role
    disabled: bool = False


def _now() -> datetime:
    return datetime.now(UTC)


def add_user(store: Store, username: str, password: str, role: Role | str) -> User:
    """Create a user; raises ValueError on a bad name, a short password, an unknown role or a taken name."""
    if not _USERNAME.match(username):
        raise ValueError(f"user name {username!r}: use 1-64 letters, digits or _.@-")
    if len(password) < 8:
        raise ValueError(f"user {username!r}: the password needs at least 8 characters")
    if role not in {r.value for r in Role}:
        raise ValueError(f"user {username!r}: role {role!r} is not one of {', '.join(r.value for r in Role)}")
    role = Role(role)
    new = store.insert_rows(
        "wb_users",
        [{"username": username, "role": role.value, "password_hash": _hasher.hash(password), "disabled": False,
          "created_at": _now()}],
        ["username", "role", "password_hash", "disabled", "created_at"], ["username"])
    if not new:
        raise ValueError(f"user {username!r} exists already")
    return User(username, role)


def get_user(store: Store, username: str) -> User | None:
    rows = store.query("SELECT username, role, disabled FROM wb_users WHERE username = ?", [username])
    return User(rows[0]["username"], Role(rows[0]["role"]), bool(rows[0]["disabled"])) if rows else None


def list_users(store: Store) -> list[User]:
    rows = store.query("SELECT username, role, disabled FROM wb_users ORDER BY username")
    return [User(r["username"], Role(r["role"]), bool(r["disabled"])) for r in rows]


def set_disabled(store: Store, username: str, disabled: bool = True) -> User:
    """Disable (or re-enable) a user; a disabled user's sessions and tokens stop working at once (in a workbench
    running in another process, once its kept sign-ins expire: ``_recent``)."""
    if get_user(store, username) is None:
        raise ValueError(f"no user {username!r}")
    store.execute("UPDATE wb_users SET disabled = ? WHERE username = ?", [disabled, username])
    if disabled:
        store.execute("DELETE FROM wb_sessions WHERE username = ?", [username])
    forget_sign_ins(store)
    user = get_user(store, username)
    assert user is not None
    return user


def set_role(store: Store, username: str, role: Role | str) -> User:
    """Give a user another role; their sessions end so that the next request signs in with the new role."""
    if role not in {r.value for r in Role}:
        raise ValueError(f"user {username!r}: role {role!r} is not one of {', '.join(r.value for r in Role)}")
    if get_user(store, username) is None:
        raise ValueError(f"no user {username!r}")
    store.execute("UPDATE wb_users SET role = ? WHERE username = ?", [Role(role).value, username])
    store.execute("DELETE FROM wb_sessions WHERE username = ?", [username])
    forget_sign_ins(store)
    user = get_user(store, username)
    assert user is not None
    return user


def authenticate(store: Store, username: str, password: str) -> User | None:
    """The user if the password is right and the account is enabled, else None."""
    rows = store.query("SELECT password_hash FROM wb_users WHERE username = ?", [username])
    try:
        _hasher.verify(rows[0]["password_hash"] if rows else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    user = get_user(store, username) if rows else None
    if user is None or user.disabled:
        return None
    if _hasher.check_needs_rehash(rows[0]["password_hash"]):
        store.execute("UPDATE wb_users SET password_hash = ? WHERE username = ?", [_hasher.hash(password), username])
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(store: Store, username: str, name: str = "api") -> str:
    """A new API token for ``username``; only its hash is stored, so it is shown once."""
    if get_user(store, username) is None:
        raise ValueError(f"no user {username!r}")
    token = "wt_" + secrets.token_urlsafe(32)
    store.insert_rows("wb_tokens", [{"token_hash": _token_hash(token), "username": username, "name": name,
                                     "created_at": _now(), "revoked": False}],
                      ["token_hash", "username", "name", "created_at", "revoked"], ["token_hash"])
    return token


def known_token(store: Store, token: str) -> User | None:
    """The user of ``token`` if it was verified in the last seconds (``_recent``), else None: no store query."""
    user: User | None = TOKENS.get(store, _token_hash(token))
    return user


def user_for_token(store: Store, token: str) -> User | None:
    """The enabled user owning an unrevoked ``token`` (it runs on every API request: one query, none when the
    token was verified in the last seconds)."""
    digest = _token_hash(token)
    user: User | None = TOKENS.get(store, digest)
    if user is None:
        stamp = TOKENS.stamp(store)
        rows = store.query("SELECT u.username, u.role FROM wb_tokens t JOIN wb_users u ON u.username = t.username "
                           "WHERE t.token_hash = ? AND NOT t.revoked AND NOT u.disabled", [digest])
        user = User(rows[0]["username"], Role(rows[0]["role"])) if rows else None
        if user is not None:
            TOKENS.put(store, digest, user, stamp)
    return user
