"""What an export contains: plain records of every kind read from the store, redacted for one audience."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from wildtrace.model import Account, AccountIdentifier, PaymentAccount, Platform, Post, Transaction, Verdict
from wildtrace.share._known import has_tables, known_values
from wildtrace.share._policy import Policy, load_policy
from wildtrace.share._redact import Redactor
from wildtrace.store import Store

KINDS = ("platform", "trader", "account", "identifier", "post", "transaction", "payment_account", "link",
         "code_word")


@dataclass
class Dataset:
    """Records by kind (already redacted), the audience and its TLP colour."""

    audience: str
    tlp: str
    records: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))

    def __getitem__(self, kind: str) -> list[dict[str, Any]]:
        return self.records[kind]


@dataclass(frozen=True)
class ExportOptions:
    """Which posts go out: tiers (empty: every post) and an optional period on ``posted_at``."""

    audience: str = "partner"
    tiers: tuple[str, ...] = ("high", "medium")
    start: datetime | None = None
    end: datetime | None = None


def _posts(store: Store, options: ExportOptions) -> list[tuple[Post, Verdict | None]]:
    where, params = [], []
    if options.start:
        where.append("posted_at >= ?")
        params.append(options.start)
    if options.end:
        where.append("posted_at < ?")
        params.append(options.end)
    verdicts = {v.post_id: v for v in store.find(Verdict)}
    out = []
    for post in store.find(Post, " AND ".join(where), params):
        v = verdicts.get(post.id)
        if options.tiers and (v is None or v.tier not in options.tiers):
            continue
        out.append((post, v))
    return out


def _post_record(post: Post, v: Verdict | None) -> dict[str, Any]:
    rec = post.model_dump(mode="json", exclude={"captured_at", "source"})
    if v is not None:
        rec.update(tier=v.tier, score=v.score, species=list(v.species), products=list(v.products),
                   code_words=list(v.code_words), product_type=v.extracted.get("product_type"),
                   price_per_gram_cny=v.extracted.get("price_per_gram_cny", v.extracted.get("price_per_gram")))
    return rec


def _link_records(store: Store, accounts: set[str]) -> tuple[dict[str, dict], list[dict], list[dict]]:
    """Trader of each account, the traders, and accepted links (linking stage; empty before it ran)."""
    if not has_tables(store, "link_members", "link_traders", "link_edges"):
        return {}, [], []
    members = {r["account_id"]: r for r in store.query("SELECT account_id, trader_id, is_backup FROM link_members")
               if r["account_id"] in accounts}
    wanted = {m["trader_id"] for m in members.values()}
    traders = [{**r, "platforms": json.loads(r["platforms"]),
                "accounts": sorted(a for a, m in members.items() if m["trader_id"] == r["trader_id"])}
               for r in store.query("SELECT trader_id, n_accounts, platforms, category, status, n_posts, n_flagged, "
                                    "night_share FROM link_traders ORDER BY trader_id") if r["trader_id"] in wanted]
    links = [{**r, "reasons": json.loads(r["reasons"])} for r in store.query(
        "SELECT account_l, account_r, source, match_probability, reasons FROM link_edges WHERE accepted "
        "ORDER BY account_l, account_r, source") if r["account_l"] in accounts and r["account_r"] in accounts]
    return members, traders, links


def collect(store: Store, options: ExportOptions, key: bytes = b"", policy: Policy | None = None) -> Dataset:
    """Read the records to export from ``store`` and redact them for ``options.audience`` (record kinds the
    audience withholds are not read)."""
    policy = policy or load_policy()
    posts = _posts(store, options)
    account_ids = {p.account_id for p, _ in posts if p.account_id}
    accounts = [a for a in store.find(Account) if a.id in account_ids]
    identifiers = [i for i in store.find(AccountIdentifier) if i.account_id in account_ids]
    redactor = Redactor(options.audience, policy, key, known_values(store, policy))
    payment_values = {i.value for i in identifiers if i.kind in ("payment_account", "bank_card")} \
        if redactor.receives("transaction") else set()
    txs = [t for t in store.find(Transaction) if t.payer in payment_values or t.payee in payment_values] \
        if payment_values else []
    used = {a for t in txs for a in (t.payer, t.payee)} if redactor.receives("payment_account") else set()
    kyc = [k for k in store.find(PaymentAccount) if k.payment_account in used] if used else []
    members, traders, links = _link_records(store, account_ids)
    data = Dataset(redactor.audience, policy.audience(redactor.audience).tlp)
    platforms = {p.platform for p, _ in posts}
    data["platform"].extend(redactor.record("platform", p.model_dump(mode="json"))
                            for p in store.find(Platform) if p.id in platforms)
    data["trader"].extend(redactor.record("trader", t) for t in traders)
    for a in accounts:
        m = members.get(a.id, {})
        rec = {**a.model_dump(mode="json"), "trader_id": m.get("trader_id"), "is_backup": m.get("is_backup")}
        data["account"].append(redactor.record("account", rec))
    data["identifier"].extend(redactor.record("identifier", i.model_dump(mode="json")) for i in identifiers)
    data["post"].extend(redactor.record("post", _post_record(p, v)) for p, v in posts)
    data["transaction"].extend(redactor.record("transaction", t.model_dump(mode="json")) for t in txs)
    data["payment_account"].extend(redactor.record("payment_account", k.model_dump(mode="json", exclude={"source"}))
                                   for k in kyc)
    data["link"].extend(redactor.record("link", r) for r in links)
    words: dict[str, dict[str, Any]] = {}
    for p, v in posts:
        for w in set(v.code_words if v else ()):
            entry = words.setdefault(w, {"term": w, "n_posts": 0, "first_seen": p.posted_at, "platforms": set()})
            entry["n_posts"] += 1
            entry["platforms"].add(p.platform)
            if p.posted_at and (entry["first_seen"] is None or p.posted_at < entry["first_seen"]):
                entry["first_seen"] = p.posted_at
    for word in sorted(words.values(), key=lambda e: e["term"]):
        rec = redactor.record("code_word", {k: word[k] for k in ("term", "n_posts", "first_seen")})
        data["code_word"].append({**rec, "platforms": sorted(word["platforms"])})
    return data
