"""Gapless numbers: one atomic counter row per series, taken inside the caller's
transaction. A rollback gives the number back; concurrent takers queue on the row lock
(PostgreSQL) or on the database write lock (SQLite, BEGIN IMMEDIATE)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import cast

from sqlalchemy import Table, bindparam, update
from sqlalchemy.exc import IntegrityError

from folio.db.models import NumberSeries
from folio.domain.numbering import PER_CUSTOMER_PATTERN, SeriesSlot, slot_for
from folio.services.context import Ctx

_SERIES = cast(Table, NumberSeries.__table__)

# `_increment` by one with bind parameters (account_id, livemode, key): the statement the
# hot write lane (services/invoice_fast_writes.py) runs on its raw connection
INCREMENT_ONE = (
    update(_SERIES)
    .where(_SERIES.c.account_id == bindparam("account_id"),
           _SERIES.c.livemode == bindparam("livemode"), _SERIES.c.key == bindparam("key"))
    .values(last_value=_SERIES.c.last_value + 1)
    .returning(_SERIES.c.last_value)
)


def invoice_pattern(numbering_scope: str, invoice_number_pattern: str) -> str:
    """The pattern an account's invoices are numbered with."""
    return PER_CUSTOMER_PATTERN if numbering_scope == "customer" else invoice_number_pattern


def slot_at(now: int, pattern: str, customer_prefix: str) -> SeriesSlot:
    """The series a number taken at `now` belongs to."""
    moment = datetime.fromtimestamp(now, tz=UTC)
    return slot_for(pattern, year=moment.year, month=moment.month,
                    customer_prefix=customer_prefix)


def _increment(ctx: Ctx, key: str, by: int = 1) -> int | None:
    # A Core statement on the table (no ORM bulk-update machinery, no session
    # synchronization: nothing reads NumberSeries objects back), run without autoflush so
    # the caller's pending changes go out in its own flush, not in an extra UPDATE here.
    stmt = (
        update(_SERIES)
        .where(_SERIES.c.account_id == ctx.account_id,
               _SERIES.c.livemode == ctx.livemode, _SERIES.c.key == key)
        .values(last_value=_SERIES.c.last_value + by)
        .returning(_SERIES.c.last_value)
    )
    with ctx.session.no_autoflush:
        value = ctx.session.execute(stmt).scalar_one_or_none()
    return None if value is None else int(value)


def take_number(ctx: Ctx, pattern: str, *, customer_prefix: str) -> str:
    slot = slot_at(ctx.now(), pattern, customer_prefix)
    value = _increment(ctx, slot.key)
    if value is None:
        try:
            with ctx.session.begin_nested():
                ctx.session.add(NumberSeries(account_id=ctx.account_id, livemode=ctx.livemode,
                                             key=slot.key, last_value=1))
            value = 1
        except IntegrityError:  # another transaction opened the series first
            value = _increment(ctx, slot.key)
            assert value is not None
    return slot.format(value)


def take_numbers(ctx: Ctx, pattern: str, count: int, *, customer_prefix: str) -> list[str]:
    """`count` consecutive numbers of one series with one UPDATE ... RETURNING (the
    set-based billing run); the first is taken as `take_number` does, which opens the
    series if needed."""
    if count <= 0:
        return []
    first = take_number(ctx, pattern, customer_prefix=customer_prefix)
    if count == 1:
        return [first]
    moment = datetime.fromtimestamp(ctx.now(), tz=UTC)
    slot = slot_for(pattern, year=moment.year, month=moment.month,
                    customer_prefix=customer_prefix)
    last = _increment(ctx, slot.key, count - 1)
    assert last is not None  # take_number has just opened the series
    return [first] + [slot.format(v) for v in range(last - count + 2, last + 1)]
