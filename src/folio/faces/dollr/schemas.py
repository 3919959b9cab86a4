"""Dollr's request and response bodies (seed 003 and vendors.md section 3)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

ObjectIdInt = Annotated[int, Field(ge=1, le=2**63 - 1)]
Currency = Annotated[str, StringConstraints(min_length=3, max_length=3,
                                            pattern=r"^[A-Za-z]{3}$")]
FeeBearer = Literal["PAYER", "PAYEE"]
RelationshipType = Literal["CUSTOMER", "SUPPLIER", "EMPLOYEE", "BENEFICIARY", "FRIEND",
                           "FAMILY", "DONOR", "DONEE", "CONTACT", "SERVICE_PROVIDER",
                           "PARTNER", "SELF"]
InvoiceStatus = Literal["IDLE", "ACTIVE", "PROCESSING", "PAID", "CANCELED"]
Note = Annotated[str, StringConstraints(max_length=5000)]
Reference = Annotated[str, StringConstraints(max_length=100)]
ItemName = Annotated[str, StringConstraints(min_length=1, max_length=500)]
Qty = Annotated[int, Field(ge=1, le=10**9)]
Amount = Annotated[Decimal, Field(ge=Decimal("0.01"), le=Decimal(10**12),
                                  allow_inf_nan=False)]
Money = float | int


def _no_nul(value: Any) -> Any:
    if isinstance(value, str) and "\x00" in value:  # PostgreSQL text cannot hold NUL
        raise ValueError("must not contain NUL characters")
    return value


def _in_range(value: datetime | None) -> datetime | None:
    if value is not None and not 1970 <= value.year <= 2999:
        raise ValueError("must be between 1970 and 2999")
    return value


class Body(BaseModel):
    """Requests ignore unknown fields, as FastAPI's default models do."""

    _nul = field_validator("*")(_no_nul)


class TokenRequest(Body):
    client_id: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    client_secret: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class PartyCreate(Body):
    fullname: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                               max_length=200)]
    phone: Annotated[str, StringConstraints(pattern=r"^[0-9]{8,15}$")]
    email: Annotated[str, StringConstraints(max_length=320,
                                            pattern=r"^[^@\s]+@[^@\s]+$")] | None = None
    country_code: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$")] | None = None


class CounterpartyCreate(Body):
    relationship_type: RelationshipType
    party_id: ObjectIdInt | None = None


class CounterpartyUpdate(Body):
    relationship_type: RelationshipType | None = None
    party_id: ObjectIdInt | None = None


class InvoiceCreate(Body):
    counterparty_id: ObjectIdInt
    currency: Currency
    note: Note
    fee_bearer: FeeBearer
    as_payment_link: bool
    reference_id: Reference | None = None
    due_date: datetime | None = None

    _due = field_validator("due_date")(_in_range)


class InvoiceUpdate(Body):
    reference_id: Reference | None = None
    note: Note | None = None
    fee_bearer: FeeBearer | None = None
    due_date: datetime | None = None

    _due = field_validator("due_date")(_in_range)


class ItemAdd(Body):
    name: ItemName
    currency: Currency
    qty: Qty
    amount: Amount


class ItemUpdate(Body):
    name: ItemName | None = None
    qty: Qty | None = None
    amount: Amount | None = None


# --- responses (extra="forbid" so the tests catch any field the vendor does not have) --

class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TokenOut(Out):
    access_token: str
    token_type: Literal["bearer"]
    expires_in: int = Field(description="Minutes")


class PartyOut(Out):
    id: int
    fullname: str
    email: str | None
    phone: Annotated[str, StringConstraints(min_length=8, max_length=15)] | None
    country_code: str | None
    created_at: datetime
    updated_at: datetime


class CounterpartyOut(Out):
    id: int
    relationship_type: RelationshipType
    party_id: int | None
    created_at: datetime
    updated_at: datetime


class CounterpartyWithPartyOut(Out):
    id: int
    owner_party_type: str
    owner_party_id: int
    relationship_type: RelationshipType
    created_at: datetime
    updated_at: datetime
    party: PartyOut | None


class ItemOut(Out):
    id: int
    name: str
    currency: Annotated[str, StringConstraints(min_length=3, max_length=3)]
    qty: int
    amount: Money
    created_at: datetime
    updated_at: datetime


class InvoiceOut(Out):
    id: int
    reference_id: str | None
    invoice_number: str
    counterparty_id: int
    currency: Annotated[str, StringConstraints(min_length=3, max_length=3)]
    total_amount: Money
    status: InvoiceStatus
    note: str
    fee_bearer: FeeBearer
    due_date: datetime
    paid_at: datetime | None
    as_payment_link: bool
    owner_id: int
    owner_type: str
    created_at: datetime
    updated_at: datetime


class InvoiceDetailOut(InvoiceOut):
    invoice_items: list[ItemOut] | None
    counterparty: CounterpartyWithPartyOut | None


class ReceiptItemOut(Out):
    id: int
    name: str
    qty: int
    amount: Money
    currency: str


class ReceiptOut(Out):
    invoice_id: int
    invoice_number: str
    reference_id: str | None
    currency: str
    total_amount: Money
    status: Literal["PAID"]
    note: str
    due_date: datetime
    as_payment_link: bool
    fee_bearer: FeeBearer
    owner_id: int
    owner_type: str
    created_at: datetime
    counterparty_id: int
    relationship_type: RelationshipType
    counterparty_name: str | None
    counterparty_phone: str | None
    counterparty_email: str | None
    paid_at: datetime | None
    payer_amount: Money
    payer_currency: str
    payee_amount: Money
    payee_currency: str
    platform_fee: Money | None
    platform_currency: str | None
    gateway_fee: Money | None
    gateway_currency: str | None
    fx_fee: Money | None
    fx_rate: str | None
    fx_currency_from: str | None
    fx_currency_to: str | None
    payment_provider: str | None
    payment_method: str | None
    account_name: str | None
    gateway_confirmed_at: datetime | None
    provider_transaction_id: str | None
    items: list[ReceiptItemOut]


class Detail(Out):
    detail: str


class ValidationErrorOut(Out):
    loc: list[str | int]
    msg: str
    type: str


class HTTPValidationErrorOut(Out):
    detail: list[ValidationErrorOut]


class Empty(Out):
    pass


class LinkOut(BaseModel):
    url: str
