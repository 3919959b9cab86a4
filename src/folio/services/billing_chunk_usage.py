"""The usage of a chunk of subscriptions for the set-based billing run: one statement per
meter and usage window for all the chunk's customers, each customer's rows aggregated by
the same `aggregate` as the per-subscription path (exact Decimals, every aggregation).

On PostgreSQL `sum`, `count` and `max` are aggregated by the database instead, grouped by
customer, over the values cast to `numeric` (exact, arbitrary precision: the same
numbers as `aggregate`). SQLite would compute SUM in floating point, so there the rows
are always read and aggregated in Python."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from itertools import groupby
from typing import Any

from sqlalchemy import Numeric, cast, func, select

from folio.db.models import Subscription, UsageEvent
from folio.domain.billing.aggregation import Aggregation, UsagePoint, aggregate
from folio.domain.billing.periods import Period
from folio.services.context import Ctx
from folio.services.plans import metered_meters
from folio.services.subscription_billing import (
    ROWS_PER_FETCH,
    MeterRule,
    meter_rules,
    usage_period_of,
)

_IN_SQL = frozenset({Aggregation.SUM, Aggregation.COUNT, Aggregation.MAX})


def _sql_aggregate(kind: Aggregation, value: Any) -> Any:
    if kind is Aggregation.SUM:
        return func.sum(cast(value, Numeric))
    if kind is Aggregation.MAX:
        return func.max(cast(value, Numeric))
    return func.count()


def _aggregated_in_sql(ctx: Ctx, meter: MeterRule, customer_ids: list[int], window: Period
                       ) -> dict[int, Decimal]:
    """PostgreSQL: `aggregate`'s sum, count or max computed by the database."""
    t = UsageEvent.__table__.c
    stmt = select(t.customer_id, _sql_aggregate(meter.aggregation, t.value)).where(
        t.account_id == ctx.account_id, t.livemode == ctx.livemode,
        t.customer_id.in_(customer_ids), t.feature_code == meter.code,
        t.timestamp >= window.start, t.timestamp < window.end).group_by(t.customer_id)
    return {cid: Decimal(0) if value is None else Decimal(value)
            for cid, value in ctx.session.connection().execute(stmt)}


def _usage_by_customer(ctx: Ctx, meter: MeterRule, customer_ids: list[int], window: Period
                       ) -> dict[int, Decimal]:
    """The aggregated usage of `meter` in `window` of each customer: one statement, the
    rows grouped by customer and each group aggregated by the same `aggregate`."""
    if (meter.aggregation in _IN_SQL
            and ctx.session.connection().dialect.name == "postgresql"):
        return _aggregated_in_sql(ctx, meter, customer_ids, window)
    t = UsageEvent.__table__.c
    unique = meter.aggregation is Aggregation.UNIQUE_COUNT
    columns = [t.customer_id, t.timestamp, t.created, t.value] + (
        [t.properties] if unique else []) + [t.event_id]
    stmt = select(*columns).where(
        t.account_id == ctx.account_id, t.livemode == ctx.livemode,
        t.customer_id.in_(customer_ids), t.feature_code == meter.code,
        t.timestamp >= window.start, t.timestamp < window.end).order_by(t.customer_id)
    rows = ctx.session.connection().execute(stmt.execution_options(yield_per=ROWS_PER_FETCH))
    prop = meter.property or ""

    def points(group: Any) -> Any:
        for row in group:
            key = None
            if unique:
                raw = (row[4] or {}).get(prop)
                key = None if raw is None else str(raw)
            yield UsagePoint(timestamp=row[1], value=row[3], key=key, sequence=row[2],
                             tie=row[-1])

    return {cid: aggregate(meter.aggregation, points(group))
            for cid, group in groupby(rows, key=lambda r: r[0])}


def chunk_usage(ctx: Ctx, subs: list[Subscription]) -> dict[int, dict[str, Decimal]]:
    """Subscription id -> feature code -> usage of the window its next boundary bills."""
    by_window: dict[tuple[Period, str], list[Subscription]] = defaultdict(list)
    out: dict[int, dict[str, Decimal]] = {s.id: {} for s in subs}
    codes_of: dict[int, dict[str, str]] = {}
    for sub in subs:
        window = usage_period_of(sub, sub.next_boundary)
        codes = codes_of[sub.id] = metered_meters(sub.plan)
        if window is None:
            continue
        for meter_code in set(codes.values()):
            by_window[(window, meter_code)].append(sub)
    rules = meter_rules(ctx, {m for codes in codes_of.values() for m in codes.values()})
    for (window, meter_code), group in by_window.items():
        rule = rules.get(meter_code)
        found = {} if rule is None else _usage_by_customer(
            ctx, rule, sorted({s.customer_id for s in group}), window)
        for sub in group:
            for feature, code in codes_of[sub.id].items():
                if code == meter_code:
                    out[sub.id][feature] = found.get(sub.customer_id, Decimal(0))
    return out
