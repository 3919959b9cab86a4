"""Meters and the usage events they aggregate."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from folio.db.base import Base, TenantOwned
from folio.db.types import DecimalText, IntPK


class Meter(TenantOwned, Base):
    """A metered feature: how the usage events with its `code` add up over a period."""

    __tablename__ = "meters"
    __table_args__ = (UniqueConstraint("account_id", "livemode", "code"),)
    id_prefix = "mtr"

    code: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    aggregation: Mapped[str] = mapped_column(String(16))  # sum|count|max|unique_count|latest
    # the event property holding the value (sum, max, latest) or the key (unique_count)
    property: Mapped[str | None] = mapped_column(String(100))
    unit_label: Mapped[str | None] = mapped_column(String(40))


class UsageEvent(Base):
    """One usage event, deduplicated per account and mode by the client's `event_id`,
    which is the primary key with them: no surrogate id, since nothing reads an event
    by one, and each index is paid on every insert (ADR 11, session 5).

    Written by Core inserts only (COPY on PostgreSQL; no ORM objects on the ingestion
    path); no public id: events are read back as aggregates, never one by one. No foreign
    keys: ingestion resolves the customer (scoped to the account) in the same transaction,
    accounts and customers are never deleted, and PostgreSQL's per-row RI checks nearly
    doubled the insert time (ADR 11). `latest` breaks timestamp ties by `created`, then
    `event_id`."""

    __tablename__ = "usage_events"
    __table_args__ = (
        # a customer id belongs to one account and mode: they need not lead this index
        Index("ix_usage_events_customer_feature_time", "customer_id", "feature_code",
              "timestamp"),
    )

    account_id: Mapped[int] = mapped_column(IntPK, primary_key=True, autoincrement=False)
    livemode: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    event_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    customer_id: Mapped[int] = mapped_column(IntPK)
    feature_code: Mapped[str] = mapped_column(String(100))
    timestamp: Mapped[int] = mapped_column(BigInteger)
    # the quantity the meter aggregates, exact (text); None for count / unique_count
    value: Mapped[Decimal | None] = mapped_column(DecimalText)
    properties: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    created: Mapped[int] = mapped_column(BigInteger)
