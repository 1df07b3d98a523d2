"""Who may open a case and in which view.

A case has an owner (its creator), a team (user names) and roles that may open it, each in their role's view
(an analyst sees people pseudonymised), and the users an investigator has *shared* it with, who get the full
view. Investigators and admins open every case in the full view (every view is audited). Anyone else is told
the case does not exist.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from wildtrace.model import Case
from wildtrace.service._cases import list_cases
from wildtrace.service._users import Role, User, get_user
from wildtrace.share import Redactor, audience_for_role
from wildtrace.store import Store

FULL_VIEW_ROLES = frozenset({Role.ADMIN, Role.INVESTIGATOR})
_COLUMNS = ["case_id", "owner", "team", "roles", "shared", "changed_by", "changed_at"]


@dataclass
class Visibility:
    owner: str
    team: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    shared: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def visibility(store: Store, case: Case) -> Visibility:
    rows = store.query("SELECT owner, team, roles, shared FROM wb_case_access WHERE case_id = ?", [case.id])
    if not rows:
        return Visibility(owner=case.created_by or "")
    r = rows[0]
    return Visibility(r["owner"], json.loads(r["team"]), json.loads(r["roles"]), json.loads(r["shared"]))


def can_open(vis: Visibility, user: User) -> bool:
    return (user.role in FULL_VIEW_ROLES or user.username == vis.owner or user.username in vis.team
            or user.role.value in vis.roles or user.username in vis.shared)


def full_view(vis: Visibility, user: User) -> bool:
    """Whether ``user`` sees the case unredacted: investigators and admins, and those it was shared with."""
    return user.role in FULL_VIEW_ROLES or user.username in vis.shared


def set_visibility(store: Store, case: Case, by: User, team: list[str], roles: list[str],
                   shared: list[str]) -> Visibility:
    """Change who may open ``case`` (its owner, an investigator or an admin may) and whom it is shared with
    in the full view (only an investigator or an admin may: it shows what the others' role hides)."""
    vis = visibility(store, case)
    if by.username != vis.owner and by.role not in FULL_VIEW_ROLES:
        raise PermissionError("only the case's owner, an investigator or an admin may change who sees it")
    if set(shared) != set(vis.shared) and by.role not in FULL_VIEW_ROLES:
        raise PermissionError("only an investigator or an admin may share a case's full view")
    unknown = [name for name in {*team, *shared} if get_user(store, name) is None]
    if unknown:
        raise ValueError(f"no user {sorted(unknown)[0]!r}")
    bad_roles = [r for r in roles if r not in {x.value for x in Role}]
    if bad_roles:
        raise ValueError(f"role {bad_roles[0]!r} is not one of {', '.join(r.value for r in Role)}")
    new = Visibility(vis.owner, sorted(set(team)), sorted(set(roles)), sorted(set(shared)))
    store.upsert_rows("wb_case_access", [{
        "case_id": case.id, "owner": new.owner, "team": json.dumps(new.team), "roles": json.dumps(new.roles),
        "shared": json.dumps(new.shared), "changed_by": by.username, "changed_at": datetime.now(UTC)}],
        _COLUMNS, ["case_id"])
    return new


def visible_cases(store: Store, user: User, status: str | None = None, limit: int = 50,
                  offset: int = 0) -> list[Case]:
    """The cases ``user`` may open, newest first."""
    cases = list_cases(store, status, limit=10_000_000)
    if user.role not in FULL_VIEW_ROLES:
        access = {r["case_id"]: Visibility(r["owner"], json.loads(r["team"]), json.loads(r["roles"]),
                                           json.loads(r["shared"]))
                  for r in store.query("SELECT case_id, owner, team, roles, shared FROM wb_case_access")}
        cases = [c for c in cases if can_open(access.get(c.id) or Visibility(c.created_by or ""), user)]
    return cases[offset:offset + limit]


def open_case(store: Store, user: User, case_id: str, redactor: Redactor,
              redactors: Callable[[str], Redactor]) -> tuple[Case, Redactor]:
    """The case and the redactor of ``user``'s view of it (``redactor`` is their role's, ``redactors`` gives the
    full view's); ``LookupError`` when it does not exist or is not theirs to open."""
    case = store.get(Case, case_id)
    vis = visibility(store, case) if case is not None else None
    if case is None or vis is None or not can_open(vis, user):
        raise LookupError(f"no case {case_id!r}")
    if full_view(vis, user):
        return case, redactors(audience_for_role("investigator"))
    return case, redactor


def item_ref(redactor: Redactor, ref: str) -> str:
    """An item reference as the store knows it: accounts and traders are named by pseudonym in a redacted view
    (``LookupError`` when the pseudonym names nothing)."""
    kind, _, key = ref.strip().partition(":")
    if kind in ("account", "trader"):
        real = redactor.unmask(key)
        if real is None:
            raise LookupError(f"item {ref!r} does not exist")
        return f"{kind}:{real}"
    return ref.strip()
