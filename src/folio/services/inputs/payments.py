"""Validated inputs of what settles or reduces what a customer owes: payments, credit
notes and credit grants (the customer's credit balance)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from folio.services.inputs.common import (
    Currency,
    Input,
    PositiveAmount,
    PublicId,
    Quantity,
    ShortText,
    Timestamp,
    WithMetadata,
)

CreditReason = Literal["duplicate", "fraudulent", "order_change", "product_unsatisfactory"]


class PaymentCreate(WithMetadata):
    invoice: PublicId
    amount: PositiveAmount
    method: Literal["manual", "bank_transfer", "card", "cash", "check", "other"] = "manual"
    reference: Annotated[str, StringConstraints(max_length=200)] | None = None
    paid_at: Annotated[int, Field(ge=0, le=32503680000)] | None = None


class CreditNoteLineInput(Input):
    invoice_line: PublicId
    quantity: Quantity | None = None
    amount: PositiveAmount | None = None


class CreditNoteCreate(WithMetadata):
    invoice: PublicId
    amount: PositiveAmount | None = None
    lines: list[CreditNoteLineInput] | None = Field(default=None, max_length=1000)
    reason: CreditReason | None = None
    memo: Annotated[str, StringConstraints(max_length=5000)] | None = None


class CreditGrantCreate(WithMetadata):
    amount: PositiveAmount
    currency: Currency
    reason: ShortText | None = None
    expires_at: Timestamp | None = None
