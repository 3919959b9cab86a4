"""Response models of the acting account (they document /openapi.json; handlers return
the service views directly)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from folio.api.schemas.common import Address


class LogoOut(BaseModel):
    """The account's logo on its PDFs (set it with `logo` as base64 in POST /v1/account)."""

    media_type: Literal["image/png", "image/svg+xml"]
    size: int


class SmtpOut(BaseModel):
    """The account's SMTP server; the password is never returned."""

    host: str
    port: int | None
    tls: str | None
    username: str | None
    password_set: bool
    from_email: str | None
    from_name: str | None


class AccountOut(BaseModel):
    id: str
    object: Literal["account"]
    uuid: str
    livemode: bool
    created: int
    name: str
    email: str | None
    country: str | None
    default_currency: str
    numbering_scope: str
    invoice_number_pattern: str
    legal_name: str | None
    address: Address | None
    vat_id: str | None
    tax_registration_id: str | None
    legal_registration_id: str | None
    einvoice_address: str | None
    iban: str | None
    bic: str | None
    payment_terms: str | None
    einvoice_required: bool
    dunning_retry_days: list[int]
    dunning_final_action: Literal["mark_uncollectible", "leave_open"]
    subscription_dunning_action: Literal["cancel", "leave_past_due"]
    metadata: dict[str, str]
    logo: LogoOut | None = None
    brand_color: str | None = None
    smtp: SmtpOut | None
    reminder_offsets: list[int]
