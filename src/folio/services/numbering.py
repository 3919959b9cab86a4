"""Gapless numbers: one atomic counter row per series, taken inside the caller's
transaction. A rollback gives the number back; concurrent takers queue on the row lock
(PostgreSQL) or on the database write lock (SQLite, BEGIN IMMEDIATE)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from folio.db.models import NumberSeries
from folio.domain.numbering import slot_for
from folio.services.context import Ctx


def _increment(ctx: Ctx, key: str) -> int | None:
    stmt = (
        update(NumberSeries)
        .where(NumberSeries.account_id == ctx.account.id,
               NumberSeries.livemode == ctx.livemode, NumberSeries.key == key)
        .values(last_value=NumberSeries.last_value + 1)
        .returning(NumberSeries.last_value)
    )
    value = ctx.session.execute(stmt).scalar_one_or_none()
    return None if value is None else int(value)


def take_number(ctx: Ctx, pattern: str, *, customer_prefix: str) -> str:
    moment = datetime.fromtimestamp(ctx.now(), tz=UTC)
    slot = slot_for(pattern, year=moment.year, month=moment.month,
                    customer_prefix=customer_prefix)
    value = _increment(ctx, slot.key)
    if value is None:
        try:
            with ctx.session.begin_nested():
                ctx.session.add(NumberSeries(account_id=ctx.account.id, livemode=ctx.livemode,
                                             key=slot.key, last_value=1))
            value = 1
        except IntegrityError:  # another transaction opened the series first
            value = _increment(ctx, slot.key)
            assert value is not None
    return slot.format(value)
