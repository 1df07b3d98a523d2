"""The redaction policy: loaded from YAML data, validated on load, applied to plain records."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

ACTIONS = ("keep", "hash", "scrub", "drop")
HASH_PREFIX = "h:"
_HASHED = re.compile(r"^h:[0-9a-f]{16}$")


class PolicyError(ValueError):
    """The policy file is wrong; the message names the file and the entry."""


@dataclass(frozen=True)
class FieldRule:
    """The class of one field, fixed or chosen by another field's value (``by``)."""

    cls: str | None = None
    by: str | None = None
    by_classes: dict[str, str] = field(default_factory=dict)

    def class_for(self, record: dict[str, Any]) -> str | None:
        if self.by is None:
            return self.cls
        return self.by_classes.get(str(record.get(self.by)))


@dataclass(frozen=True)
class Audience:
    name: str
    label: str
    tlp: str
    actions: dict[str, str]


@dataclass(frozen=True)
class Policy:
    """Audiences, their action per class, the class of every field, roles and scrub patterns."""

    source: str
    version: int
    classes: dict[str, str]
    audiences: dict[str, Audience]
    fields: dict[str, dict[str, FieldRule]]
    roles: dict[str, str]
    scrub: dict[str, re.Pattern[str]]

    def audience(self, name: str) -> Audience:
        if name not in self.audiences:
            raise ValueError(f"unknown audience {name!r}; the policy {self.source} has: {', '.join(self.audiences)}")
        return self.audiences[name]

    def action(self, audience: str, kind: str, name: str, record: dict[str, Any]) -> str:
        """What ``audience`` gets of field ``name`` of a ``kind`` record (unlisted fields: drop)."""
        rule = self.fields.get(kind, {}).get(name)
        cls = rule.class_for(record) if rule else None
        return self.audience(audience).actions[cls] if cls else "drop"


def _fail(source: str, entry: str, problem: str) -> PolicyError:
    return PolicyError(f"{source}: {entry}: {problem}")


def _field_rule(source: str, entry: str, value: Any, classes: dict[str, str]) -> FieldRule:
    if isinstance(value, str):
        if value not in classes:
            raise _fail(source, entry, f"unknown class {value!r}")
        return FieldRule(cls=value)
    if isinstance(value, dict) and set(value) == {"by", "classes"} and isinstance(value["classes"], dict):
        for key, cls in value["classes"].items():
            if cls not in classes:
                raise _fail(source, f"{entry}.classes.{key}", f"unknown class {cls!r}")
        return FieldRule(by=str(value["by"]), by_classes={str(k): str(v) for k, v in value["classes"].items()})
    raise _fail(source, entry, "expected a class name or {by: FIELD, classes: {VALUE: CLASS}}")


def parse_policy(data: Any, source: str) -> Policy:
    """Validate the policy document ``data`` (from ``source``) and build the :class:`Policy`."""
    if not isinstance(data, dict):
        raise _fail(source, "(top)", "expected a mapping")
    for key in ("version", "classes", "audiences", "fields", "roles", "scrub"):
        if key not in data:
            raise _fail(source, key, "missing")
    classes = {str(k): str(v) for k, v in data["classes"].items()}
    audiences = {}
    for name, spec in data["audiences"].items():
        actions = spec.get("actions") or {}
        for cls in classes:
            if cls not in actions:
                raise _fail(source, f"audiences.{name}.actions", f"no action for class {cls!r}")
        for cls, action in actions.items():
            if cls not in classes:
                raise _fail(source, f"audiences.{name}.actions.{cls}", "unknown class")
            if action not in ACTIONS:
                raise _fail(source, f"audiences.{name}.actions.{cls}", f"action {action!r} is not one of {ACTIONS}")
        audiences[name] = Audience(name, str(spec.get("label", name)), str(spec.get("tlp", "red")), dict(actions))
    fields = {kind: {name: _field_rule(source, f"fields.{kind}.{name}", v, classes) for name, v in spec.items()}
              for kind, spec in data["fields"].items()}
    for role, audience in data["roles"].items():
        if audience not in audiences:
            raise _fail(source, f"roles.{role}", f"unknown audience {audience!r}")
    scrub = {}
    for name, pattern in data["scrub"].items():
        try:
            scrub[name] = re.compile(pattern)
        except re.error as exc:
            raise _fail(source, f"scrub.{name}", f"bad regular expression: {exc}") from exc
    return Policy(source, int(data["version"]), classes, audiences, fields, dict(data["roles"]), scrub)


@lru_cache(maxsize=8)
def _load(path: str | None) -> Policy:
    if path is None:
        ref = resources.files("wildtrace.share") / "data" / "redaction.yaml"
        return parse_policy(yaml.safe_load(ref.read_text(encoding="utf-8")), "wildtrace/share/data/redaction.yaml")
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise PolicyError(f"{path}: not valid YAML: {exc}") from exc
    return parse_policy(data, path)


def load_policy(path: str | Path | None = None) -> Policy:
    """The redaction policy: ``path``, else the ``redaction_policy`` setting, else the packaged one."""
    from wildtrace.config import load_settings

    chosen = path or load_settings().redaction_policy or None
    return _load(str(chosen) if chosen else None)


def audience_for_role(role: str, policy: Policy | None = None) -> str:
    """The audience whose view a workbench role gets; unknown roles get ``public``."""
    policy = policy or load_policy()
    return policy.roles.get(role, "public")


def share_key(secret: str, data_dir: str | Path) -> bytes:
    """The installation's pseudonymisation key: the ``share_key`` setting, else ``<data_dir>/share.key``
    (created once, readable by its owner only)."""
    if secret:
        return secret.encode()
    path = Path(data_dir) / "share.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32), encoding="ascii")
        path.chmod(0o600)
    return path.read_text(encoding="ascii").strip().encode()


def pseudonym(value: Any, key: bytes) -> str:
    """``h:`` + 16 hex digits of HMAC-SHA256(key, value); a pseudonym stays as it is."""
    text = str(value)
    if _HASHED.match(text):
        return text
    return HASH_PREFIX + hmac.new(key, text.encode(), hashlib.sha256).hexdigest()[:16]


class Redactor:
    """Applies one audience's view to records, sharing the key and the known sensitive values of a batch.

    ``known`` are values that must never reach a narrow audience even inside free text (the identifiers,
    names and payment accounts of the records being exported).
    """

    def __init__(self, audience: str, policy: Policy | None = None, key: bytes = b"",
                 known: Iterable[str] = ()) -> None:
        self.policy = policy or load_policy()
        self.audience = self.policy.audience(audience).name
        self.key = key
        values = sorted({v.strip() for v in known if v and len(v.strip()) >= 4}, key=len, reverse=True)
        self._known = re.compile("|".join(re.escape(v) for v in values), re.IGNORECASE) if values else None

    def scrub(self, text: str) -> str:
        """Free text with contacts, card numbers and known sensitive values replaced by placeholders."""
        out = unicodedata.normalize("NFKC", text)
        if self._known is not None:
            out = self._known.sub("[redacted]", out)
        for name, pattern in self.policy.scrub.items():
            out = pattern.sub(f"[{name}]", out)
        return out

    def value(self, action: str, value: Any) -> Any:
        if value is None or action == "keep":
            return value
        if isinstance(value, list):
            return [self.value(action, v) for v in value]
        if action == "hash":
            return pseudonym(value, self.key)
        if action == "scrub":
            return self.scrub(str(value))
        raise ValueError(f"action {action!r} has no value")

    def record(self, kind: str, record: dict[str, Any]) -> dict[str, Any]:
        """``record`` (a ``kind`` record: account, post, transaction...) as this audience may see it."""
        if kind not in self.policy.fields:
            raise ValueError(f"record kind {kind!r} is not in the redaction policy {self.policy.source}")
        out = {}
        for name, value in record.items():
            action = self.policy.action(self.audience, kind, name, record)
            if action != "drop":
                out[name] = self.value(action, value)
        return out

    def field(self, kind: str, name: str, value: Any, record: dict[str, Any] | None = None) -> Any:
        """One field's value for this audience, or ``None`` when it is dropped."""
        action = self.policy.action(self.audience, kind, name, record or {})
        return None if action == "drop" else self.value(action, value)


def redact_record(record: dict[str, Any], kind: str, audience: str, policy: Policy | None = None,
                  key: bytes = b"", known: Iterable[str] = ()) -> dict[str, Any]:
    """One record as ``audience`` may see it (see :class:`Redactor` for batches)."""
    return Redactor(audience, policy, key, known).record(kind, record)
