"""Dolfin request bodies (camelCase, unknown fields ignored as Dolfin's API does) and the
documented response shapes."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Money = Annotated[Decimal, Field(allow_inf_nan=False, max_digits=24)]
PositiveMoney = Annotated[Decimal, Field(gt=0, allow_inf_nan=False, max_digits=24)]
Uuid = Annotated[str, StringConstraints(max_length=64)]
Text = Annotated[str, StringConstraints(max_length=500)]


class DolfinIn(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class CustomerIn(DolfinIn):
    name: Annotated[str, StringConstraints(max_length=200)] | None = None
    email: Annotated[str, StringConstraints(max_length=320)] | None = None
    phone: Annotated[str, StringConstraints(max_length=40)] | None = None
    taxNumber: Annotated[str, StringConstraints(max_length=40)] | None = None  # noqa: N815
    addressLine1: Text | None = None  # noqa: N815
    addressLine2: Text | None = None  # noqa: N815
    city: Text | None = None
    state: Text | None = None
    postalCode: Annotated[str, StringConstraints(max_length=20)] | None = None  # noqa: N815
    country: Annotated[str, StringConstraints(max_length=2)] | None = None


class ProductIn(DolfinIn):
    name: Annotated[str, StringConstraints(max_length=200)] | None = None
    currency: Annotated[str, StringConstraints(max_length=3)] | None = None
    description: Text | None = None
    unitPrice: Annotated[Decimal, Field(ge=0, allow_inf_nan=False)] | None = None  # noqa: N815
    type: Literal["Product", "Service"] | None = None


class TaxRateIn(DolfinIn):
    code: Annotated[str, StringConstraints(max_length=40)] | None = None
    name: Annotated[str, StringConstraints(max_length=50)] | None = None
    rate: Annotated[Decimal, Field(ge=0, le=100, allow_inf_nan=False)] | None = None
    description: Text | None = None
    country: Annotated[str, StringConstraints(max_length=2)] | None = None
    inclusive: bool = False


class LineItemIn(DolfinIn):
    productId: Uuid  # noqa: N815
    quantity: Annotated[Decimal, Field(gt=0, allow_inf_nan=False)] = Decimal(1)
    taxRateId: Uuid | None = None  # noqa: N815
    description: Text | None = None
    unitPrice: Annotated[Decimal, Field(ge=0, allow_inf_nan=False)] | None = None  # noqa: N815


class InvoiceIn(DolfinIn):
    customerId: Uuid  # noqa: N815
    currency: Annotated[str, StringConstraints(max_length=3)] | None = None
    lineItems: list[LineItemIn] = Field(default_factory=list, max_length=1000)  # noqa: N815
    dueDate: datetime | None = None  # noqa: N815
    memo: Annotated[str, StringConstraints(max_length=5000)] | None = None


class InvoicePatch(DolfinIn):
    customerId: Uuid | None = None  # noqa: N815
    currency: Annotated[str, StringConstraints(max_length=3)] | None = None
    lineItems: list[LineItemIn] | None = Field(default=None, max_length=1000)  # noqa: N815
    dueDate: datetime | None = None  # noqa: N815
    memo: Annotated[str, StringConstraints(max_length=5000)] | None = None


Reminder = Literal["OneWeekBefore", "TwoDaysBefore", "OnDueDate", "TwoDaysAfter",
                   "OneWeekAfter"]


class SendIn(DolfinIn):
    """Accepted and validated; Folio does not send e-mail yet, so these are not used."""

    tone: Literal["Friendly", "Direct", "Formal"] | None = None
    subject: Text | None = None
    previewText: Text | None = None  # noqa: N815
    greetingLine: Text | None = None  # noqa: N815
    openingBodyMarkdown: Annotated[str, StringConstraints(max_length=5000)] | None = None  # noqa: N815
    reminders: list[Reminder] | None = None


class PaymentIn(DolfinIn):
    amount: PositiveMoney
    paidAt: datetime | None = None  # noqa: N815
    notes: Text | None = None


class CreditNoteIn(DolfinIn):
    amount: PositiveMoney
    reason: Annotated[str, StringConstraints(max_length=5000)] | None = None
    invoiceLineItemId: Uuid | None = None  # noqa: N815
    taxRateId: Uuid | None = None  # noqa: N815


# response shapes (documented from vendors.md; used by the tests)

DecimalOut = str
Obj = dict[str, Any]


class Cursors(BaseModel):
    current: str | None
    next: str | None
    previous: str | None


class Meta(BaseModel):
    cursors: Cursors


class ListOut(BaseModel):
    data: list[Obj]
    meta: Meta


class CustomerOut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    organisationId: str  # noqa: N815
    name: str
    email: str | None
    phone: str | None
    taxNumber: str | None  # noqa: N815
    addressLine1: str | None  # noqa: N815
    addressLine2: str | None  # noqa: N815
    city: str | None
    state: str | None
    postalCode: str | None  # noqa: N815
    country: str | None
    createdAt: str  # noqa: N815
    createdBy: str | None  # noqa: N815
    updatedAt: str  # noqa: N815
    updatedBy: str | None  # noqa: N815


class ProductOut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    organisationId: str  # noqa: N815
    name: str
    currency: str | None
    description: str | None
    unitPrice: DecimalOut | None  # noqa: N815
    type: Literal["Product", "Service"]
    createdAt: str  # noqa: N815
    createdBy: str | None  # noqa: N815
    updatedAt: str  # noqa: N815
    updatedBy: str | None  # noqa: N815


class TaxRateOut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    organisationId: str  # noqa: N815
    code: str
    name: str
    rate: DecimalOut
    description: str | None
    country: str | None
    inclusive: bool
    isActive: bool  # noqa: N815
    source: str
    sourceId: str | None  # noqa: N815
    createdAt: str  # noqa: N815
    createdBy: str | None  # noqa: N815
    updatedAt: str  # noqa: N815
    updatedBy: str | None  # noqa: N815


class TaxRateSnapshotOut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str
    name: str
    source: str
    rate: DecimalOut
    sourceId: str | None  # noqa: N815
    snapshottedAt: str | None  # noqa: N815


class PaymentOut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    invoiceId: str  # noqa: N815
    organisationId: str  # noqa: N815
    currency: str
    amount: DecimalOut
    status: str
    provider: Literal["Stripe", "Manual"] | None
    providerReference: str  # noqa: N815
    chargeReference: str | None  # noqa: N815
    applicationFeeAmount: DecimalOut | None  # noqa: N815
    notes: str | None
    receiptUrl: str | None  # noqa: N815
    receiptEmail: str | None  # noqa: N815
    paymentMethod: Obj | None  # noqa: N815
    billing: Obj | None
    risk: Obj | None
    succeededAt: str | None  # noqa: N815
    createdAt: str  # noqa: N815


class CreditNoteOut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    organisationId: str  # noqa: N815
    invoiceId: str  # noqa: N815
    currency: str
    documentNumber: str | None  # noqa: N815
    amount: DecimalOut
    netAmount: DecimalOut  # noqa: N815
    taxAmount: DecimalOut  # noqa: N815
    taxRateId: str | None  # noqa: N815
    taxRateSnapshot: TaxRateSnapshotOut | None  # noqa: N815
    invoiceLineItemId: str | None  # noqa: N815
    reason: str | None
    status: Literal["Draft", "Issuing", "Issued", "Void"]
    issuedAt: str | None  # noqa: N815
    createdAt: str  # noqa: N815
    createdBy: str | None  # noqa: N815
    updatedAt: str  # noqa: N815
    updatedBy: str | None  # noqa: N815


class Problem(BaseModel):
    type: str
    title: str
    status: int
    detail: str
    code: str
