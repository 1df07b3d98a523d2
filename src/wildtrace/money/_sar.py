"""Suspicious-activity report drafts per subject: structured data, a goAML-style XML and a readable HTML
(PDF through WeasyPrint). Every transaction, waybill, post and capture is cited by id and hash."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, datetime
from math import fsum
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from wildtrace.model import Alert, Shipment, Transaction, content_hash
from wildtrace.money._evidence import alert_evidence
from wildtrace.store import Store


@dataclass
class SarDraft:
    """Who, what, when, how much and why suspicious, with the evidence cited."""

    subject: str
    alert: dict[str, Any]
    holder: dict[str, Any] | None
    transactions: list[dict[str, Any]] = field(default_factory=list)
    shipments: list[dict[str, Any]] = field(default_factory=list)
    posts: list[dict[str, Any]] = field(default_factory=list)
    indicators: list[str] = field(default_factory=list)
    narrative: str = ""
    created_at: str = ""
    reporting_entity: str = ""
    currency: str = "CNY"
    totals: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _tx_rows(store: Store, alert: Alert, cited: list[str], limit: int) -> list[dict[str, Any]]:
    """Every transaction the alert cites, by time; when it cites none, the subject's first ``limit``."""
    found = list(store.get_many(Transaction, cited).values())
    if not found:
        found = store.find(Transaction, "payer = ? OR payee = ?", (alert.subject, alert.subject), order_by="time",
                           limit=limit)
    rows = []
    for t in found:
        d = t.model_dump(mode="json")
        d["sha256"] = content_hash(d)
        rows.append(d)
    return sorted(rows, key=lambda r: (r.get("time") or "", r["id"]))


def _totals(subject: str, txs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per currency: how many transactions, their total, and how much of it the subject received and paid."""
    out = []
    for currency in sorted({t["currency"] or "" for t in txs}):
        mine = [t for t in txs if (t["currency"] or "") == currency]
        out.append({"currency": currency, "transactions": len(mine), "amount": fsum(t["amount"] for t in mine),
                    "received": fsum(t["amount"] for t in mine if t["payee"] == subject),
                    "paid": fsum(t["amount"] for t in mine if t["payer"] == subject)})
    return out


def _posts(store: Store, subject: str, phone: str | None) -> list[dict[str, Any]]:
    """Flagged posts behind the subject: its payment identifier or its KYC phone advertised in them."""
    if not store.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'verdicts'"):
        return []
    rows = store.query(
        """SELECT DISTINCT p.id, p.account_id, p.url, p.content_hash, v.tier, v.score,
                   (SELECT max(c.sha256) FROM captures c WHERE c.post_id = p.id) AS capture_sha256
            FROM account_identifiers i JOIN posts p ON p.account_id = i.account_id
            JOIN verdicts v ON v.post_id = p.id
            WHERE v.tier IN ('high', 'medium') AND (
                  (i.kind IN ('payment_account', 'bank_card')
                   AND ? IN (i.value, 'wallet:' || i.value, 'bank:' || i.value))
                  OR (i.kind = 'phone' AND right(regexp_replace(i.value, '[^0-9]', '', 'g'), 11) = ?))
            ORDER BY p.id""",
        (subject.lower(), (phone or "-")[-11:]))
    return rows


def draft_sar(store: Store, subject: str, reporting_entity: str = "WildTrace", limit: int = 200) -> SarDraft:
    """A SAR draft for ``subject`` from its alert (run ``money run`` first) and the stored records: every
    transaction and parcel the alert cites, however many, with totals per currency; when it cites none, the
    subject's first ``limit`` transactions (and, for a phone, parcels)."""
    alerts = store.find(Alert, "subject = ?", (subject,), order_by="score DESC", limit=1)
    if not alerts:
        raise KeyError(f"no alert for {subject!r}: run `wildtrace money run` first, or pick a subject from "
                       "`wildtrace money alerts`")
    alert = alerts[0]
    cited = alert_evidence(store, alert)
    holder = next(iter(store.query("SELECT * FROM payment_accounts WHERE payment_account = ?", (subject,))), None)
    txs = _tx_rows(store, alert, cited, limit)
    tx_ids = {t["id"] for t in txs}
    ships = list(store.get_many(Shipment, [e for e in cited if e not in tx_ids]).values())
    if subject.startswith("phone:"):
        phone = subject[6:]
        ships += store.find(Shipment, "sender_phone = ? OR receiver_phone = ?", (phone, phone), limit=limit)
    shipments = []
    for s in {s.waybill: s for s in ships}.values():
        d = s.model_dump(mode="json")
        d["sha256"] = content_hash(d)
        shipments.append(d)
    contact = holder["holder_phone"] if holder else (subject[6:] if subject.startswith("phone:") else None)
    posts = _posts(store, subject, contact)
    indicators = sorted({r.split(":", 1)[0] for r in alert.reasons})
    totals = _totals(subject, txs)
    times = [t["time"] for t in txs if t.get("time")]
    who = f"{subject}" + (f", held by {holder['holder_name']} (phone {holder['holder_phone']})" if holder else "")
    money = "; ".join(f"{t['amount']:,.2f} {t['currency']} (received {t['received']:,.2f}, paid {t['paid']:,.2f})"
                      for t in totals)
    narrative = (
        f"Subject {who} scored {alert.score:.2f} on WildTrace's money-laundering risk for the illegal wildlife "
        f"trade. {len(txs)} transaction(s)" + (f" totalling {money}" if totals else "")
        + (f" between {min(times)} and {max(times)}" if times else "")
        + f", {len(shipments)} parcel(s) and {len(posts)} flagged advertisement(s) are cited. "
        "Why suspicious: " + " | ".join(alert.reasons))
    return SarDraft(subject, {**alert.model_dump(mode="json"), "evidence": cited},
                    holder and {k: str(v) for k, v in holder.items()},
                    txs, shipments, [{k: (str(v) if v is not None else None) for k, v in p.items()} for p in posts],
                    indicators, narrative, datetime.now(UTC).isoformat(timespec="seconds"), reporting_entity,
                    txs[0]["currency"] if txs else "CNY", totals)


def _sub(parent: ET.Element, tag: str, text: Any = None) -> ET.Element:
    el = ET.SubElement(parent, tag)
    if text is not None:
        el.text = str(text)
    return el


def sar_xml(d: SarDraft) -> str:
    """The draft as goAML-style XML (report > transaction > t_from / t_to, report_indicators)."""
    report = ET.Element("report")
    _sub(report, "rentity_id", d.reporting_entity)
    _sub(report, "submission_code", "E")
    _sub(report, "report_code", "STR")
    _sub(report, "entity_reference", d.alert["id"])
    _sub(report, "submission_date", d.created_at)
    _sub(report, "currency_code_local", d.currency)
    _sub(report, "reason", d.narrative)
    _sub(report, "action", "Draft for review by a compliance officer; not submitted.")
    for t in d.transactions:
        tx = _sub(report, "transaction")
        _sub(tx, "transactionnumber", t["id"])
        _sub(tx, "internal_ref_number", t["sha256"])
        _sub(tx, "date_transaction", t.get("time") or t.get("step"))
        _sub(tx, "transmode_code", t.get("channel") or "")
        _sub(tx, "amount_local", f"{t['amount']:.2f}")
        frm = _sub(_sub(tx, "t_from"), "from_account")
        _sub(frm, "account", t["payer"])
        to = _sub(_sub(tx, "t_to"), "to_account")
        _sub(to, "account", t["payee"])
        if t.get("memo"):
            _sub(tx, "comments", t["memo"])
    party = _sub(report, "activity")
    for s in d.shipments:
        _sub(party, "parcel", None).attrib.update({"waybill": s["waybill"], "sha256": s["sha256"]})
    for p in d.posts:
        el = _sub(party, "advertisement")
        el.attrib.update({k: str(p[k]) for k in ("id", "content_hash", "capture_sha256", "tier") if p.get(k)})
    indicators = _sub(report, "report_indicators")
    for i in d.indicators:
        _sub(indicators, "indicator", i)
    ET.indent(report)
    return ET.tostring(report, encoding="unicode", xml_declaration=True)


def sar_html(d: SarDraft) -> str:
    env = Environment(loader=PackageLoader("wildtrace.money", "templates"), autoescape=select_autoescape(["html"]))
    return env.get_template("sar.html").render(d=d)


def write_sar(d: SarDraft, out: str | Path, pdf: bool = False) -> list[Path]:
    """Write ``<subject>.sar.xml``, ``.sar.json``, ``.sar.html`` (and ``.sar.pdf``) into ``out``."""
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    stem = "".join(c if c.isalnum() or c in "-_." else "_" for c in d.subject)
    paths = [folder / f"{stem}.sar.xml", folder / f"{stem}.sar.json", folder / f"{stem}.sar.html"]
    paths[0].write_text(sar_xml(d), encoding="utf-8")
    paths[1].write_text(json.dumps(d.as_dict(), ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    html = sar_html(d)
    paths[2].write_text(html, encoding="utf-8")
    if pdf:
        from weasyprint import HTML

        paths.append(folder / f"{stem}.sar.pdf")
        HTML(string=html).write_pdf(paths[-1])
    return paths
