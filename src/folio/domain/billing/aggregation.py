"""Usage aggregations: how a meter turns a period's events into one quantity.

- sum: the total of the values;
- count: the number of events (values are ignored);
- max: the largest value;
- unique_count: the number of distinct keys (e.g. distinct user ids);
- latest: the value of the last event (by timestamp; equal timestamps by ingestion order).

Every aggregation of no events is 0. Values are exact Decimals; nothing is rounded here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, localcontext
from enum import Enum

ZERO = Decimal(0)
# sums of many 12-digit values stay exact
PRECISION = 80


class Aggregation(str, Enum):
    SUM = "sum"
    COUNT = "count"
    MAX = "max"
    UNIQUE_COUNT = "unique_count"
    LATEST = "latest"

    @property
    def needs_value(self) -> bool:
        return self in (Aggregation.SUM, Aggregation.MAX, Aggregation.LATEST)


@dataclass(frozen=True)
class UsagePoint:
    """One event as the aggregations see it."""

    timestamp: int
    value: Decimal | None = None
    key: str | None = None
    # recording order, breaking timestamp ties for `latest`: when it was recorded (the
    # event's `created`), then its event id
    sequence: int = 0
    tie: str = ""


def sum_values(values: Iterable[Decimal | None]) -> Decimal:
    total = ZERO
    with localcontext() as ctx:
        ctx.prec = PRECISION
        for value in values:
            if value is not None:
                total += value
    return total


def count_events(points: Iterable[object]) -> Decimal:
    return Decimal(sum(1 for _ in points))


def max_value(values: Iterable[Decimal | None]) -> Decimal:
    present = [v for v in values if v is not None]
    return max(present) if present else ZERO


def unique_count(keys: Iterable[str | None]) -> Decimal:
    return Decimal(len({k for k in keys if k is not None}))


def latest_value(points: Iterable[UsagePoint]) -> Decimal:
    best: UsagePoint | None = None
    for point in points:
        if point.value is None:
            continue
        if best is None or ((point.timestamp, point.sequence, point.tie)
                            >= (best.timestamp, best.sequence, best.tie)):
            best = point
    return ZERO if best is None or best.value is None else best.value


def aggregate(kind: Aggregation, points: Iterable[UsagePoint]) -> Decimal:
    """The quantity of `points` under aggregation `kind`."""
    if kind is Aggregation.SUM:
        return sum_values(p.value for p in points)
    if kind is Aggregation.COUNT:
        return count_events(points)
    if kind is Aggregation.MAX:
        return max_value(p.value for p in points)
    if kind is Aggregation.UNIQUE_COUNT:
        return unique_count(p.key for p in points)
    return latest_value(points)
