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
TOKEN_ID_LENGTH = 16  # hex digits of a token's SHA-256 that name it in lists and revocations
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


def token_id(token: str) -> str:
    """The id a token is listed and revoked by (the start of its SHA-256)."""
    return _token_hash(token)[:TOKEN_ID_LENGTH]


def create_token(store: Store, username: str, name: str = "api") -> str:
    """A new API token for ``username``; only its hash is stored, so it is shown once (``token_id`` names it
    afterwards)."""
    if get_user(store, username) is None:
        raise ValueError(f"no user {username!r}")
    token = "wt_" + secrets.token_urlsafe(32)
    store.insert_rows("wb_tokens", [{"token_hash": _token_hash(token), "username": username, "name": name,
                                     "created_at": _now(), "revoked": False}],
                      ["token_hash", "username", "name", "created_at", "revoked"], ["token_hash"])
    return token


def list_tokens(store: Store, username: str) -> list[dict[str, object]]:
    """A user's API tokens, newest first: ``id`` (the start of the token's SHA-256, all that is kept of it),
    ``name``, ``created_at`` and ``revoked``."""
    if get_user(store, username) is None:
        raise ValueError(f"no user {username!r}")
    rows = store.query("SELECT token_hash, name, created_at, revoked FROM wb_tokens WHERE username = ? "
                       "ORDER BY created_at DESC, token_hash", [username])
    return [{"id": r["token_hash"][:TOKEN_ID_LENGTH], "name": r["name"], "created_at": r["created_at"].isoformat(),
             "revoked": bool(r["revoked"])} for r in rows]


def revoke_token(store: Store, username: str, token: str | None = None) -> list[str]:
    """Revoke one of ``username``'s API tokens, named by its id (``list_tokens``) or by the token itself, or
    every token of the user when ``token`` is None; returns the ids revoked. A revoked token is refused at once
    by this process; a workbench running in another process refuses it once its kept sign-ins expire
    (``_recent``: within 2 s). ``ValueError`` for an unknown user, ``LookupError`` for an unknown token."""
    if get_user(store, username) is None:
        raise ValueError(f"no user {username!r}")
    rows = store.query("SELECT token_hash FROM wb_tokens WHERE username = ? AND NOT revoked", [username])
    if token is not None:
        wanted = _token_hash(token) if token.startswith("wt_") else token.lower()
        rows = [r for r in rows if len(wanted) >= TOKEN_ID_LENGTH and r["token_hash"].startswith(wanted)]
        if not rows:
            raise LookupError(f"user {username!r} has no token {token[:TOKEN_ID_LENGTH]!r} that is not revoked")
    hashes = [r["token_hash"] for r in rows]
    if hashes:
        store.execute(f"UPDATE wb_tokens SET revoked = TRUE WHERE token_hash IN ({', '.join('?' for _ in hashes)})",
                      hashes)
        forget_sign_ins(store)
    return [h[:TOKEN_ID_LENGTH] for h in hashes]


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
