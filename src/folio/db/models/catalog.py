from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from folio.db.base import Base, TenantOwned
from folio.db.types import DecimalText


class Customer(TenantOwned, Base):
    __tablename__ = "customers"
    __table_args__ = (UniqueConstraint("account_id", "livemode", "invoice_prefix"),)
    id_prefix = "cus"

    name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(40))
    description: Mapped[str | None] = mapped_column(Text)
    address: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    tax_id: Mapped[str | None] = mapped_column(String(40))
    tax_exempt: Mapped[str] = mapped_column(String(10), default="none")
    locale: Mapped[str | None] = mapped_column(String(10))
    currency: Mapped[str | None] = mapped_column(String(3))
    invoice_prefix: Mapped[str] = mapped_column(String(12))
    external_id: Mapped[str | None] = mapped_column(String(100), index=True)
    timezone: Mapped[str | None] = mapped_column(String(40))
    relationship_type: Mapped[str | None] = mapped_column(String(20))
    updated: Mapped[int | None] = mapped_column(BigInteger)
    einvoice_address: Mapped[str | None] = mapped_column(String(120))  # "scheme:identifier"
    # the public id of the saved payment method charge_automatically invoices are charged to
    default_payment_method: Mapped[str | None] = mapped_column(String(40))
    # test mode: the customer (and its subscriptions) live on this clock's time
    test_clock_id: Mapped[int | None] = mapped_column(ForeignKey("test_clocks.id"))
    contacts: Mapped[list[CustomerContact]] = relationship(
        back_populates="customer", order_by="CustomerContact.id", lazy="select"
    )


class CustomerContact(TenantOwned, Base):
    __tablename__ = "customer_contacts"
    id_prefix = "ctc"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(40))
    roles: Mapped[list[Any]] = mapped_column(JSON, default=list)
    login_id: Mapped[str | None] = mapped_column(String(200))
    customer: Mapped[Customer] = relationship(back_populates="contacts")


class Product(TenantOwned, Base):
    __tablename__ = "products"
    id_prefix = "prod"

    name: Mapped[str] = mapped_column(String(250))
    description: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    unit_label: Mapped[str | None] = mapped_column(String(20))
    unit_code: Mapped[str | None] = mapped_column(String(8))  # UN/ECE Rec 20, e.g. C62, HUR
    product_type: Mapped[str | None] = mapped_column(String(16))  # product | service
    updated: Mapped[int] = mapped_column(BigInteger, default=0)


class Price(TenantOwned, Base):
    __tablename__ = "prices"
    id_prefix = "price"

    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    unit_amount_decimal: Mapped[Decimal] = mapped_column(DecimalText)
    type: Mapped[str] = mapped_column(String(10))  # one_time | recurring
    recurring_interval: Mapped[str | None] = mapped_column(String(10))
    recurring_interval_count: Mapped[int | None] = mapped_column(Integer)
    tax_behavior: Mapped[str] = mapped_column(String(12), default="unspecified")
    nickname: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    product: Mapped[Product] = relationship(lazy="joined", innerjoin=True)


class TaxRate(TenantOwned, Base):
    __tablename__ = "tax_rates"
    id_prefix = "txr"

    display_name: Mapped[str] = mapped_column(String(50))
    description: Mapped[str | None] = mapped_column(Text)
    percentage: Mapped[Decimal] = mapped_column(DecimalText)
    inclusive: Mapped[bool] = mapped_column(Boolean)
    country: Mapped[str | None] = mapped_column(String(2))
    state: Mapped[str | None] = mapped_column(String(20))
    jurisdiction: Mapped[str | None] = mapped_column(String(50))
    tax_type: Mapped[str | None] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(4), default="S")  # EN 16931 VAT category
    exemption_reason: Mapped[str | None] = mapped_column(Text)  # BT-120
    exemption_reason_code: Mapped[str | None] = mapped_column(String(30))  # BT-121 (VATEX)
    code: Mapped[str | None] = mapped_column(String(40))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Coupon(TenantOwned, Base):
    __tablename__ = "coupons"
    id_prefix = "coupon"

    name: Mapped[str | None] = mapped_column(String(100))
    percent_off: Mapped[Decimal | None] = mapped_column(DecimalText)
    amount_off: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str | None] = mapped_column(String(3))
    duration: Mapped[str] = mapped_column(String(10), default="once")
    duration_in_months: Mapped[int | None] = mapped_column(Integer)
    max_redemptions: Mapped[int | None] = mapped_column(Integer)
    times_redeemed: Mapped[int] = mapped_column(Integer, default=0)
    valid: Mapped[bool] = mapped_column(Boolean, default=True)
