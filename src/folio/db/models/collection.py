"""Collection and recurring schedules: customers' saved payment methods, recurring invoice
schedules and the occurrences they generated."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from folio.db.base import Base, TenantOwned
from folio.db.models.catalog import Customer
from folio.db.types import IntPK


class PaymentMethod(TenantOwned, Base):
    """A card a customer saved. Only what a receipt may show (brand, last four digits,
    expiry) and the gateway's token are stored, never the card number."""

    __tablename__ = "payment_methods"
    __table_args__ = (Index("ix_payment_methods_customer_list", "customer_id", "id"),)
    id_prefix = "pm"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    type: Mapped[str] = mapped_column(String(16), default="card")
    gateway: Mapped[str] = mapped_column(String(32))
    gateway_token: Mapped[str] = mapped_column(String(100))
    brand: Mapped[str] = mapped_column(String(16))
    last4: Mapped[str] = mapped_column(String(4))
    exp_month: Mapped[int] = mapped_column(Integer)
    exp_year: Mapped[int] = mapped_column(Integer)
    detached_at: Mapped[int | None] = mapped_column(BigInteger)

    customer: Mapped[Customer] = relationship(lazy="joined", innerjoin=True)

    @property
    def masked(self) -> str:
        return f"{self.brand} ****{self.last4}"


class RecurringSchedule(TenantOwned, Base):
    """A template invoice issued on a frequency or an RFC 5545 rule. Occurrences are
    numbered from 1 in the rule's order; `next_occurrence` is the next one to issue and
    `next_run_at` its time (None once completed or canceled)."""

    __tablename__ = "recurring_schedules"
    __table_args__ = (Index("ix_recurring_schedules_due", "status", "next_run_at"),
                      Index("ix_recurring_schedules_account_list", "account_id", "livemode",
                            "id"))
    id_prefix = "rsch"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="active")
    currency: Mapped[str] = mapped_column(String(3))
    # the invoice every occurrence starts from: lines, tax rates, memo, collection
    template: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    interval: Mapped[str | None] = mapped_column(String(8))  # day | week | month | year
    interval_count: Mapped[int | None] = mapped_column(Integer)
    rrule: Mapped[str | None] = mapped_column(Text)
    start_at: Mapped[int] = mapped_column(BigInteger)
    end_at: Mapped[int | None] = mapped_column(BigInteger)
    count: Mapped[int | None] = mapped_column(Integer)
    auto_finalize: Mapped[bool] = mapped_column(Boolean, default=True)
    auto_send: Mapped[bool] = mapped_column(Boolean, default=False)
    next_occurrence: Mapped[int] = mapped_column(Integer, default=1)
    next_run_at: Mapped[int | None] = mapped_column(BigInteger)
    invoices_created: Mapped[int] = mapped_column(Integer, default=0)
    paused_at: Mapped[int | None] = mapped_column(BigInteger)
    canceled_at: Mapped[int | None] = mapped_column(BigInteger)
    completed_at: Mapped[int | None] = mapped_column(BigInteger)
    updated: Mapped[int] = mapped_column(BigInteger, default=0)

    customer: Mapped[Customer] = relationship(lazy="joined", innerjoin=True)


class RecurringOccurrence(Base):
    """One issued occurrence of a schedule. UNIQUE (schedule, number): two runners racing
    for the same occurrence cannot both issue it."""

    __tablename__ = "recurring_occurrences"
    __table_args__ = (UniqueConstraint("schedule_id", "occurrence"),)

    id: Mapped[int] = mapped_column(IntPK, primary_key=True, autoincrement=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("recurring_schedules.id"))
    occurrence: Mapped[int] = mapped_column(Integer)
    scheduled_at: Mapped[int] = mapped_column(BigInteger)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    created: Mapped[int] = mapped_column(BigInteger)
