"""Response models of customers, their contacts and their credit grants (they document
/openapi.json; handlers return the service views directly)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from folio.api.schemas.common import Address, Out


class Contact(BaseModel):
    id: str
    object: Literal["contact"]
    name: str | None
    email: str | None
    phone: str | None
    roles: list[str]
    login_id: str | None


class CustomerOut(Out):
    object: Literal["customer"]
    name: str | None
    email: str | None
    phone: str | None
    description: str | None
    address: Address | None
    tax_id: str | None
    tax_exempt: str
    locale: str | None
    currency: str | None
    invoice_prefix: str
    external_id: str | None
    timezone: str | None
    relationship_type: str | None
    einvoice_address: str | None
    contacts: list[Contact]
    credit_balance: dict[str, int]  # usable credit now, per currency (minor units)
    default_payment_method: str | None = None
    test_clock: str | None = None  # test mode: the clock the customer lives on


class CreditApplicationOut(BaseModel):
    id: str
    object: Literal["credit_application"]
    invoice: str
    amount: int
    created: int


class CreditGrantOut(Out):
    object: Literal["credit_grant"]
    customer: str
    currency: str
    amount: int
    remaining: int
    applied: int
    revoked_amount: int
    status: Literal["active", "exhausted", "expired", "revoked"]
    reason: str | None
    expires_at: int | None
    revoked_at: int | None
    source_invoice: str | None
    applications: list[CreditApplicationOut]
