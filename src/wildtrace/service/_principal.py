"""Who is asking: a user, how they came (``session`` or ``token``), and the redactor of their role's audience.
Every record the service hands to a page or an API answer goes through ``present`` (the ONE redaction path,
``wildtrace.share``), every view or change is recorded with ``audit``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wildtrace.service._audit import record
from wildtrace.service._users import User
from wildtrace.share import Redactor
from wildtrace.store import Store


@dataclass(frozen=True)
class Principal:
    """Who is asking, and how: ``session`` (cookie; forms need the CSRF token) or ``token`` (API token)."""

    user: User
    via: str
    redactor: Redactor
    csrf: str = ""

    @property
    def name(self) -> str:
        return self.user.username

    @property
    def audience(self) -> str:
        return self.redactor.audience

    @property
    def sees_everything(self) -> bool:
        return self.redactor.open

    def present(self, data: Any, kind: str | None = None) -> Any:
        """``data`` (a ``kind`` record of the redaction policy, or a document of them) as this user may see it."""
        return self.redactor.document(data, kind)

    def lookup(self, ref: str) -> str | None:
        """The store id this user means by ``ref`` (an account or trader id; redacted roles must give its
        pseudonym: a real id answers as unknown, so no one learns a pseudonym from a value they know)."""
        return self.redactor.unmask(ref)

    def audit(self, store: Store, action: str, object_kind: str = "", object_id: str = "", **detail: Any) -> None:
        record(store, self.name, action, object_kind, object_id,
               {**detail, "role": self.user.role.value, "audience": self.audience})
