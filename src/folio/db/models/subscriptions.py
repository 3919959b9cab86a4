"""Plans, subscriptions, the billed periods of subscriptions, and test clocks."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from folio.db.base import Base, TenantOwned
from folio.db.models.catalog import Customer
from folio.db.models.invoices import Invoice
from folio.db.types import DecimalText, IntPK


class TestClock(TenantOwned, Base):
    """A frozen time that customers attached to it (and their subscriptions) live on.
    Test mode only; advancing it runs every billing event in between."""

    __tablename__ = "test_clocks"
    __test__ = False  # not a pytest class
    id_prefix = "clock"

    name: Mapped[str | None] = mapped_column(String(200))
    frozen_time: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16), default="ready")  # ready | advancing
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class Plan(TenantOwned, Base):
    """A base price per interval and features. What is charged never changes after
    creation (a new price is a new plan), so every invoice of a period means one thing."""

    __tablename__ = "plans"
    id_prefix = "plan"

    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(String(500))
    currency: Mapped[str] = mapped_column(String(3))
    interval: Mapped[str] = mapped_column(String(10))  # weekly|monthly|quarterly|yearly
    interval_count: Mapped[int] = mapped_column(Integer, default=1)
    base_amount: Mapped[Decimal] = mapped_column(DecimalText)  # minor units per period
    billing_timing: Mapped[str] = mapped_column(String(12))  # in_advance | in_arrears
    trial_days: Mapped[int] = mapped_column(Integer, default=0)
    # [{code, name, kind, meter, included, charge: {model, ...}}] as the API gives them
    features: Mapped[list[Any]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated: Mapped[int] = mapped_column(BigInteger, default=0)


class Subscription(TenantOwned, Base):
    __tablename__ = "subscriptions"
    __table_args__ = (
        Index("ix_subscriptions_due", "next_billing_at"),
    )
    id_prefix = "sub"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    test_clock_id: Mapped[int | None] = mapped_column(ForeignKey("test_clocks.id"),
                                                      index=True)
    status: Mapped[str] = mapped_column(String(16))
    start_date: Mapped[int] = mapped_column(BigInteger)
    billing_anchor: Mapped[int] = mapped_column(BigInteger)
    timezone: Mapped[str] = mapped_column(String(40))
    trial_end: Mapped[int | None] = mapped_column(BigInteger)
    collection_method: Mapped[str] = mapped_column(String(24))
    days_until_due: Mapped[int | None] = mapped_column(Integer)
    seats: Mapped[int] = mapped_column(Integer, default=1)
    default_tax_rates: Mapped[list[Any]] = mapped_column(JSON, default=list)
    discounts: Mapped[list[Any]] = mapped_column(JSON, default=list)  # DiscountInput dicts
    apply_credit_balance: Mapped[bool] = mapped_column(Boolean, default=True)
    # the next boundary (index in the cycle) to bill, and when it falls; None once ended
    next_boundary: Mapped[int] = mapped_column(Integer, default=0)
    next_billing_at: Mapped[int | None] = mapped_column(BigInteger)
    current_period_start: Mapped[int | None] = mapped_column(BigInteger)
    current_period_end: Mapped[int | None] = mapped_column(BigInteger)
    cancel_at_period_end: Mapped[bool] = mapped_column(Boolean, default=False)
    canceled_at: Mapped[int | None] = mapped_column(BigInteger)
    ended_at: Mapped[int | None] = mapped_column(BigInteger)
    paused_at: Mapped[int | None] = mapped_column(BigInteger)
    # proration lines waiting for the next invoice: [{description, amount, start, end}]
    pending_prorations: Mapped[list[Any]] = mapped_column(JSON, default=list)
    updated: Mapped[int] = mapped_column(BigInteger, default=0)

    customer: Mapped[Customer] = relationship(lazy="joined", innerjoin=True)
    plan: Mapped[Plan] = relationship(lazy="joined", innerjoin=True)


class BillingPeriod(Base):
    """One billed boundary of a subscription. The unique constraint is what makes a
    billing run (or two racing) create at most one invoice per subscription and period."""

    __tablename__ = "billing_periods"
    __table_args__ = (UniqueConstraint("subscription_id", "boundary"),)

    id: Mapped[int] = mapped_column(IntPK, primary_key=True, autoincrement=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscriptions.id"))
    boundary: Mapped[int] = mapped_column(Integer)
    billed_at: Mapped[int] = mapped_column(BigInteger)
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"))

    invoice: Mapped[Invoice | None] = relationship()
