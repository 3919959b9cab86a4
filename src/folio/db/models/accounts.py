from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from folio.db.base import Base, Identified
from folio.db.types import IntPK


class Account(Identified, Base):
    """A tenant. A platform account may own connected accounts."""

    __tablename__ = "accounts"
    id_prefix = "acct"

    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    country: Mapped[str | None] = mapped_column(String(2))
    default_currency: Mapped[str] = mapped_column(String(3), default="eur")
    platform_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    # numbering: 'account' (one series per account) or 'customer' (one per customer)
    numbering_scope: Mapped[str] = mapped_column(String(16), default="account")
    invoice_number_pattern: Mapped[str] = mapped_column(String(64), default="INV-{YYYY}-{SEQ:6}")
    credit_note_number_pattern: Mapped[str] = mapped_column(
        String(64), default="CN-{YYYY}-{SEQ:6}"
    )
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JSON, default=dict)
    # the seller on its documents (EN 16931 BG-4): snapshotted on each invoice at finalize
    legal_name: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    vat_id: Mapped[str | None] = mapped_column(String(40))
    tax_registration_id: Mapped[str | None] = mapped_column(String(40))
    legal_registration_id: Mapped[str | None] = mapped_column(String(40))
    einvoice_address: Mapped[str | None] = mapped_column(String(120))  # "scheme:identifier"
    iban: Mapped[str | None] = mapped_column(String(34))
    bic: Mapped[str | None] = mapped_column(String(11))
    payment_terms: Mapped[str | None] = mapped_column(Text)
    # finalize refuses an invoice that could not produce a valid EN 16931 e-invoice
    einvoice_required: Mapped[bool] = mapped_column(Boolean, default=False,
                                                    server_default=false())
    # dunning: retries this many days after the first failed automatic charge (None: the
    # default 1, 3, 5, 7), then 'mark_uncollectible' (None: the default) or 'leave_open'
    dunning_retry_days: Mapped[list[Any] | None] = mapped_column(JSON)
    dunning_final_action: Mapped[str | None] = mapped_column(String(24))
    # what exhausted retries do to the invoice's subscription: 'cancel' or
    # 'leave_past_due' (None: the default, leave_past_due)
    subscription_dunning_action: Mapped[str | None] = mapped_column(String(16))
    # branding of its PDFs: a PNG or SVG logo (checked at upload) and a colour "#rrggbb"
    logo: Mapped[bytes | None] = mapped_column(LargeBinary)
    logo_media_type: Mapped[str | None] = mapped_column(String(20))
    brand_color: Mapped[str | None] = mapped_column(String(7))
    # e-mail delivery (docs/adr/0014): this account's SMTP server; none set means the
    # server-wide FOLIO_SMTP_* defaults. The password is never returned by the API.
    smtp_host: Mapped[str | None] = mapped_column(String(255))
    smtp_port: Mapped[int | None] = mapped_column(Integer)
    smtp_tls: Mapped[str | None] = mapped_column(String(16))  # none | starttls | tls
    smtp_username: Mapped[str | None] = mapped_column(String(255))
    # sealed under the server secret (services.sealing): "sealed:v1:" + base64url
    smtp_password: Mapped[str | None] = mapped_column(String(512))
    smtp_from_email: Mapped[str | None] = mapped_column(String(320))
    smtp_from_name: Mapped[str | None] = mapped_column(String(200))
    # reminder days relative to the due date (-7 = a week before); None: the default set
    reminder_offsets: Mapped[list[Any] | None] = mapped_column(JSON)


class ApiKey(Base):
    """A secret key, stored only as HMAC-SHA256 of its text."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(IntPK, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    livemode: Mapped[bool] = mapped_column(Boolean)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    last4: Mapped[str] = mapped_column(String(4))
    created: Mapped[int] = mapped_column(BigInteger)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class ClientCredential(Base):
    """A client id and secret that can be exchanged for a short-lived bearer token
    (Dollr's token endpoint). The secret is stored as HMAC-SHA256, like API keys."""

    __tablename__ = "client_credentials"

    id: Mapped[int] = mapped_column(IntPK, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    livemode: Mapped[bool] = mapped_column(Boolean)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    created: Mapped[int] = mapped_column(BigInteger)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
