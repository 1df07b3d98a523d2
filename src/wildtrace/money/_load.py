"""Loading payment and courier records through the ingest stage (validation, mapping, quarantine)."""

from __future__ import annotations

from pathlib import Path

from wildtrace.ingest import IngestResult, Mapping, ingest_records
from wildtrace.model import Entity, PaymentAccount, Seizure, Shipment, Transaction
from wildtrace.money._constants import KIND_NAMES
from wildtrace.store import Store

KINDS: dict[str, type[Entity]] = dict(zip(KIND_NAMES, (Transaction, Shipment, Seizure, PaymentAccount), strict=True))


def load_records(store: Store, kind: str, path: str | Path, mapping: Mapping | None = None,
                 assume_tz: str | None = None, data_dir: str | Path | None = None) -> IngestResult:
    """Ingest ``path`` as ``kind`` (transactions, shipments, seizures, payment-accounts); bad records are
    quarantined with file, line and field named, and the rest go on."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    return ingest_records(store, path, KINDS[kind], mapping=mapping, assume_tz=assume_tz, data_dir=data_dir)
