"""Response models of payments, credit notes and events (they document /openapi.json;
handlers return the service views directly)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from folio.api.schemas.common import Out


class PaymentOut(Out):
    object: Literal["payment"]
    invoice: str
    customer: str
    amount: int
    currency: str
    status: str
    method: str
    reference: str | None
    paid_at: int


class CreditNoteLine(BaseModel):
    invoice_line: str
    description: str | None
    quantity: str | None
    amount: int
    tax_amount: int


class CreditNoteOut(Out):
    object: Literal["credit_note"]
    invoice: str
    customer: str
    number: str | None
    status: Literal["draft", "issued", "void"]
    type: Literal["pre_payment", "post_payment"]
    currency: str
    amount: int
    subtotal: int
    tax_amount: int
    reason: str | None
    memo: str | None
    lines: list[CreditNoteLine]
    issued_at: int | None
    voided_at: int | None


class EventRequest(BaseModel):
    id: str | None
    idempotency_key: str | None


class EventOut(BaseModel):
    id: str
    object: Literal["event"]
    type: str
    livemode: bool
    created: int
    data: dict[str, Any]
    request: EventRequest
