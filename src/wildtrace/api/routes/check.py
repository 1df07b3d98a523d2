"""Real-time checks: one post, payment or shipment in; a risk, a tier and the reasons out."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request

from wildtrace import service
from wildtrace.api._deps import CurrentUser, StoreDep
from wildtrace.api._schemas import PaymentCheck, PostCheck, ShipmentCheck

router = APIRouter(prefix="/api/check", tags=["check"])


@router.post("/post")
def check_post(body: PostCheck, request: Request, principal: CurrentUser, store: StoreDep) -> dict:
    """Screen one post's text (and its account, if known) at the moment of posting."""
    screener = request.app.state.screener()
    if screener is None:
        raise HTTPException(503, "no screening model is installed (the screen stage)")
    return principal.present(service.check_post(store, screener, body.text, body.account_id))


@router.post("/payment")
def check_payment(body: PaymentCheck, principal: CurrentUser, store: StoreDep) -> dict:
    return principal.present(service.check_payment(store, body.payer, body.payee))


@router.post("/shipment")
def check_shipment(body: ShipmentCheck, principal: CurrentUser, store: StoreDep) -> dict:
    return principal.present(service.check_shipment(store, body.sender_phone, body.receiver_phone))
