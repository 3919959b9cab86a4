"""Commet request and response shapes (camelCase on the wire)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints, field_validator
from pydantic.alias_generators import to_camel

from folio.services.inputs.common import Email, Metadata

TimeZone = Literal["UTC", "America/New_York", "America/Chicago", "America/Denver",
                   "America/Los_Angeles", "America/Sao_Paulo", "America/Mexico_City",
                   "America/Buenos_Aires", "America/Santiago", "America/Bogota", "America/Lima",
                   "America/Asuncion", "Europe/London", "Europe/Paris", "Europe/Berlin",
                   "Europe/Madrid", "Asia/Tokyo", "Asia/Shanghai", "Asia/Singapore",
                   "Asia/Dubai", "Australia/Sydney"]
T = TypeVar("T")
CommetStatus = Literal["draft", "outstanding", "paid", "void", "uncollectible"]
Text = Annotated[str, StringConstraints(min_length=1, max_length=500, strip_whitespace=True)]
Id = Annotated[str, StringConstraints(min_length=1, max_length=100)]


def _no_nul(value: Any) -> Any:
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("must not contain NUL characters")
    if isinstance(value, dict):
        for k, v in value.items():
            _no_nul(k)
            _no_nul(v)
    return value


class In(BaseModel):
    """Unknown fields are ignored, as a vendor API does for fields it does not know."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")

    _nul = field_validator("*")(_no_nul)


class InvoiceCreateIn(In):
    customer_id: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    amount: Annotated[StrictInt, Field(ge=-(10**12), le=10**12)]
    description: Text
    metadata: Metadata | None = None


# the currencies Commet grants credit in (SDK 2026-07-31)
CreditCurrency = Literal["usd", "ars", "brl", "clp", "cop", "pen", "uyu", "pyg", "bob", "mxn",
                         "cad", "eur", "jpy", "cny", "krw", "hkd", "sgd", "twd", "inr", "thb"]


class CreditCreateIn(In):
    amount: Annotated[StrictInt, Field(gt=0, le=10**12)]
    currency: CreditCurrency
    reason: Text
    expires_at: datetime | None = None


class StatusIn(In):
    status: Literal["paid", "void"]


class AddressIn(In):
    line1: Annotated[str, StringConstraints(max_length=500)] | None = None
    line2: Annotated[str, StringConstraints(max_length=500)] | None = None
    city: Annotated[str, StringConstraints(max_length=500)] | None = None
    state: Annotated[str, StringConstraints(max_length=500)] | None = None
    postal_code: Annotated[str, StringConstraints(max_length=20)] | None = None
    country: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$")] | None = None
    region: Annotated[str, StringConstraints(max_length=500)] | None = None


class CustomerCreateIn(In):
    email: Annotated[Email, StringConstraints(max_length=200)]
    id: Id | None = None
    external_id: Id | None = None
    full_name: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    tax_document: Annotated[str, StringConstraints(max_length=40)] | None = None
    address: AddressIn | None = None
    timezone: TimeZone = "UTC"
    metadata: Metadata | None = None


class CustomerUpdateIn(In):
    email: Annotated[Email, StringConstraints(max_length=200)] | None = None
    external_id: Id | None = None
    full_name: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    tax_document: Annotated[str, StringConstraints(max_length=40)] | None = None
    address: AddressIn | None = None
    timezone: TimeZone | None = None
    metadata: Metadata | None = None


# --- responses (documentation, and the contract tests of the endpoints beyond the seed) ---

class Out(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class LineItemOut(Out):
    lineType: Literal["plan_base", "feature_overage", "feature_seats", "feature_quota",  # noqa: N815
                      "discount", "promo_code_discount", "credit", "balance_overage",
                      "addon_base"]
    featureName: str | None  # noqa: N815
    description: str
    quantity: int
    unitAmount: int  # noqa: N815
    amount: int
    includedAmount: int | None  # noqa: N815
    usedAmount: int | None  # noqa: N815
    overageAmount: int | None  # noqa: N815
    discountType: str | None  # noqa: N815
    discountValue: int | None  # noqa: N815
    discountName: str | None  # noqa: N815
    chargeType: Literal["standard", "advance", "true_up"]  # noqa: N815


InvoiceType = Literal["recurring", "overage", "plan_change", "adjustment", "credit_purchase",
                      "balance_topup", "addon_activation"]


class CreatedInvoiceOut(Out):
    id: str
    customerId: str  # noqa: N815
    invoiceNumber: str | None  # noqa: N815
    status: CommetStatus
    invoiceType: InvoiceType  # noqa: N815
    currency: str
    subtotal: int
    taxAmount: int  # noqa: N815
    total: int
    issueDate: str | None  # noqa: N815
    dueDate: str | None  # noqa: N815
    memo: str | None
    metadata: dict[str, Any]
    createdAt: str  # noqa: N815
    updatedAt: str  # noqa: N815
    object: Literal["invoice"]
    livemode: bool


class InvoiceOut(CreatedInvoiceOut):
    subscriptionId: str | None  # noqa: N815
    discountAmount: int  # noqa: N815
    creditApplied: int | None  # noqa: N815
    periodStart: str | None  # noqa: N815
    periodEnd: str | None  # noqa: N815
    planName: str | None  # noqa: N815
    poNumber: str | None  # noqa: N815
    reference: str | None
    lineItems: list[LineItemOut]  # noqa: N815


class StatusOut(Out):
    id: str
    status: CommetStatus
    updatedAt: str  # noqa: N815
    object: Literal["invoice"]
    livemode: bool


class SentOut(Out):
    sent: Literal[True]
    sentAt: str  # noqa: N815
    object: Literal["invoice"]
    livemode: bool


class DownloadLinkOut(Out):
    url: str
    expiresAt: str  # noqa: N815
    object: Literal["invoice"]
    livemode: bool


class CustomerOut(Out):
    id: str
    externalId: str | None  # noqa: N815
    fullName: str | None  # noqa: N815
    email: str | None
    timezone: str | None
    metadata: dict[str, Any] | None
    createdAt: str  # noqa: N815
    updatedAt: str  # noqa: N815
    object: Literal["customer"]
    livemode: bool


CreditStatus = Literal["active", "exhausted", "expired", "revoked"]


class CreditOut(Out):
    id: str
    customerId: str  # noqa: N815
    amount: int
    remainingAmount: int  # noqa: N815
    appliedAmount: int  # noqa: N815
    currency: str
    reason: str | None
    status: CreditStatus
    expiresAt: str | None  # noqa: N815
    revokedAt: str | None  # noqa: N815
    sourceInvoiceId: str | None  # noqa: N815
    createdAt: str  # noqa: N815
    object: Literal["customer_credit"]
    livemode: bool


class CreditRevocationOut(Out):
    id: str
    customerId: str  # noqa: N815
    currency: str
    revokedAmount: int  # noqa: N815
    appliedAmount: int  # noqa: N815
    revokedAt: str  # noqa: N815
    object: Literal["customer_credit_revocation"]
    livemode: bool


class Envelope(Out, Generic[T]):
    success: Literal[True]
    data: T


class ListEnvelope(Out, Generic[T]):
    success: Literal[True]
    data: list[T]
    hasMore: bool  # noqa: N815
    nextCursor: str | None  # noqa: N815


class ErrorOut(Out):
    type: str
    code: str
    message: str
    param: str | None
    details: Any
    doc_url: str | None


class ErrorEnvelope(Out):
    success: Literal[False]
    error: ErrorOut
