"""Request bodies. Strings refuse NUL bytes and have size limits, so bad input is a 422 naming the field."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from wildtrace.model import AlertStatus, CaseStatus, DecisionKind
from wildtrace.service import BulkAction, Role


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL bytes")
    return value


_Clean = AfterValidator(_no_nul)
Name = Annotated[str, Field(min_length=1, max_length=64), _Clean]
Password = Annotated[str, Field(min_length=1, max_length=1024), _Clean]
NewPassword = Annotated[str, Field(min_length=8, max_length=1024), _Clean]
Short = Annotated[str, Field(max_length=300), _Clean]
Title = Annotated[str, Field(min_length=1, max_length=300), _Clean]
Ref = Annotated[str, Field(min_length=3, max_length=300), _Clean]
Url = Annotated[str, Field(max_length=2000), _Clean]
Note = Annotated[str, Field(max_length=5000), _Clean]
TipText = Annotated[str, Field(max_length=10000), _Clean]
LongRequired = Annotated[str, Field(min_length=1, max_length=20000), _Clean]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Login(Body):
    username: Name
    password: Password


class TokenRequest(Body):
    name: Title = "api"


class CorrectionIn(Body):
    species: list[Short] = Field(default_factory=list, max_length=30, description="lexicon species ids (none: [])")
    products: list[Short] = Field(default_factory=list, max_length=30, description="lexicon product ids")


class DecisionIn(Body):
    decision: DecisionKind
    note: Note = ""
    correction: CorrectionIn | None = Field(None, description="what the post really names, when screening got it "
                                                              "wrong: stored with the decision as a training label")


class CaseIn(Body):
    title: Title
    items: list[Ref] = Field(default_factory=list, max_length=500)


class CaseItemIn(Body):
    ref: Ref = Field(description="'kind:id', e.g. 'post:abc' or 'trader:t-12'")


class NoteIn(Body):
    text: LongRequired


class CaseStatusIn(Body):
    status: CaseStatus


class CaseVisibilityIn(Body):
    team: list[Name] = Field(default_factory=list, max_length=200, description="users who may open the case")
    roles: list[Role] = Field(default_factory=list, description="roles whose users may open the case")
    shared: list[Name] = Field(default_factory=list, max_length=200,
                               description="users who see the case unredacted (set by an investigator or admin)")


class AlertUpdate(Body):
    status: AlertStatus | None = None
    assignee: Short | None = None
    reason: Note = ""


class AlertBulk(Body):
    ids: list[Short] = Field(min_length=1, max_length=500)
    action: BulkAction
    assignee: Short | None = Field(None, description="with assign: the user ('' unassigns)")
    reason: Note = Field("", description="why; required to close")


class AlertToCase(Body):
    title: Short = ""


class UserIn(Body):
    username: Name
    password: NewPassword
    role: Role


class TipIn(Body):
    text: TipText = ""
    url: Url | None = None
    note: Note = ""
    contact: Short | None = None


class PostCheck(Body):
    text: LongRequired
    account_id: Short | None = None


class PaymentCheck(Body):
    payer: Title
    payee: Title
    amount: float | None = Field(None, ge=0, le=1e15)
    currency: Short = "CNY"


class ShipmentCheck(Body):
    sender_phone: Short | None = None
    receiver_phone: Short | None = None
    declared_contents: Url | None = None


class LexiconReview(Body):
    term: Annotated[str, Field(min_length=1, max_length=100), _Clean]
    decision: Literal["accept", "reject"]
    meaning: Annotated[str, Field(max_length=200), _Clean] = ""
