"""FollowTheMoney entities (for Aleph / OpenAleph) from an export dataset, built with the ``followthemoney`` library.

Traders are ``Person``; accounts ``UserAccount`` owned by them; posts ``Message`` sent from the account;
payment accounts ``BankAccount``; transactions ``Payment``; linking's evidence ``Similar`` (confidence and
criteria). Times are UTC. Ids are derived from the (redacted) keys, so the same record gives the same entity every time.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from followthemoney import model
from followthemoney.exc import InvalidData
from followthemoney.proxy import EntityProxy

from wildtrace.share._dataset import Dataset

PREFIX = "wt"


def _entity(schema: str, *key: Any) -> EntityProxy:
    proxy = model.make_entity(schema)
    proxy.make_id(PREFIX, schema, *key)
    return proxy


def _add(proxy: EntityProxy, prop: str, value: Any) -> None:
    if value is None or value == "" or value == []:
        return
    for v in value if isinstance(value, list) else [value]:
        proxy.add(prop, str(v), quiet=True)


def _utc(value: Any) -> str | None:
    """An ISO time as UTC without offset (FtM dates carry none)."""
    if not value:
        return None
    t = datetime.fromisoformat(str(value))
    return (t.astimezone(UTC) if t.tzinfo else t).strftime("%Y-%m-%dT%H:%M:%S")


def _person(trader_id: str) -> EntityProxy:
    person = _entity("Person", "trader", trader_id)
    person.add("name", f"trader {trader_id}")
    return person


def _holder(account: str, kyc: dict[str, Any]) -> EntityProxy:
    """The holder of a payment account: the KYC name and phone when the audience may see them."""
    holder = _entity("LegalEntity", "holder", account)
    holder.add("name", kyc.get("holder_name") or f"holder of {account}")
    _add(holder, "phone", kyc.get("holder_phone") if not str(kyc.get("holder_phone", "")).startswith("h:") else None)
    return holder


def to_ftm(data: Dataset) -> list[EntityProxy]:
    """Every record of ``data`` as FtM entities (one entity per id, properties merged)."""
    out: dict[str, EntityProxy] = {}

    def emit(proxy: EntityProxy) -> EntityProxy:
        key = str(proxy.id)
        if key in out:
            out[key].merge(proxy)
        else:
            out[key] = proxy
        return out[key]

    owners: dict[str, EntityProxy] = {}
    for t in data["trader"]:
        person = emit(_person(t["trader_id"]))
        _add(person, "notes", f"category {t.get('category') or 'unclassified'}; status {t.get('status')}; "
                              f"{t.get('n_flagged')} flagged of {t.get('n_posts')} posts")
    accounts: dict[str, EntityProxy] = {}
    for a in data["account"]:
        ua = emit(_entity("UserAccount", a["id"]))
        ua.add("username", a.get("handle") or a["id"])
        _add(ua, "service", a.get("platform"))
        _add(ua, "name", a.get("display_name"))
        _add(ua, "description", a.get("bio"))
        owner = emit(_person(a["trader_id"])) if a.get("trader_id") else emit(_person(a["id"]))
        ua.add("owner", owner.id)
        owners[a["id"]] = owner
        accounts[a["id"]] = ua
    for i in data["identifier"]:  # a phone or e-mail the audience sees as it is in its property, else in notes
        holder = accounts.get(i.get("account_id") or "")
        if holder is None or i.get("value") in (None, ""):
            continue
        if i["kind"] in ("phone", "email") and not str(i["value"]).startswith("h:"):
            _add(holder, i["kind"], i["value"])
        else:
            _add(holder, "notes", f"{i['kind']}: {i['value']}")
    for p in data["post"]:
        msg = emit(_entity("Message", p["id"]))
        msg.add("bodyText", p.get("text") or "(no text)")
        _add(msg, "recordId", p["id"])
        sender: EntityProxy | None = owners.get(p.get("account_id") or "")
        if sender is None:
            sender = emit(_person(p.get("account_id") or f"unknown poster of {p['id']}"))
        msg.add("sender", sender.id)
        if p.get("account_id") in accounts:
            msg.add("senderAccount", accounts[p["account_id"]].id)
        _add(msg, "publishedAt", _utc(p.get("posted_at")))
        _add(msg, "sourceUrl", p.get("url"))
        _add(msg, "language", p.get("language"))
        _add(msg, "keywords", (p.get("code_words") or []) + (p.get("species") or []) + (p.get("products") or []))
        _add(msg, "title", f"{p.get('tier', 'unscreened')} | {p.get('platform')} | {p.get('product_type') or ''}")
        if p.get("price_per_gram_cny") is not None:
            _add(msg, "notes", f"price per gram: {p['price_per_gram_cny']} CNY")
    kyc = {k["payment_account"]: k for k in data["payment_account"] if "payment_account" in k}
    for t in data["transaction"]:  # every payment the audience receives (parties it may not see: "not disclosed")
        pay = emit(_entity("Payment", t["id"]))
        for side, party, account in (("payer", "payer", "payerAccount"),
                                     ("payee", "beneficiary", "beneficiaryAccount")):
            number = t.get(side)
            if number is None:
                unknown = emit(_entity("LegalEntity", "undisclosed", side, pay.id))
                unknown.add("name", f"{side} not disclosed")
                pay.add(party, unknown.id)
                continue
            acc = emit(_entity("BankAccount", number))
            acc.add("accountNumber", number)
            _add(acc, "bankName", kyc.get(number, {}).get("bank"))
            pay.add(party, emit(_holder(number, kyc.get(number, {}))).id)
            pay.add(account, acc.id)
        _add(pay, "amount", t.get("amount"))
        _add(pay, "currency", t.get("currency"))
        _add(pay, "date", _utc(t.get("time")))
        _add(pay, "purpose", t.get("memo"))
        _add(pay, "transactionNumber", t["id"])
        _add(pay, "programme", t.get("channel"))
    for link in data["link"]:
        if link["account_l"] not in accounts or link["account_r"] not in accounts:
            continue
        sim = emit(_entity("Similar", link["account_l"], link["account_r"], link.get("source")))
        sim.add("candidate", accounts[link["account_l"]].id)
        sim.add("match", accounts[link["account_r"]].id)
        _add(sim, "confidenceScore", link.get("match_probability") if link.get("match_probability") is not None
             else 1.0)
        _add(sim, "criteria", [json.dumps(r, ensure_ascii=False, sort_keys=True) if not isinstance(r, str) else r
                               for r in link.get("reasons") or []])
        _add(sim, "matcher", f"wildtrace link ({link.get('source')})")
    return sorted(out.values(), key=lambda e: e.id or "")


def write_ftm(entities: Iterable[EntityProxy], path: Any) -> int:
    """Write entities as FtM JSON Lines; return how many."""
    n = 0
    with open(path, "w", encoding="utf-8") as fh:
        for e in entities:
            fh.write(json.dumps(e.to_dict(), ensure_ascii=False, sort_keys=True) + "\n")
            n += 1
    return n


def read_ftm(lines: Iterable[str]) -> Iterator[EntityProxy]:
    """Parse FtM JSON Lines, naming the line of a bad entity."""
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            yield model.get_proxy(json.loads(line), cleaned=False)
        except (json.JSONDecodeError, InvalidData, KeyError, TypeError) as exc:
            raise ValueError(f"line {number}: not a FollowTheMoney entity: {exc}") from exc


def validate_ftm(entities: list[EntityProxy]) -> list[str]:
    """Problems of ``entities`` against the model: invalid values, missing required properties, dangling references."""
    problems, ids = [], {e.id for e in entities}
    for e in entities:
        data = e.to_dict()
        try:
            e.schema.validate(data)  # type: ignore[arg-type]  # to_dict() is the validator's input
        except InvalidData as exc:
            problems.append(f"{e.schema.name} {e.id}: {exc}")
        for required in e.schema.required:
            if not e.get(required):
                problems.append(f"{e.schema.name} {e.id}: required property {required!r} is missing")
        for prop, value in e.itervalues():
            if prop.type.name == "entity" and value not in ids:
                problems.append(f"{e.schema.name} {e.id}: {prop.name} refers to {value}, not in the export")
    return problems
