"""Load a simulated world into a store for the linking tests (accounts, posts, payments, parcels, identifiers)."""

from __future__ import annotations

import re
from pathlib import Path

from wildtrace.ingest import ingest_records
from wildtrace.model import Account, AccountIdentifier, Post
from wildtrace.store import Store

_PATTERNS = {"phone": re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)"), "messenger_id": re.compile(r"wx_[A-Za-z0-9_]+"),
             "payment_account": re.compile(r"wallet:\d+")}


def _contacts(account_id: str, text: str | None, seen_in: str, seen_id: str) -> list[AccountIdentifier]:
    return [AccountIdentifier(account_id=account_id, kind=kind, value=m.lower(), raw=m, seen_in=seen_in,
                              seen_id=seen_id) for kind, rx in _PATTERNS.items() for m in rx.findall(text or "")]


def write_identifiers(store: Store) -> None:
    """Identifiers by the extract stage when it is installed, else by a few plain patterns."""
    try:
        from wildtrace.extract import extract_store
    except ImportError:  # the extract stage has not landed in this checkout
        rows = [r for a in store.find(Account) for r in _contacts(a.id, f"{a.display_name} {a.bio}", "profile", a.id)]
        rows += [r for p in store.find(Post, "account_id IS NOT NULL") for r in _contacts(p.account_id, p.text,
                                                                                          "post", p.id)]
        store.add(rows)
    else:
        extract_store(store)


def load_world(store: Store, world: Path, data_dir: Path) -> None:
    for name, model in (("accounts.jsonl", "account"), ("posts.jsonl", "post"), ("transactions.csv", "transaction"),
                        ("shipments.jsonl", "shipment")):
        ingest_records(store, world / name, model, data_dir=data_dir)
    write_identifiers(store)
