"""STIX 2.1 bundles (for MISP and OpenCTI) from an export dataset, built with ``stix2``.

Accounts are ``user-account`` observables (post links ``url``, e-mails ``email-addr``); traders and platforms
``identity``; code words ``indicator`` objects (PCRE patterns) with a ``sighting`` per word; posts ``note``
objects on their account; an account's identifiers a ``note`` labelled ``identifiers`` on it; payments (STIX 2.1
has no object for them) ``note`` objects labelled ``payment`` on the accounts holding the payment accounts, with
every fact of the payment and of its payment accounts' KYC records the audience receives (the FtM and CSV exports
carry the same); linking's evidence and account ownership ``relationship`` objects. Every object carries the
audience's TLP marking and a statement marking naming the audience. Ids are deterministic (UUIDv5 of the redacted
key) and times come from the data, so the same store gives the same bundle.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime
from typing import Any

import stix2

from wildtrace.share._dataset import Dataset

NAMESPACE = uuid.UUID("5b1a8e2c-7f0e-4d7a-9a51-0c3e5e7f2a11")
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
TLP = {"clear": stix2.TLP_WHITE, "green": stix2.TLP_GREEN, "amber": stix2.TLP_AMBER, "red": stix2.TLP_RED}


def sdo_id(kind: str, *key: Any) -> str:
    return f"{kind}--{uuid.uuid5(NAMESPACE, json.dumps([kind, *key], ensure_ascii=False, default=str))}"


def _time(value: Any) -> datetime:
    if not value:
        return EPOCH
    t = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return (t if t.tzinfo else t.replace(tzinfo=UTC)).astimezone(UTC)


def to_stix(data: Dataset) -> stix2.Bundle:
    """The dataset as one STIX 2.1 bundle."""
    tlp = TLP[data.tlp]
    statement = stix2.MarkingDefinition(
        id=sdo_id("marking-definition", "audience", data.audience), created=EPOCH, definition_type="statement",
        definition=stix2.StatementMarking(f"WildTrace export for the {data.audience} audience; redacted by policy"))
    marks = {"object_marking_refs": [tlp.id, statement.id]}
    producer = stix2.Identity(id=sdo_id("identity", "producer"), name="WildTrace", identity_class="system",
                              created=EPOCH, modified=EPOCH, **marks)
    common = {"created_by_ref": producer.id, **marks}
    objects: dict[str, Any] = {statement.id: statement, producer.id: producer}

    def put(obj: Any) -> Any:
        objects[obj.id] = obj
        return obj

    platforms = {p["id"]: put(stix2.Identity(id=sdo_id("identity", "platform", p["id"]), name=p.get("name", p["id"]),
                                             identity_class="system", sectors=["technology"], created=EPOCH,
                                             modified=EPOCH, **common)) for p in data["platform"]}
    traders = {}
    for t in data["trader"]:
        traders[t["trader_id"]] = put(stix2.Identity(
            id=sdo_id("identity", "trader", t["trader_id"]), name=f"trader {t['trader_id']}",
            identity_class="individual", created=EPOCH, modified=EPOCH,
            description=f"category {t.get('category') or 'unclassified'}; status {t.get('status')}", **common))
    accounts = {}
    for a in data["account"]:
        ua = put(stix2.UserAccount(user_id=a.get("handle") or a["id"], account_login=a.get("handle") or a["id"],
                                   account_type=a.get("platform"), display_name=a.get("display_name"), **marks))
        accounts[a["id"]] = ua
        if a.get("trader_id") in traders:
            put(stix2.Relationship(id=sdo_id("relationship", "uses", a["trader_id"], a["id"]), relationship_type="uses",
                                   source_ref=traders[a["trader_id"]].id, target_ref=ua.id, created=EPOCH,
                                   modified=EPOCH, description="the trader uses this account", **common))
    for i in data["identifier"]:
        if i.get("kind") == "email" and "value" in i and "@" in str(i["value"]) and i["account_id"] in accounts:
            email = put(stix2.EmailAddress(value=i["value"], **marks))
            put(stix2.Relationship(id=sdo_id("relationship", "email", i["account_id"], i["value"]),
                                   relationship_type="related-to", source_ref=accounts[i["account_id"]].id,
                                   target_ref=email.id, created=EPOCH, modified=EPOCH, **common))
    _identifiers(data, accounts, common, put)
    for p in data["post"]:
        refs = [accounts[p["account_id"]].id] if p.get("account_id") in accounts else [producer.id]
        if p.get("url"):
            refs.append(put(stix2.URL(value=p["url"], **marks)).id)
        posted = _time(p.get("posted_at"))
        put(stix2.Note(id=sdo_id("note", p["id"]), created=posted, modified=posted,
                       abstract=f"{p.get('tier', 'unscreened')} post on {p.get('platform')}",
                       content=p.get("text") or "(no text)", object_refs=refs,
                       labels=sorted({*p.get("species", []), *p.get("code_words", [])}) or None,
                       external_references=[{"source_name": "wildtrace", "external_id": str(p["id"])}], **common))
    _payments(data, accounts, producer.id, common, put)
    for link in data["link"]:
        if link["account_l"] in accounts and link["account_r"] in accounts:
            prob = link.get("match_probability")
            put(stix2.Relationship(
                id=sdo_id("relationship", "same", link["account_l"], link["account_r"], link.get("source")),
                relationship_type="related-to", source_ref=accounts[link["account_l"]].id,
                target_ref=accounts[link["account_r"]].id, created=EPOCH, modified=EPOCH,
                confidence=round(100 * (1.0 if prob is None else prob)),
                description=f"same trader ({link.get('source')}): "
                            + "; ".join(str(r) for r in link.get("reasons") or []), **common))
    for w in data["code_word"]:
        first = _time(w.get("first_seen"))
        indicator = put(stix2.Indicator(
            id=sdo_id("indicator", "code-word", w["term"]), name=f"code word: {w['term']}",
            pattern=f"(?i){re.escape(w['term'])}", pattern_type="pcre", valid_from=first, created=first, modified=first,
            indicator_types=["malicious-activity"], labels=["wildlife-trade", "code-word"],
            description="a code word of the online wildlife trade, seen in screened posts", **common))
        where = [platforms[p].id for p in w.get("platforms", []) if p in platforms]
        put(stix2.Sighting(id=sdo_id("sighting", "code-word", w["term"]), sighting_of_ref=indicator.id,
                           count=int(w.get("n_posts") or 0), first_seen=first, created=first, modified=first,
                           where_sighted_refs=where or None, **common))
    return bundle_of(objects, data.audience)


PAYMENT_SOURCE = "wildtrace-transaction"  # the external reference naming a payment note's transaction
IDENTIFIERS_SOURCE = "wildtrace-identifiers"  # the external reference naming an identifiers note's account


def _identifiers(data: Dataset, accounts: dict[str, Any], common: dict[str, Any], put: Any) -> None:
    """A ``note`` per account listing its identifiers as the audience may see them (STIX 2.1 has no observable for
    a phone or a messenger ID; e-mails are also ``email-addr`` observables)."""
    listed: dict[str, set[str]] = {}
    for i in data["identifier"]:
        if i.get("account_id") in accounts and i.get("value") not in (None, ""):
            listed.setdefault(i["account_id"], set()).add(f"{i['kind']}: {i['value']}")
    for account_id, lines in sorted(listed.items()):
        put(stix2.Note(id=sdo_id("note", "identifiers", account_id), created=EPOCH, modified=EPOCH,
                       abstract="identifiers", content="\n".join(sorted(lines)), object_refs=[accounts[account_id].id],
                       labels=["identifiers"],
                       external_references=[{"source_name": IDENTIFIERS_SOURCE, "external_id": str(account_id)}],
                       **common))


def _party(number: Any, kyc: dict[str, Any]) -> str:
    """A payer or payee as the audience may see it, with its KYC record's facts."""
    facts = [f"{k.replace('_', ' ')} {kyc[k]}" for k in ("bank", "holder_name", "holder_phone", "owner")
             if kyc.get(k) not in (None, "")]
    return ("not disclosed" if number is None else str(number)) + (f" ({', '.join(facts)})" if facts else "")


def _payments(data: Dataset, accounts: dict[str, Any], producer: str, common: dict[str, Any], put: Any) -> None:
    """A ``note`` per payment, on the accounts that hold its payer's or payee's payment account."""
    holders: dict[str, list[str]] = {}
    for i in data["identifier"]:
        if i.get("kind") in ("payment_account", "bank_card") and i.get("account_id") in accounts and "value" in i:
            holders.setdefault(str(i["value"]), []).append(accounts[i["account_id"]].id)
    kyc = {k["payment_account"]: k for k in data["payment_account"] if "payment_account" in k}
    for t in data["transaction"]:
        payer, payee = t.get("payer"), t.get("payee")
        refs = sorted({r for side in (payer, payee) for r in holders.get(str(side), [])}) or [producer]
        lines = [f"payment {t['id']}: {t.get('amount')} {t.get('currency') or ''}".rstrip(),
                 f"time: {t['time']}" if t.get("time") else f"step: {t.get('step')}",
                 f"channel: {t.get('channel') or 'not recorded'}",
                 f"payer: {_party(payer, kyc.get(payer, {}))}", f"payee: {_party(payee, kyc.get(payee, {}))}"]
        if t.get("memo"):
            lines.append(f"memo: {t['memo']}")
        when = _time(t.get("time"))
        put(stix2.Note(id=sdo_id("note", "payment", t["id"]), created=when, modified=when, abstract="payment",
                       content="\n".join(lines), object_refs=refs, labels=["payment"],
                       external_references=[{"source_name": PAYMENT_SOURCE, "external_id": str(t["id"])}], **common))


def bundle_of(objects: dict[str, Any], audience: str) -> stix2.Bundle:
    """A bundle of ``objects`` (by id) in id order; its id derives from the audience and the object ids."""
    return stix2.Bundle(objects=[objects[k] for k in sorted(objects)], id=sdo_id("bundle", audience, sorted(objects)))


def read_stix(text: str) -> stix2.Bundle:
    """Parse a STIX 2.1 bundle strictly (no custom content)."""
    try:
        bundle = stix2.parse(text, allow_custom=False)
    except (stix2.exceptions.STIXError, json.JSONDecodeError, ValueError) as exc:
        raise ValueError(f"not a valid STIX 2.1 bundle: {exc}") from exc
    if getattr(bundle, "type", None) != "bundle":
        raise ValueError("not a STIX bundle (type is not 'bundle')")
    return bundle
