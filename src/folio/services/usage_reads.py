"""A customer's usage over a window, aggregated per meter by the domain aggregations."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import localcontext
from typing import Any

from sqlalchemy import select

from folio.db.models import Customer, Meter, UsageEvent
from folio.db.repository import get_by_public_id
from folio.domain.billing.aggregation import PRECISION, Aggregation, UsagePoint, aggregate
from folio.domain.billing.periods import BillingCycle, Interval, from_local, local_time, zone
from folio.domain.errors import InvalidInput
from folio.domain.money import format_decimal
from folio.services.context import Ctx
from folio.services.meters import meter_by_code

ROWS_PER_FETCH = 5000


def _customer_zone(customer: Customer) -> str:
    if customer.timezone:
        try:
            zone(customer.timezone)
            return customer.timezone
        except InvalidInput:
            pass
    return "UTC"


def current_month(instant: int, tz: str) -> tuple[int, int]:
    """The calendar month around `instant` on the wall clock of `tz`, as [start, end)."""
    here = local_time(instant, tz)
    start = from_local(datetime(here.year, here.month, 1), tz)
    return start, BillingCycle(Interval.MONTHLY, start, tz).boundary(1)


def _window(ctx: Ctx, customer: Customer, start: int | None, end: int | None
            ) -> tuple[int, int]:
    if start is None or end is None:
        month_start, month_end = current_month(ctx.now(), _customer_zone(customer))
        start = month_start if start is None else start
        end = month_end if end is None else end
    if end <= start:
        raise InvalidInput("`to` must be after `from`.", param="to", code="usage_window_invalid")
    return start, end


def _points(ctx: Ctx, meter: Meter, customer_id: int, start: int, end: int
            ) -> Iterator[UsagePoint]:
    t = UsageEvent.__table__.c
    unique = meter.aggregation == Aggregation.UNIQUE_COUNT.value
    columns = [t.timestamp, t.created, t.value] + ([t.properties] if unique else []) + [
        t.event_id]
    stmt = select(*columns).where(
        t.account_id == ctx.account_id, t.livemode == ctx.livemode,
        t.customer_id == customer_id, t.feature_code == meter.code,
        t.timestamp >= start, t.timestamp < end)
    # a statement option: on the connection it would outlive this read and make later
    # INSERTs of the same transaction fail on PostgreSQL
    result = ctx.session.connection().execute(
        stmt.execution_options(yield_per=ROWS_PER_FETCH))
    prop = meter.property or ""
    for row in result:
        key = None
        if unique:
            raw = (row[3] or {}).get(prop)
            key = None if raw is None else str(raw)
        yield UsagePoint(timestamp=row[0], value=row[2], key=key, sequence=row[1], tie=row[-1])


def _aggregate_view(ctx: Ctx, meter: Meter, customer_id: int, start: int, end: int
                    ) -> dict[str, Any]:
    points = list(_points(ctx, meter, customer_id, start, end))
    value = aggregate(Aggregation(meter.aggregation), points)
    with localcontext() as context:
        context.prec = PRECISION  # the text of a long exact sum is not rounded
        text = format_decimal(value)
    return {"object": "usage_aggregate", "feature": meter.code, "meter": meter.public_id,
            "name": meter.name, "aggregation": meter.aggregation,
            "unit_label": meter.unit_label, "value": text,
            "event_count": len(points)}


def customer_usage(ctx: Ctx, customer_id: str, feature: str | None = None,
                   start: int | None = None, end: int | None = None) -> dict[str, Any]:
    """Usage of one customer over [start, end) (default: the current calendar month in the
    customer's time zone), for one feature or for every meter of the account."""
    customer = get_by_public_id(ctx.session, Customer, ctx.scope, customer_id)
    start, end = _window(ctx, customer, start, end)
    if feature is not None:
        meters = [meter_by_code(ctx, feature)]
    else:
        meters = list(ctx.session.scalars(select(Meter).where(
            Meter.account_id == ctx.account_id, Meter.livemode == ctx.livemode
        ).order_by(Meter.code)))
    return {"object": "customer_usage", "customer": customer.public_id,
            "livemode": ctx.livemode, "from": start, "to": end,
            "data": [_aggregate_view(ctx, m, customer.id, start, end) for m in meters]}
