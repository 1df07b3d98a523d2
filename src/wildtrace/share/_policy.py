"""The redaction policy: loaded from YAML data, validated on load, applied to plain records."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

ACTIONS = ("keep", "hash", "scrub", "drop")


class PolicyError(ValueError):
    """The policy file is wrong; the message names the file and the entry."""


@dataclass(frozen=True)
class FieldRule:
    """The class of one field, fixed or chosen by another field's value (``by``), or by how the value itself
    begins (``prefixes``: an alert's subject ``wallet:...`` is a payment account whatever its kind says).
    ``pseudonym_of`` names the fields of the same record holding what this one is another name of (an account's
    handle names the account ``id``; an identifier's ``raw`` text its ``value``): hashed, it shows their pseudonym.
    ``qualified`` (by the ``by`` field's value) names the field whose class the part after ``KIND:`` takes (an audit
    event's ``phone:+86...`` is the phone, hashed as the identifier is, shown ``phone:<its pseudonym>``)."""

    cls: str | None = None
    by: str | None = None
    by_classes: dict[str, str] = field(default_factory=dict)
    prefixes: dict[str, str] = field(default_factory=dict)
    pseudonym_of: tuple[str, ...] = ()
    qualified: dict[str, tuple[str, str]] = field(default_factory=dict)

    def class_for(self, record: dict[str, Any], value: Any = None) -> str | None:
        if isinstance(value, str):
            for prefix, cls in self.prefixes.items():
                if value.startswith(prefix):
                    return cls
        if self.by is None:
            return self.cls
        return self.by_classes.get(str(record.get(self.by)))


@dataclass(frozen=True)
class Audience:
    name: str
    label: str
    tlp: str
    actions: dict[str, str]
    withhold: frozenset[str] = frozenset()  # record kinds this audience receives none of


@dataclass(frozen=True)
class TextPattern:
    """A pattern of free text that is redacted as ``cls`` (``[name]`` in its place)."""

    name: str
    cls: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class Policy:
    """Audiences, their action per class, the class of every field, roles and how free text is redacted."""

    source: str
    version: int
    classes: dict[str, str]
    audiences: dict[str, Audience]
    fields: dict[str, dict[str, FieldRule]]
    roles: dict[str, str]
    nested: dict[str, str]
    text_kinds: dict[str, str]
    text_patterns: tuple[TextPattern, ...]

    def audience(self, name: str) -> Audience:
        if name not in self.audiences:
            raise ValueError(f"unknown audience {name!r}; the policy {self.source} has: {', '.join(self.audiences)}")
        return self.audiences[name]

    def rule(self, kind: str, name: str) -> FieldRule | None:
        """The rule of field ``name`` of a ``kind`` record (None: not listed)."""
        return self.fields.get(kind, {}).get(name)

    def class_of(self, kind: str, name: str, record: dict[str, Any]) -> str | None:
        """The class of field ``name`` of a ``kind`` record (None: not listed)."""
        rule = self.rule(kind, name)
        if rule is None:
            return None
        if rule.qualified and (qualified := self._qualified(rule, name, record)):
            return qualified[1]
        return rule.class_for(record, record.get(name))

    def qualified(self, kind: str, name: str, record: dict[str, Any]) -> tuple[str, str] | None:
        """(``KIND:``, class of the rest) when field ``name`` of a ``kind`` record holds a ``KIND:VALUE`` name whose
        VALUE the policy classes as another field (its rule's ``qualified``), else None."""
        rule = self.rule(kind, name)
        return self._qualified(rule, name, record) if rule is not None and rule.qualified else None

    def _qualified(self, rule: FieldRule, name: str, record: dict[str, Any]) -> tuple[str, str] | None:
        value = record.get(name)
        if rule.by is None or not isinstance(value, str):
            return None
        target = rule.qualified.get(str(record.get(rule.by)))
        head, colon, _ = value.partition(":")
        if target is None or not colon or (of := self.rule(*target)) is None or of.by is None:
            return None
        cls = of.class_for({of.by: head})
        return (head + colon, cls) if cls else None

    def action(self, audience: str, kind: str, name: str, record: dict[str, Any]) -> str:
        """What ``audience`` gets of field ``name`` of a ``kind`` record (unlisted fields: drop)."""
        cls = self.class_of(kind, name, record)
        return self.audience(audience).actions[cls] if cls else "drop"


def _fail(source: str, entry: str, problem: str) -> PolicyError:
    return PolicyError(f"{source}: {entry}: {problem}")


def _pseudonym_of(source: str, entry: str, spec: dict[str, Any]) -> tuple[str, ...]:
    """The fields a field is another name of (none when ``pseudonym_of`` is not given)."""
    value = spec.get("pseudonym_of", [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise _fail(source, f"{entry}.pseudonym_of", "expected a list of field names")
    return tuple(value)


def _field_rule(source: str, entry: str, value: Any, classes: dict[str, str]) -> FieldRule:
    if isinstance(value, str):
        value = {"class": value}
    keys = set(value) if isinstance(value, dict) else set()
    if isinstance(value, dict) and "class" in value and keys <= {"class", "pseudonym_of"}:
        if value["class"] not in classes:
            raise _fail(source, entry, f"unknown class {value['class']!r}")
        return FieldRule(cls=value["class"], pseudonym_of=_pseudonym_of(source, entry, value))
    if isinstance(value, dict) and {"by", "classes"} <= keys <= {"by", "classes", "prefixes", "pseudonym_of",
                                                                 "qualified"} \
            and all(isinstance(value.get(p, {}), dict) for p in ("classes", "prefixes", "qualified")):
        for part in ("classes", "prefixes"):
            for key, cls in value.get(part, {}).items():
                if cls not in classes:
                    raise _fail(source, f"{entry}.{part}.{key}", f"unknown class {cls!r}")
        qualified = {}
        for key, target in value.get("qualified", {}).items():
            kind, dot, name = str(target).partition(".")
            if not dot or not kind or not name:
                raise _fail(source, f"{entry}.qualified.{key}", f"expected KIND.FIELD, not {target!r}")
            qualified[str(key)] = (kind, name)
        return FieldRule(by=str(value["by"]), by_classes={str(k): str(v) for k, v in value["classes"].items()},
                         prefixes={str(k): str(v) for k, v in value.get("prefixes", {}).items()},
                         pseudonym_of=_pseudonym_of(source, entry, value), qualified=qualified)
    raise _fail(source, entry, "expected a class name, {class: CLASS, pseudonym_of: [FIELD, ...]} or "
                               "{by: FIELD, classes: {VALUE: CLASS}, prefixes: {...}, pseudonym_of: [...], "
                               "qualified: {VALUE: KIND.FIELD}}")


def parse_policy(data: Any, source: str) -> Policy:
    """Validate the policy document ``data`` (from ``source``) and build the :class:`Policy`."""
    if not isinstance(data, dict):
        raise _fail(source, "(top)", "expected a mapping")
    for key in ("version", "classes", "audiences", "fields", "roles", "text"):
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
        withhold = spec.get("withhold") or []
        if not isinstance(withhold, list) or not all(isinstance(k, str) for k in withhold):
            raise _fail(source, f"audiences.{name}.withhold", "expected a list of record kinds")
        audiences[name] = Audience(name, str(spec.get("label", name)), str(spec.get("tlp", "red")), dict(actions),
                                   frozenset(withhold))
    fields = {kind: {name: _field_rule(source, f"fields.{kind}.{name}", v, classes) for name, v in spec.items()}
              for kind, spec in data["fields"].items()}
    for audience in audiences.values():
        if unknown := sorted(audience.withhold - set(fields)):
            raise _fail(source, f"audiences.{audience.name}.withhold", f"unknown record kind {unknown[0]!r}")
    for kind, rules in fields.items():
        for name, rule in rules.items():
            for key, target in rule.qualified.items():
                of = fields.get(target[0], {}).get(target[1])
                if of is None or of.by is None:
                    raise _fail(source, f"fields.{kind}.{name}.qualified.{key}",
                                f"{'.'.join(target)} is not a field whose class is chosen by another (by:)")
    for role, audience in data["roles"].items():
        if audience not in audiences:
            raise _fail(source, f"roles.{role}", f"unknown audience {audience!r}")
    nested = {str(k): str(v) for k, v in (data.get("nested") or {}).items()}
    for key, kind in nested.items():
        if kind not in fields:
            raise _fail(source, f"nested.{key}", f"unknown record kind {kind!r}")
    text = data["text"]
    if not isinstance(text, dict) or not isinstance(text.get("kinds"), dict):
        raise _fail(source, "text", "expected {kinds: {KIND: CLASS}, patterns: {NAME: {class:, pattern:}}}")
    for kind, cls in text["kinds"].items():
        if cls not in classes:
            raise _fail(source, f"text.kinds.{kind}", f"unknown class {cls!r}")
    patterns = []
    for name, spec in (text.get("patterns") or {}).items():
        if not isinstance(spec, dict) or spec.get("class") not in classes:
            raise _fail(source, f"text.patterns.{name}", "expected {class: CLASS, pattern: REGEX} with a known class")
        try:
            patterns.append(TextPattern(str(name), spec["class"], re.compile(str(spec["pattern"]))))
        except (re.error, KeyError) as exc:
            raise _fail(source, f"text.patterns.{name}", f"bad regular expression: {exc}") from exc
    return Policy(source, int(data["version"]), classes, audiences, fields, dict(data["roles"]), nested,
                  {str(k): str(v) for k, v in text["kinds"].items()}, tuple(patterns))


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
