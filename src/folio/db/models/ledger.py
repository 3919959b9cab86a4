from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from folio.db.base import Base, TenantOwned
from folio.db.models.invoices import Invoice


class Payment(TenantOwned, Base):
    __tablename__ = "payments"
    id_prefix = "py"

    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16), default="succeeded")
    method: Mapped[str] = mapped_column(String(32), default="manual")
    reference: Mapped[str | None] = mapped_column(String(200))
    paid_at: Mapped[int] = mapped_column(BigInteger)

    invoice: Mapped[Invoice] = relationship(lazy="joined", innerjoin=True)


class CreditNote(TenantOwned, Base):
    __tablename__ = "credit_notes"
    __table_args__ = (UniqueConstraint("account_id", "livemode", "number"),)
    id_prefix = "cn"

    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    number: Mapped[str | None] = mapped_column(String(64))  # given when issued
    status: Mapped[str] = mapped_column(String(10), default="issued")
    type: Mapped[str] = mapped_column(String(16))  # pre_payment | post_payment
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[int] = mapped_column(BigInteger)  # total credited, tax included
    tax_amount: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str | None] = mapped_column(String(40))
    memo: Mapped[str | None] = mapped_column(Text)
    lines: Mapped[list[Any]] = mapped_column(JSON, default=list)
    voided_at: Mapped[int | None] = mapped_column(BigInteger)
    issued_at: Mapped[int | None] = mapped_column(BigInteger)

    invoice: Mapped[Invoice] = relationship(lazy="joined", innerjoin=True)


class ChargeAttempt(TenantOwned, Base):
    """One call to the payment gateway for one invoice. The attempt key is unique per
    account and mode, so a retried or double-submitted attempt never charges twice."""

    __tablename__ = "charge_attempts"
    __table_args__ = (UniqueConstraint("account_id", "livemode", "attempt_key"),)
    id_prefix = "ch"

    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    attempt_key: Mapped[str] = mapped_column(String(100))
    gateway: Mapped[str] = mapped_column(String(32))
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    outcome: Mapped[str] = mapped_column(String(16))  # succeeded | declined | requires_action
    decline_code: Mapped[str | None] = mapped_column(String(64))
    reference: Mapped[str | None] = mapped_column(String(100))
    payment_method: Mapped[str] = mapped_column(String(64))  # masked, e.g. visa ****4242
