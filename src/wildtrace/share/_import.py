"""Import a partner's FollowTheMoney entities or STIX bundle: known records merge by key, nothing is duplicated.

Accounts, posts, payments (FtM) and contact identifiers become the store's own records (skipped when already
known). Everything that has no table of its own (persons, links, indicators, sightings, markings) is kept as
it came in ``share_entities`` and passed on unchanged in later exports.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from followthemoney.proxy import EntityProxy

from wildtrace.model import (
    Account,
    AccountIdentifier,
    Entity,
    IdentifierKind,
    Platform,
    Post,
    Transaction,
    content_hash,
)
from wildtrace.share._ftm import read_ftm
from wildtrace.share._stix import IDENTIFIERS_SOURCE, PAYMENT_SOURCE, read_stix
from wildtrace.store import Store

SHARE_COLS = ["format", "id", "kind", "source", "payload", "imported_at"]


@dataclass
class ImportResult:
    format: str
    source: str
    entities: int = 0
    new: dict[str, int] = field(default_factory=dict)
    known: dict[str, int] = field(default_factory=dict)
    kept: int = 0
    errors: list[str] = field(default_factory=list)


def _when(value: Any) -> datetime | None:
    if not value:
        return None
    t = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def _first(proxy: EntityProxy, prop: str) -> str | None:
    return proxy.first(prop, quiet=True)


def _from_ftm(entities: list[EntityProxy], source: str, errors: list[str]) -> list[Entity]:
    by_id = {e.id: e for e in entities}
    accounts: dict[str, Account] = {}
    out: list[Entity] = []
    for e in entities:
        if e.schema.name != "UserAccount":
            continue
        platform, handle = _first(e, "service") or "unknown", _first(e, "username") or str(e.id)
        account = Account(id=Account.make_id(platform, handle), platform=platform, handle=handle,
                          display_name=_first(e, "name"), bio=_first(e, "description"))
        accounts[str(e.id)] = account
        out += [Platform(id=platform, name=platform), account]
        for kind in ("phone", "email"):
            out += [AccountIdentifier(account_id=account.id, kind=IdentifierKind(kind), value=v, raw=v,
                                      seen_in="import", seen_id=source) for v in e.get(kind, quiet=True)]
    for e in entities:
        try:
            if e.schema.name == "Message":
                sender: Account | None = accounts.get(_first(e, "senderAccount") or "")
                text = _first(e, "bodyText") or ""
                out.append(Post(id=_first(e, "recordId") or str(e.id),
                                platform=sender.platform if sender else "unknown",
                                account_id=sender.id if sender else None, text=text,
                                posted_at=_when(_first(e, "publishedAt")), url=_first(e, "sourceUrl"),
                                language=_first(e, "language"), source=f"import:{source}",
                                content_hash=content_hash(text)))
            elif e.schema.name == "Payment":
                def number(prop: str, entity: EntityProxy = e) -> str:
                    acc = by_id.get(_first(entity, prop) or "")
                    return (_first(acc, "accountNumber") if acc else None) or _first(entity, prop) or "unknown"
                out.append(Transaction(id=_first(e, "transactionNumber") or str(e.id), payer=number("payerAccount"),
                                       payee=number("beneficiaryAccount"), amount=float(_first(e, "amount") or 0),
                                       currency=_first(e, "currency") or "CNY", time=_when(_first(e, "date")),
                                       channel=_first(e, "programme"), memo=_first(e, "purpose"),
                                       source=f"import:{source}"))
        except ValueError as exc:
            errors.append(f"{e.schema.name} {e.id}: {exc}")
    return out


def _from_stix(objects: list[Any], source: str, errors: list[str]) -> list[Entity]:
    accounts: dict[str, Account] = {}
    out: list[Entity] = []
    for o in objects:
        if o.type == "user-account":
            platform = o.get("account_type") or "unknown"
            account = Account(id=Account.make_id(platform, o.user_id), platform=platform, handle=o.user_id,
                              display_name=o.get("display_name"))
            accounts[o.id] = account
            out += [Platform(id=platform, name=platform), account]
    for o in objects:
        if o.type != "note" or any(r.get("source_name") in (PAYMENT_SOURCE, IDENTIFIERS_SOURCE)
                                   for r in o.get("external_references", [])):
            continue  # a payment's or an account's identifiers' note is kept as it came (facts as text), not a post
        refs = [accounts[r] for r in o.object_refs if r in accounts]
        ext = [r.external_id for r in o.get("external_references", []) if r.get("source_name") == "wildtrace"]
        try:
            out.append(Post(id=ext[0] if ext else o.id, platform=refs[0].platform if refs else "unknown",
                            account_id=refs[0].id if refs else None, text=o.content, posted_at=o.created,
                            source=f"import:{source}", content_hash=content_hash(o.content)))
        except ValueError as exc:
            errors.append(f"note {o.id}: {exc}")
    return out


def _store(store: Store, records: list[Entity], result: ImportResult) -> None:
    groups: dict[str, list[Entity]] = {}
    for r in records:
        groups.setdefault(type(r).__table__, []).append(r)
    for table, items in groups.items():
        unique = list({r.key(): r for r in items}.values())
        new = store.add(unique)
        result.new[table], result.known[table] = new, len(unique) - new


def import_file(store: Store, path: str | Path) -> ImportResult:
    """Import ``path``: a STIX 2.1 bundle (JSON) or FollowTheMoney entities (JSON Lines)."""
    path = Path(path)
    if path.is_dir():
        raise ValueError("is a folder: import reads one FollowTheMoney JSON Lines file or one STIX 2.1 bundle "
                         "(a CSV export is for people and spreadsheets, not for import)")
    if not path.is_file():
        raise ValueError("no such file")
    text = path.read_text(encoding="utf-8")
    head = text.lstrip()[:200]
    is_stix = head.startswith("{") and '"type"' in head and '"bundle"' in text[:2000] and "\n{" not in text.strip()
    result = ImportResult("stix" if is_stix else "ftm", path.name)
    now = datetime.now(UTC)
    if is_stix:
        objects = list(read_stix(text).objects)
        records = _from_stix(objects, path.name, result.errors)
        kept = [{"format": "stix", "id": o.id, "kind": o.type, "source": path.name, "payload": o.serialize(),
                 "imported_at": now} for o in objects]
    else:
        entities = list(read_ftm(text.splitlines()))
        records = _from_ftm(entities, path.name, result.errors)
        kept = [{"format": "ftm", "id": e.id, "kind": e.schema.name, "source": path.name,
                 "payload": json.dumps(e.to_dict(), ensure_ascii=False, sort_keys=True), "imported_at": now}
                for e in entities]
    result.entities = len(kept)
    with store.transaction():
        _store(store, records, result)
        result.kept = store.insert_rows("share_entities", kept, SHARE_COLS, ["format", "id"])
    return result


def imported(store: Store, fmt: str) -> list[dict[str, Any]]:
    """Entities imported earlier in ``fmt`` (ftm or stix), as they came."""
    return [json.loads(r["payload"]) for r in
            store.query("SELECT payload FROM share_entities WHERE format = ? ORDER BY id", [fmt])]
