"""Load a simulated world into a store for the linking tests: accounts, posts, payments, parcels, seizures and the
payment platforms' KYC; posts screened (pictures read and hashed, no OCR) and identifiers extracted."""

from __future__ import annotations

from pathlib import Path

from wildtrace.extract import extract_store
from wildtrace.ingest import ingest_records
from wildtrace.money import load_records
from wildtrace.screen import ImageReader, Screener, screen_store
from wildtrace.store import Store


def load_world(store: Store, world: Path, data_dir: Path) -> None:
    for name, model in (("accounts.jsonl", "account"), ("posts.jsonl", "post")):
        ingest_records(store, world / name, model, data_dir=data_dir)
    for kind, name in (("transactions", "transactions.csv"), ("shipments", "shipments.jsonl"),
                       ("seizures", "seizures.jsonl"), ("payment-accounts", "payment_accounts.csv")):
        load_records(store, kind, world / name, data_dir=data_dir)
    screen_store(store, Screener.load(), ImageReader(data_dir / "pictures", ocr=False))
    extract_store(store)
