"""The linking stage's input as data frames, read from the store (or built directly, for scale)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pandas as pd

from wildtrace.link._images import PICTURE_COLUMNS
from wildtrace.link._seizures import SEIZURE_COLUMNS
from wildtrace.model import (
    Account,
    AccountIdentifier,
    MediaItem,
    PaymentAccount,
    Post,
    Seizure,
    Shipment,
    Transaction,
    Verdict,
)
from wildtrace.store import Store

ACCOUNT_COLUMNS = ["id", "platform", "handle", "display_name", "bio", "location", "status", "status_changed_at",
                   "first_seen"]
POST_COLUMNS = ["id", "account_id", "text", "ocr_text", "posted_at", "local_hour", "price_per_gram", "tier",
                "species", "products", "product_types", "media"]
IDENTIFIER_COLUMNS = ["account_id", "kind", "value", "raw", "seen_in", "seen_id"]


def _frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns)


@dataclass
class LinkData:
    """Accounts, their posts (with screening verdicts), identifiers, pictures seen (their hashes), payments,
    parcels, the payment platforms' KYC of payment accounts, and seizures."""

    accounts: pd.DataFrame
    posts: pd.DataFrame = field(default_factory=lambda: _frame([], POST_COLUMNS))
    identifiers: pd.DataFrame = field(default_factory=lambda: _frame([], IDENTIFIER_COLUMNS))
    pictures: pd.DataFrame = field(default_factory=lambda: _frame([], PICTURE_COLUMNS))
    transactions: pd.DataFrame = field(default_factory=lambda: _frame([], ["id", "time", "payer", "payee", "amount"]))
    shipments: pd.DataFrame = field(default_factory=lambda: _frame(
        [], ["waybill", "time", "sender_phone", "receiver_phone", "weight_g", "declared_contents"]))
    payment_accounts: pd.DataFrame = field(default_factory=lambda: _frame([], ["payment_account", "holder_phone"]))
    seizures: pd.DataFrame = field(default_factory=lambda: _frame([], SEIZURE_COLUMNS))


def price_per_gram(extracted: dict) -> float | None:
    """The price per gram extraction found in a post, if any (``price_per_gram`` or price / weight in grams)."""
    value = extracted.get("price_per_gram")
    if value is None and extracted.get("price") and extracted.get("weight_g"):
        value = float(extracted["price"]) / float(extracted["weight_g"])
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def load_link_data(store: Store) -> LinkData:
    """Everything linking reads, from the store. Post times keep their local offset (local hour of posting)."""
    accounts = _frame([a.model_dump() for a in store.find(Account)], ACCOUNT_COLUMNS)
    verdicts = {v.post_id: v for v in store.find(Verdict)}
    posts: list[dict] = []
    picture_rows: list[dict] = []
    items = store.find(MediaItem)
    media = {m.sha256: m for m in items if m.phash}
    read = {m.sha256: m.ocr_text for m in items if m.ocr_text}
    for p in store.find(Post, "account_id IS NOT NULL"):
        v = verdicts.get(p.id)
        posts.append({
            "id": p.id, "account_id": p.account_id, "text": p.text,
            "ocr_text": " ".join(read[h] for h in p.media if h in read), "posted_at": p.posted_at,
            "local_hour": p.posted_at.hour if p.posted_at else None,
            "price_per_gram": price_per_gram(v.extracted) if v else None,
            "tier": v.tier if v else None, "species": list(v.species) if v else [],
            "products": list(v.products) if v else [],
            "product_types": list(v.extracted.get("product_types") or []) if v else [], "media": list(p.media),
        })
        picture_rows.extend({"account_id": p.account_id, "sha256": h, "phash": media[h].phash,
                             "dhash": media[h].dhash, "whash": media[h].whash, "seen_id": p.id}
                            for h in p.media if h in media)
    identifiers = _frame([i.model_dump() for i in store.find(AccountIdentifier)], IDENTIFIER_COLUMNS)
    transactions = _frame([t.model_dump() for t in store.find(Transaction)],
                          ["id", "time", "step", "payer", "payee", "amount", "currency", "channel", "memo", "source"])
    shipments = _frame([s.model_dump() for s in store.find(Shipment)], list(Shipment.model_fields))
    return LinkData(accounts=accounts, posts=_frame(posts, POST_COLUMNS), identifiers=identifiers,
                    pictures=_frame(picture_rows, PICTURE_COLUMNS),
                    transactions=transactions, shipments=shipments,
                    payment_accounts=_frame([k.model_dump() for k in store.find(PaymentAccount)],
                                            list(PaymentAccount.model_fields)),
                    seizures=_frame([z.model_dump() for z in store.find(Seizure)], SEIZURE_COLUMNS))


def dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)
