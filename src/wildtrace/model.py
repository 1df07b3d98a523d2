"""The domain model of WildTrace, in one place.

Every stage reads and writes these types. Each persisted entity names its table (``__table__``) and
key columns (``__key__``); the store maps fields to columns one to one, lists and dicts as JSON text,
and aware datetimes as a UTC instant plus the original UTC offset, so a post made at 23:00 in
Beijing is still 23:00 local when it comes back.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date as Day
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class Entity(BaseModel):
    """Base of all persisted entities."""

    model_config = ConfigDict(extra="forbid", use_enum_values=True)
    __table__: ClassVar[str]
    __key__: ClassVar[tuple[str, ...]]

    def key(self) -> tuple[Any, ...]:
        return tuple(getattr(self, k) for k in self.__key__)


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError("timestamp has no time zone; give an offset such as +08:00 or Z")
    return value


def content_hash(*parts: Any) -> str:
    """SHA-256 over the JSON of ``parts``: the identity of a record by its content."""
    blob = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str).encode()
    return hashlib.sha256(blob).hexdigest()


class PlatformKind(StrEnum):
    MESSENGER = "messenger"
    MARKETPLACE = "marketplace"
    FORUM = "forum"
    VIDEO = "video"
    WEB = "web"


class Platform(Entity):
    """A source of posts: a messenger with friend feeds, a marketplace, a forum, a video site."""

    __table__ = "platforms"
    __key__ = ("id",)
    id: str
    name: str
    kind: PlatformKind = PlatformKind.WEB
    url: str | None = None


class AccountStatus(StrEnum):
    ACTIVE = "active"
    DELETED = "deleted"
    BLOCKED = "blocked"


class Account(Entity):
    """An account on a platform, identified by ``platform:handle``."""

    __table__ = "accounts"
    __key__ = ("id",)
    id: str
    platform: str
    handle: str
    display_name: str | None = None
    bio: str | None = None
    location: str | None = None
    status: AccountStatus = AccountStatus.ACTIVE
    status_changed_at: datetime | None = None
    first_seen: datetime | None = None

    _check_time = field_validator("status_changed_at", "first_seen")(_aware)

    @staticmethod
    def make_id(platform: str, handle: str) -> str:
        return f"{platform}:{handle}"


class MediaItem(Entity):
    """An image or video, bytes kept in the evidence store under their SHA-256."""

    __table__ = "media"
    __key__ = ("sha256",)
    sha256: str
    mime: str | None = None
    size: int = 0
    phash: str | None = None
    dhash: str | None = None
    whash: str | None = None
    ocr_text: str | None = None
    path: str | None = None


class Post(Entity):
    """One advertisement, message or page as captured. ``id`` is stable across re-ingest."""

    __table__ = "posts"
    __key__ = ("id",)
    id: str
    platform: str
    account_id: str | None = None
    text: str = ""
    media: list[str] = Field(default_factory=list, description="SHA-256 of each MediaItem")
    posted_at: datetime | None = None
    captured_at: datetime | None = None
    deleted_at: datetime | None = None
    url: str | None = None
    source: str | None = None
    language: str | None = None
    venue: str | None = Field(default=None, description="the group, channel or chat the post was seen in")
    forwarded_from: str | None = Field(default=None, description="whom it was forwarded from, as the source says")
    reply_to: str | None = Field(default=None, description="id of the post this one replies to")
    content_hash: str = Field(default="", description="of platform, account, text, media, time and URL only")

    _check_time = field_validator("posted_at", "captured_at", "deleted_at")(_aware)


class IdentifierKind(StrEnum):
    PHONE = "phone"
    MESSENGER_ID = "messenger_id"
    QQ = "qq"
    EMAIL = "email"
    TELEGRAM = "telegram"
    PAYMENT_ACCOUNT = "payment_account"
    BANK_CARD = "bank_card"
    URL = "url"
    IMAGE_HASH = "image_hash"


class Identifier(BaseModel):
    """A contact or payment identifier, raw as written and normalised for matching."""

    model_config = ConfigDict(use_enum_values=True)
    kind: IdentifierKind
    raw: str
    value: str


class AccountIdentifier(Entity):
    """An identifier observed for an account, and where it was seen."""

    __table__ = "account_identifiers"
    __key__ = ("account_id", "kind", "value", "seen_in", "seen_id")
    account_id: str
    kind: IdentifierKind
    value: str
    raw: str = ""
    seen_in: str = Field("post", description="post, profile, image, payment or parcel")
    seen_id: str = ""


class Transaction(Entity):
    """A payment between two accounts (wallet, bank transfer, ...). Time as timestamp or step."""

    __table__ = "transactions"
    __key__ = ("id",)
    id: str
    time: datetime | None = None
    step: int | None = None
    payer: str
    payee: str
    amount: float
    currency: str = "CNY"
    channel: str | None = None
    memo: str | None = None
    source: str | None = None

    _check_time = field_validator("time")(_aware)


class Shipment(Entity):
    """A courier waybill: names are often false, phones usually real."""

    __table__ = "shipments"
    __key__ = ("waybill",)
    waybill: str
    time: datetime | None = None
    sender_name: str | None = None
    sender_phone: str | None = None
    receiver_name: str | None = None
    receiver_phone: str | None = None
    address: str | None = None
    declared_contents: str | None = None
    weight_g: float | None = None
    courier: str | None = None
    picked_up_by: str | None = None
    source: str | None = None

    _check_time = field_validator("time")(_aware)


class Tier(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    NONE = "none"


class Span(BaseModel):
    """A matched stretch of the original text and what it was read as."""

    start: int
    end: int
    text: str
    term: str
    category: str
    meaning: str | None = None
    source: str = Field("text", description="text, or ocr (then start/end are offsets in that image's OCR text)")
    via: str = Field("exact", description="exact, variant, split, leet, pinyin, initials or homophone")
    media: str | None = Field(None, description="SHA-256 of the image whose OCR text matched")
    heard: str | None = Field(None, description="for a homophone: the readings or near-homophone mergers that made "
                                                "it (潒牙 heard as 象牙: 潒 in its reading xiang (first reading dang))")


class Verdict(Entity):
    """The screening result for one post, with its explanation."""

    __table__ = "verdicts"
    __key__ = ("post_id",)
    post_id: str
    score: float = Field(ge=0.0, le=1.0)
    tier: Tier
    species: list[str] = Field(default_factory=list)
    products: list[str] = Field(default_factory=list)
    spans: list[Span] = Field(default_factory=list)
    code_words: list[str] = Field(default_factory=list)
    features: list[tuple[str, float]] = Field(default_factory=list, description="top features and weights")
    extracted: dict[str, Any] = Field(default_factory=dict, description="structured fields from extraction")
    model_version: str = ""
    decided_by: str = Field(default="", description="the rule that put the post in or out of the flagged tiers")
    screened_at: datetime | None = None


class AlertStatus(StrEnum):
    OPEN = "open"
    ASSIGNED = "assigned"
    ESCALATED = "escalated"
    CLOSED = "closed"


class Alert(Entity):
    """A subject (account, trader, waybill) that needs an analyst's look, with the reasons."""

    __table__ = "alerts"
    __key__ = ("id",)
    id: str
    subject: str
    subject_kind: str = "account"
    kind: str
    score: float = 0.0
    reasons: list[str] = Field(default_factory=list)
    evidence: list[str] = Field(default_factory=list, description="ids of transactions, waybills, posts, captures "
                                "it cites: all of them, or as stored its first page (the store's alert_evidence "
                                "keeps them all; wildtrace.money.alert_evidence reads them)")
    evidence_count: int = Field(default=0, description="how many items of evidence it cites in all")
    status: AlertStatus = AlertStatus.OPEN
    assignee: str | None = None
    created_at: datetime | None = None

    @model_validator(mode="after")
    def _count_evidence(self) -> Alert:
        self.evidence_count = max(self.evidence_count, len(self.evidence))
        return self


class CaseStatus(StrEnum):
    OPEN = "open"
    ACTIVE = "active"
    CLOSED = "closed"


class Case(Entity):
    """An investigation: posts, accounts, transactions and evidence, with notes."""

    __table__ = "cases"
    __key__ = ("id",)
    id: str
    title: str
    status: CaseStatus = CaseStatus.OPEN
    created_by: str | None = None
    created_at: datetime | None = None
    notes: str = ""
    items: list[str] = Field(default_factory=list, description="'kind:id' references, e.g. 'post:abc'")


class DecisionKind(StrEnum):
    CONFIRM = "confirm"
    DISMISS = "dismiss"
    ESCALATE = "escalate"


class Decision(Entity):
    """An analyst's decision on a post; it becomes a training label."""

    __table__ = "decisions"
    __key__ = ("id",)
    id: str
    post_id: str
    decision: DecisionKind
    decided_by: str
    note: str = ""
    decided_at: datetime

    _check_time = field_validator("decided_at")(_aware)

    @property
    def label(self) -> int | None:
        return {"confirm": 1, "escalate": 1, "dismiss": 0}.get(str(self.decision))


class AuditEvent(Entity):
    """One entry of the append-only audit log; ``hash`` chains it to the entry before."""

    __table__ = "audit_events"
    __key__ = ("seq",)
    seq: int
    occurred_at: datetime
    actor: str
    action: str
    object_kind: str = ""
    object_id: str = ""
    detail: dict[str, Any] = Field(default_factory=dict)
    prev_hash: str = ""
    hash: str = ""


class Capture(Entity):
    """A preserved capture: a WARC record in the content-addressed evidence store."""

    __table__ = "captures"
    __key__ = ("sha256",)
    sha256: str
    url: str
    captured_at: datetime
    collector: str
    kind: str = Field("response", description="response, resource, record or metadata")
    warc_path: str = ""
    post_id: str | None = None
    http_status: int | None = None
    version_of: str | None = Field(None, description="sha256 of the earlier capture of the same URL")
    payload_sha256: str = Field("", description="SHA-256 of the captured body (the page, image or record)")
    content_type: str | None = None
    removed: bool = Field(False, description="the capture shows the content gone (HTTP 404/410, removed marker)")
    log_seq: int | None = Field(None, description="sequence number of this capture in the capture log")
    log_hash: str = Field("", description="hash of that capture-log entry (anchors the hash chain)")

    _check_time = field_validator("captured_at")(_aware)


class Seizure(Entity):
    """A seizure by an enforcement agency; over half happen in transport, so waybills and phones matter."""

    __table__ = "seizures"
    __key__ = ("id",)
    id: str = Field("", description="given id, or the content hash of the record when empty")
    date: Day | None = None
    place: str | None = None
    agency: str | None = None
    species: list[str] = Field(default_factory=list)
    quantity_kg: float | None = None
    waybill: str | None = None
    phones: list[str] = Field(default_factory=list)
    names: list[str] = Field(default_factory=list)
    source: str | None = None

    @field_validator("date", mode="before")
    @classmethod
    def _day_of(cls, value: Any) -> Any:
        return value[:10] if isinstance(value, str) and len(value) > 10 else value

    @field_validator("species", "phones", "names", mode="before")
    @classmethod
    def _as_list(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    def model_post_init(self, context: Any) -> None:
        if not self.id:
            self.id = "sz-" + content_hash(self.date, self.place, self.agency, self.waybill, self.phones)[:16]


class PaymentAccount(Entity):
    """What a payment platform knows of an account's holder (KYC): name and phone, often a stand-in's."""

    __table__ = "payment_accounts"
    __key__ = ("payment_account",)
    payment_account: str
    holder_name: str | None = None
    holder_phone: str | None = None
    bank: str | None = None
    opened_at: datetime | None = None
    source: str | None = None

    _check_time = field_validator("opened_at")(_aware)


ENTITIES: tuple[type[Entity], ...] = (
    Platform, Account, MediaItem, Post, AccountIdentifier, Transaction, Shipment, Verdict,
    Alert, Case, Decision, AuditEvent, Capture, Seizure, PaymentAccount,
)
