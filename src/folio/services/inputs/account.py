"""Validated inputs of the acting account's own settings: seller details, dunning,
branding and e-mail delivery."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from folio.services.inputs.common import (
    Address,
    EInvoiceAddress,
    Email,
    Input,
    Name,
    ReminderOffsets,
    WithMetadata,
)

LOGO_MAX_BYTES = 256 * 1024
LOGO_BASE64_MAX = 4 * -(-LOGO_MAX_BYTES // 3) + 4  # base64 of the largest logo, padding

IdText = Annotated[str, StringConstraints(min_length=1, max_length=40)]


class SmtpSettings(Input):
    """The account's SMTP server for invoice e-mails. An omitted password is kept; the
    password is never returned."""

    host: Annotated[str, StringConstraints(min_length=1, max_length=255,
                                           pattern=r"^[A-Za-z0-9._:\[\]-]+$")]
    port: Annotated[int, Field(ge=1, le=65535)] | None = None
    tls: Literal["none", "starttls", "tls"] = "starttls"
    username: Annotated[str, StringConstraints(max_length=255)] | None = None
    password: Annotated[str, StringConstraints(max_length=255)] | None = None
    from_email: Email | None = None
    from_name: Annotated[str, StringConstraints(max_length=200)] | None = None


class AccountUpdate(WithMetadata):
    """The acting account's own settings: its seller details on documents (EN 16931
    BG-4 and the payment instructions) and whether it requires e-invoicing."""

    name: Name | None = None
    email: Email | None = None
    legal_name: Name | None = None
    address: Address | None = None
    vat_id: IdText | None = None
    tax_registration_id: IdText | None = None
    legal_registration_id: IdText | None = None
    einvoice_address: EInvoiceAddress | None = None
    iban: Annotated[str, StringConstraints(min_length=5, max_length=42)] | None = None
    bic: Annotated[str, StringConstraints(min_length=8, max_length=11)] | None = None
    payment_terms: Annotated[str, StringConstraints(max_length=1000)] | None = None
    einvoice_required: bool | None = None
    # dunning of automatic charges: retry days after the first failure, then the action
    dunning_retry_days: list[Annotated[int, Field(ge=1, le=90)]] | None = Field(
        default=None, max_length=10)
    dunning_final_action: Literal["mark_uncollectible", "leave_open"] | None = None
    subscription_dunning_action: Literal["cancel", "leave_past_due"] | None = None
    # PDF branding: a PNG or SVG logo as base64 (at most 256 KiB decoded; null removes
    # it) and a brand colour "#rrggbb"
    logo: Annotated[str, StringConstraints(min_length=1, max_length=LOGO_BASE64_MAX)
                    ] | None = None
    brand_color: Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")] | None = None
    # e-mail delivery (docs/adr/0014): null removes the account's SMTP server
    smtp: SmtpSettings | None = None
    reminder_offsets: ReminderOffsets | None = None
