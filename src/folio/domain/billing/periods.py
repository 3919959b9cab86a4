"""Billing periods: boundaries computed on the customer's wall clock, returned as UTC
instants (integer unix seconds, like every timestamp in Folio).

Rules:
- The anchor's local date and time of day (in the customer's IANA time zone) fix every
  boundary. Boundary k is the anchor shifted by k intervals on the local calendar, so a
  monthly subscription anchored at 09:00 on the 15th renews at 09:00 on the 15th, summer
  and winter alike.
- Month-end clamping never drifts: boundary k is always derived from the anchor, not from
  boundary k-1. Anchored on Jan 31: Feb 28 (29 in leap years), Mar 31, Apr 30, ...
- A local time that does not exist (a spring-forward gap) moves forward by the gap; an
  ambiguous local time (the repeated hour in autumn) takes the anchor's own fold, i.e. the
  earlier instant unless the anchor itself was in the second occurrence.
- Periods are half-open [start, end): boundary k is the end of period k-1 and the start of
  period k, so consecutive periods tile time with no gap and no overlap.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from folio.domain.errors import InvalidInput

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
SECOND = timedelta(seconds=1)
DAY_SECONDS = 86_400


class Interval(str, Enum):
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"

    @property
    def months(self) -> int:
        """Calendar months per interval (0 for weekly, which counts days)."""
        return {"weekly": 0, "monthly": 1, "quarterly": 3, "yearly": 12}[self.value]


class BillingTiming(str, Enum):
    """When the base price of a period is billed: at its start or at its end. Metered
    usage is always billed in arrears (it is only known once the period is over)."""

    IN_ADVANCE = "in_advance"
    IN_ARREARS = "in_arrears"


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    """The IANA time zone `name`, or InvalidInput `timezone_invalid`."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise InvalidInput(f"Unknown time zone '{name[:64]}'; use an IANA name such as "
                           "'Europe/Berlin'.", param="timezone", code="timezone_invalid"
                           ) from None


def to_instant(moment: datetime) -> int:
    """An aware datetime as integer unix seconds (exact, no float)."""
    return (moment - EPOCH) // SECOND


def local_time(instant: int, tz: str) -> datetime:
    """The aware local datetime of a unix instant in time zone `tz`."""
    try:
        return datetime.fromtimestamp(instant, zone(tz))
    except (OverflowError, OSError, ValueError):
        raise InvalidInput("The instant is out of the supported range.",
                           code="period_out_of_range") from None


def from_local(wall: datetime, tz: str) -> int:
    """The instant of a naive local wall time in `tz` (fold taken from `wall`)."""
    return to_instant(wall.replace(tzinfo=zone(tz)))


def _shift_months(wall: datetime, months: int) -> datetime:
    """`wall` moved by a number of calendar months, its day clamped to the month's end."""
    total = wall.year * 12 + (wall.month - 1) + months
    year, month0 = divmod(total, 12)
    if not 1 <= year <= 9999:
        raise InvalidInput("The billing period is out of the supported range.",
                           code="period_out_of_range")
    day = min(wall.day, calendar.monthrange(year, month0 + 1)[1])
    return wall.replace(year=year, month=month0 + 1, day=day)


@dataclass(frozen=True)
class Period:
    """One billing period, [start, end) in unix seconds; `index` counts from the anchor."""

    start: int
    end: int
    index: int = 0

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise InvalidInput("A period must end after it starts.", param="period",
                               code="period_invalid")

    @property
    def seconds(self) -> int:
        return self.end - self.start

    def contains(self, instant: int) -> bool:
        return self.start <= instant < self.end


@dataclass(frozen=True)
class BillingCycle:
    """A recurring schedule: an interval (times `interval_count`) from an anchor instant,
    read on the wall clock of `timezone`."""

    interval: Interval
    anchor: int
    timezone: str = "UTC"
    interval_count: int = 1

    def __post_init__(self) -> None:
        if not 1 <= self.interval_count <= 36:
            raise InvalidInput("interval_count must be between 1 and 36.",
                               param="interval_count")
        zone(self.timezone)  # validates the name

    def _anchor_wall(self) -> datetime:
        local = local_time(self.anchor, self.timezone)
        return local.replace(tzinfo=None)  # keeps the anchor's fold

    def boundary(self, k: int) -> int:
        """The k-th boundary (k may be negative); boundary(0) is the anchor."""
        if k == 0:
            return self.anchor
        return _boundary(self, k)

    def _boundary(self, k: int) -> int:
        wall = self._anchor_wall()
        try:
            if self.interval is Interval.WEEKLY:
                shifted = wall + timedelta(days=7 * self.interval_count * k)
            else:
                shifted = _shift_months(wall, self.interval.months * self.interval_count * k)
        except OverflowError:
            raise InvalidInput("The billing period is out of the supported range.",
                               code="period_out_of_range") from None
        return from_local(shifted, self.timezone)

    def period(self, k: int) -> Period:
        return Period(start=self.boundary(k), end=self.boundary(k + 1), index=k)

    def period_containing(self, instant: int) -> Period:
        """The one period with start <= instant < end."""
        k = self._estimate(instant)
        while self.boundary(k) > instant:
            k -= 1
        while self.boundary(k + 1) <= instant:
            k += 1
        return self.period(k)

    def _estimate(self, instant: int) -> int:
        step = self.interval_count
        if self.interval is Interval.WEEKLY:
            return (instant - self.anchor) // (7 * DAY_SECONDS * step)
        here = local_time(instant, self.timezone)
        there = local_time(self.anchor, self.timezone)
        months = (here.year - there.year) * 12 + here.month - there.month
        return months // (self.interval.months * step)

    def periods_between(self, start: int, end: int) -> list[Period]:
        """Every period overlapping [start, end), in order."""
        if end <= start:
            return []
        first = self.period_containing(start)
        out = [first]
        while out[-1].end < end:
            out.append(self.period(out[-1].index + 1))
        return out


def add_local_days(instant: int, days: int, tz: str) -> int:
    """`instant` moved by whole calendar days on the wall clock of `tz` (keeps the time of
    day across DST changes)."""
    wall = local_time(instant, tz).replace(tzinfo=None)
    try:
        return from_local(wall + timedelta(days=days), tz)
    except OverflowError:
        raise InvalidInput("The date is out of the supported range.",
                           code="period_out_of_range") from None


def trial_end(start: int, trial_days: int, tz: str) -> int:
    """When a trial of `trial_days` calendar days (in the customer's time zone) that starts
    at `start` ends. The first paid period is normally anchored here."""
    if not 0 <= trial_days <= 730:
        raise InvalidInput("trial_days must be between 0 and 730.", param="trial_days")
    return start if trial_days == 0 else add_local_days(start, trial_days, tz)


@lru_cache(maxsize=65_536)
def _boundary(cycle: BillingCycle, k: int) -> int:
    """`BillingCycle.boundary`, remembered: a billing run asks each subscription's cycle
    for the same few boundaries a dozen times (the cycle is immutable)."""
    return cycle._boundary(k)
