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
from sqlalchemy.orm import Mapped, mapped_column

from folio.db.base import Base, TenantOwned
from folio.db.types import IntPK


class Event(TenantOwned, Base):
    """An event row, written in the transaction of the change it records (the outbox)."""

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_account_list", "account_id", "livemode", "id"),
        Index("ix_events_undelivered", "delivered_at"),
    )
    id_prefix = "evt"

    type: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    request_id: Mapped[str | None] = mapped_column(String(64))
    idempotency_key: Mapped[str | None] = mapped_column(String(255))
    delivered_at: Mapped[int | None] = mapped_column(BigInteger)


class IdempotencyKey(Base):
    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("account_id", "livemode", "key"),)

    id: Mapped[int] = mapped_column(IntPK, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    livemode: Mapped[bool] = mapped_column(Boolean)
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[str | None] = mapped_column(Text)
    created: Mapped[int] = mapped_column(BigInteger)


class NumberSeries(Base):
    """One gapless counter per account, mode and rendered series prefix."""

    __tablename__ = "number_series"
    __table_args__ = (UniqueConstraint("account_id", "livemode", "key"),)

    id: Mapped[int] = mapped_column(IntPK, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    livemode: Mapped[bool] = mapped_column(Boolean)
    key: Mapped[str] = mapped_column(String(120))
    last_value: Mapped[int] = mapped_column(BigInteger, default=0)
