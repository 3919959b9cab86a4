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
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from folio.db.base import Base, TenantOwned
from folio.db.models.catalog import Customer
from folio.db.types import DecimalText
from folio.domain.calculation import amount_due as due_amount


class Invoice(TenantOwned, Base):
    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint("account_id", "livemode", "number"),
        Index("ix_invoices_account_list", "account_id", "livemode", "id"),
    )
    id_prefix = "in"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    number: Mapped[str | None] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3))
    collection_method: Mapped[str] = mapped_column(String(24), default="charge_automatically")
    days_until_due: Mapped[int | None] = mapped_column(Integer)
    due_date: Mapped[int | None] = mapped_column(BigInteger)
    rounding_mode: Mapped[str] = mapped_column(String(10), default="half_up")
    description: Mapped[str | None] = mapped_column(Text)
    memo: Mapped[str | None] = mapped_column(Text)
    footer: Mapped[str | None] = mapped_column(Text)
    po_number: Mapped[str | None] = mapped_column(String(100))
    reference: Mapped[str | None] = mapped_column(String(100))
    period_start: Mapped[int | None] = mapped_column(BigInteger)
    period_end: Mapped[int | None] = mapped_column(BigInteger)
    plan_name: Mapped[str | None] = mapped_column(String(200))
    subscription_ref: Mapped[str | None] = mapped_column(String(64))
    recurring_schedule_ref: Mapped[str | None] = mapped_column(String(64))
    recurring_occurrence: Mapped[int | None] = mapped_column(Integer)
    # how the invoice came to be (recurring, adjustment, ...) and who bears payment fees;
    # both are recorded for the vendor faces (Commet invoiceType, Dollr fee_bearer)
    invoice_type: Mapped[str | None] = mapped_column(String(24))
    fee_bearer: Mapped[str | None] = mapped_column(String(8))
    as_payment_link: Mapped[bool] = mapped_column(Boolean, default=False)
    # draw on the customer's credit balance at finalization (recurring invoices do)
    apply_credit_balance: Mapped[bool] = mapped_column(Boolean, default=False)
    # draft inputs: tax rate public ids applied to lines without their own, and discounts
    default_tax_rates: Mapped[list[Any]] = mapped_column(JSON, default=list)
    discounts: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # computed amounts (integer minor units), frozen at finalization
    subtotal: Mapped[int] = mapped_column(BigInteger, default=0)
    discount_total: Mapped[int] = mapped_column(BigInteger, default=0)
    tax_total: Mapped[int] = mapped_column(BigInteger, default=0)
    total: Mapped[int] = mapped_column(BigInteger, default=0)
    credit_applied: Mapped[int] = mapped_column(BigInteger, default=0)  # from the balance
    # a negative total moved to the customer's credit balance at finalization (positive)
    credit_granted: Mapped[int] = mapped_column(BigInteger, default=0)
    tax_breakdown: Mapped[list[Any]] = mapped_column(JSON, default=list)
    amount_paid: Mapped[int] = mapped_column(BigInteger, default=0)
    amount_credited: Mapped[int] = mapped_column(BigInteger, default=0)  # before payment
    post_payment_credited: Mapped[int] = mapped_column(BigInteger, default=0)
    customer_snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    seller_snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the account at finalize
    finalized_at: Mapped[int | None] = mapped_column(BigInteger)
    sent_at: Mapped[int | None] = mapped_column(BigInteger)
    paid_at: Mapped[int | None] = mapped_column(BigInteger)
    voided_at: Mapped[int | None] = mapped_column(BigInteger)
    marked_uncollectible_at: Mapped[int | None] = mapped_column(BigInteger)
    updated: Mapped[int] = mapped_column(BigInteger, default=0)
    # the capability in the hosted invoice page's URL: given at finalization, rotatable
    hosted_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    # automatic collection (Stripe's fields): gateway attempts made, and when the next
    # retry is due on the account's dunning schedule (None: none planned)
    attempt_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_payment_attempt: Mapped[int | None] = mapped_column(BigInteger)
    # reminder days relative to the due date for this invoice; None: the account's
    reminder_offsets: Mapped[list[Any] | None] = mapped_column(JSON)

    customer: Mapped[Customer] = relationship(lazy="joined", innerjoin=True)
    lines: Mapped[list[InvoiceLine]] = relationship(
        back_populates="invoice", order_by="InvoiceLine.position", lazy="selectin",
        cascade="all, delete-orphan",
    )

    @property
    def amount_due(self) -> int:
        return due_amount(self.total, self.amount_paid, self.amount_credited,
                          self.credit_granted)


class InvoiceLine(TenantOwned, Base):
    __tablename__ = "invoice_lines"
    id_prefix = "il"

    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(16), default="one_off")
    description: Mapped[str | None] = mapped_column(Text)
    # public ids of the catalogue objects the line was made from (a record, not a link)
    product_ref: Mapped[str | None] = mapped_column(String(40))
    price_ref: Mapped[str | None] = mapped_column(String(40))
    quantity: Mapped[Decimal] = mapped_column(DecimalText)
    unit_amount_decimal: Mapped[Decimal] = mapped_column(DecimalText)
    unit_code: Mapped[str | None] = mapped_column(String(8))
    tax_rate_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    line_discounts: Mapped[list[Any]] = mapped_column(JSON, default=list)
    amount: Mapped[int] = mapped_column(BigInteger, default=0)
    discount_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    credit_amount: Mapped[int] = mapped_column(BigInteger, default=0)  # its share of credit
    tax_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    taxes: Mapped[list[Any]] = mapped_column(JSON, default=list)  # snapshot per rate
    feature_name: Mapped[str | None] = mapped_column(String(200))
    period_start: Mapped[int | None] = mapped_column(BigInteger)
    period_end: Mapped[int | None] = mapped_column(BigInteger)
    included_quantity: Mapped[Decimal | None] = mapped_column(DecimalText)
    used_quantity: Mapped[Decimal | None] = mapped_column(DecimalText)
    overage_quantity: Mapped[Decimal | None] = mapped_column(DecimalText)
    # how a tiered usage line was priced, tier by tier (billing runs); None otherwise
    tiers: Mapped[list[Any] | None] = mapped_column(JSON)

    invoice: Mapped[Invoice] = relationship(back_populates="lines")
