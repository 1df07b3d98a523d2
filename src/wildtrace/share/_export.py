"""Exports: the dataset for one audience written as FollowTheMoney, STIX 2.1 or CSV, checked before it is written.

Entities imported from partners are passed on unchanged only to an audience that sees everything (we cannot
redact what we hold only as someone else's entity); an imported entity wins over one we derive with the same id.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import stix2
from followthemoney import model
from followthemoney.proxy import EntityProxy

from wildtrace.share._csv import write_csv
from wildtrace.share._dataset import Dataset, ExportOptions, collect
from wildtrace.share._ftm import to_ftm, validate_ftm, write_ftm
from wildtrace.share._import import imported
from wildtrace.share._policy import load_policy
from wildtrace.share._stix import bundle_of, read_stix, to_stix
from wildtrace.store import Store

FORMATS = ("ftm", "stix", "csv")


def _sees_everything(audience: str) -> bool:
    return all(a == "keep" for a in load_policy().audience(audience).actions.values())


def _referenced(entities: list[EntityProxy]) -> set[str]:
    return {v for e in entities for p, v in e.itervalues() if p.type.name == "entity"}


def ftm_entities(store: Store, data: Dataset) -> list[EntityProxy]:
    """Derived entities, plus imported ones for an audience that sees everything (imported win; orphans pruned)."""
    derived = to_ftm(data)
    if not _sees_everything(data.audience):
        return derived
    theirs = {d["id"]: model.get_proxy(d, cleaned=False) for d in imported(store, "ftm")}
    merged = [e for e in derived if e.id not in theirs] + list(theirs.values())
    used = _referenced(merged)
    orphans = {e.id for e in derived if e.id not in theirs and e.schema.name in ("Person", "LegalEntity")
               and e.id not in used}
    return sorted((e for e in merged if e.id not in orphans), key=lambda e: e.id or "")


def stix_bundle(store: Store, data: Dataset) -> stix2.Bundle:
    """The derived bundle, plus imported objects for an audience that sees everything (imported win)."""
    bundle = to_stix(data)
    if not _sees_everything(data.audience):
        return bundle
    theirs = {o["id"]: o for o in imported(store, "stix")}
    if not theirs:
        return bundle
    objects = {o.id: o for o in bundle.objects}
    objects.update({i: stix2.parse(o, allow_custom=False) for i, o in theirs.items()})
    return bundle_of(objects, data.audience)


def export(store: Store, fmt: str, out: str | Path, options: ExportOptions, key: bytes = b"") -> dict[str, Any]:
    """Write the export for ``options.audience`` to ``out`` (a file; a directory for CSV); return a summary."""
    if fmt not in FORMATS:
        raise ValueError(f"--format {fmt!r}: expected one of {', '.join(FORMATS)}")
    data = collect(store, options, key)
    out = Path(out)
    summary: dict[str, Any] = {"format": fmt, "audience": data.audience, "tlp": data.tlp, "out": str(out),
                               "records": {k: len(v) for k, v in data.records.items() if v}}
    if fmt == "csv":
        summary["files"] = [str(p) for p in write_csv(data, out)]
        return summary
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "ftm":
        entities = ftm_entities(store, data)
        problems = validate_ftm(entities)
        if problems:
            raise ValueError(f"the FtM export does not validate ({len(problems)} problems), first: {problems[0]}")
        summary["entities"] = write_ftm(entities, out)
    else:
        bundle = stix_bundle(store, data)
        # stix2's pretty printer sorts properties with a search over the whole bundle for every property
        # (quadratic: minutes for a few thousand objects); the plain serialisation is indented by json instead
        doc = json.loads(bundle.serialize(ensure_ascii=False))
        text = json.dumps(doc, indent=4, ensure_ascii=False)
        read_stix(text)
        out.write_text(text, encoding="utf-8")
        summary["entities"] = len(bundle.objects)
        summary["types"] = dict(sorted(Counter(o["type"] for o in doc["objects"]).items()))
    return summary
