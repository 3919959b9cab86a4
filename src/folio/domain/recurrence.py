"""When a recurring schedule's occurrences fall: a plain frequency (every N days, weeks,
months or years) or an RFC 5545 RRULE, from a start instant, bounded by an end instant
and/or an occurrence count. Everything is read on the UTC calendar.

Occurrences are numbered from 1. A plain frequency derives occurrence n from the start
(never from occurrence n-1), so monthly from Jan 31 gives Feb 28 (29), Mar 31, Apr 30.
An RRULE follows RFC 5545 to the letter: FREQ=MONTHLY from the 31st skips the months
without a 31st (BYMONTHDAY=-1 asks for every month's last day).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import count as count_from
from itertools import islice

from dateutil.relativedelta import relativedelta
from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rrule, rrulestr

from folio.domain.errors import InvalidInput

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# occurrences more than this far after the start are never issued, and the first one must
# fall within FIRST_WITHIN_YEARS: both bound the search of a rule that matches nothing
# (FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30 would otherwise be searched up to year 9999)
HORIZON_YEARS = 100
FIRST_WITHIN_YEARS = 10
ALLOWED_FREQUENCIES = (DAILY, WEEKLY, MONTHLY, YEARLY)  # invoices at most once a day
UNITS = ("day", "week", "month", "year")


def _instant(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(seconds=1)


def _moment(instant: int) -> datetime:
    return datetime.fromtimestamp(instant, UTC)


# bounds of the numeric parts dateutil would accept but loop on (INTERVAL=0 never ends)
_NUMBER_BOUNDS = {"INTERVAL": (1, 1000), "COUNT": (1, 10_000)}


_TIME_OF_DAY = ("BYHOUR", "BYMINUTE", "BYSECOND")


def _check_numbers(body: str) -> None:
    for part in body.split(";"):
        name, _, value = part.partition("=")
        if name.strip().upper() in _TIME_OF_DAY and "," in value:
            raise InvalidInput(f"{name.strip().upper()} sets the time of day: one value (an "
                               "invoice at most once a day).", param="rrule",
                               code="rrule_invalid")
        bounds = _NUMBER_BOUNDS.get(name.strip().upper())
        if bounds is None:
            continue
        low, high = bounds
        if not (value.strip().isdigit() and low <= int(value) <= high):
            raise InvalidInput(f"{name.strip().upper()} must be a whole number from {low} to "
                               f"{high}.", param="rrule", code="rrule_invalid")


def _parse_rrule(text: str, start: datetime) -> rrule:
    body = text.strip()
    if body.upper().startswith("RRULE:"):
        body = body[6:]
    if not body or "\n" in body or "\r" in body or ":" in body:
        raise InvalidInput("Give one RRULE value, e.g. 'FREQ=MONTHLY;BYMONTHDAY=1' (no "
                           "DTSTART: the schedule's start is used).", param="rrule",
                           code="rrule_invalid")
    _check_numbers(body)
    try:
        rule = rrulestr(body, dtstart=start)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as exc:
        raise InvalidInput(f"The RRULE is not valid: {str(exc)[:200]}", param="rrule",
                           code="rrule_invalid") from None
    if not isinstance(rule, rrule):  # pragma: no cover - one RRULE value is one rrule
        raise InvalidInput("Give one RRULE value.", param="rrule", code="rrule_invalid")
    if vars(rule).get("_freq") not in ALLOWED_FREQUENCIES:
        raise InvalidInput("FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY.", param="rrule",
                           code="rrule_invalid")
    return rule


def parse_rrule(text: str, start: int) -> rrule:
    """The rule of an RRULE value from `start`, or InvalidInput `rrule_invalid`."""
    return _parse_rrule(text, _moment(start))


def _may_match(text: str, start: int) -> bool:
    """A cheap necessary condition for a rule to match any date: the same BY parts on a
    yearly frequency match some date (a superset of what the rule can produce). A
    daily rule that matches nothing would otherwise be searched day by day up to year
    9999 (seconds of CPU); the yearly probe gives up in about 0.2 s."""
    probe = _parse_rrule(text, _moment(start)).replace(
        freq=YEARLY, interval=1, count=None, until=None, bysetpos=None)
    return next(iter(probe), None) is not None


@dataclass(frozen=True)
class Recurrence:
    start: int
    interval: str | None = None
    interval_count: int | None = None
    rrule: str | None = None
    end: int | None = None
    count: int | None = None

    def validate(self) -> None:
        """Refuses a recurrence that is malformed or has no occurrence at all."""
        if self.rrule is not None and self.interval is not None:
            raise InvalidInput("Give an interval or an rrule, not both.", param="rrule")
        if self.rrule is None and self.interval is None:
            raise InvalidInput("Give an interval or an rrule.", param="interval",
                               code="parameter_missing")
        if self.interval is not None and self.interval not in UNITS:
            raise InvalidInput(f"interval must be one of {', '.join(UNITS)}.",
                               param="interval")
        if self.end is not None and self.end < self.start:
            raise InvalidInput("end_at is before start_at.", param="end_at")
        if (self.rrule is not None and not _may_match(self.rrule, self.start)) \
                or self.occurrence_at(1, within_years=FIRST_WITHIN_YEARS) is None:
            raise InvalidInput("The schedule has no occurrence between its start and its "
                               f"end (nor within {FIRST_WITHIN_YEARS} years).",
                               param="rrule" if self.rrule else "end_at",
                               code="schedule_empty")

    def _horizon(self, years: int = HORIZON_YEARS) -> int:
        return _instant(_moment(self.start) + relativedelta(years=years))

    def _rule_times(self, first: int, horizon_years: int) -> Iterator[datetime]:
        assert self.rrule is not None
        rule = _parse_rrule(self.rrule, _moment(self.start))
        horizon = _moment(self._horizon(horizon_years))
        if vars(rule).get("_count") is None:  # bound the search: see HORIZON_YEARS
            until = vars(rule).get("_until")
            rule = rule.replace(until=min(until, horizon) if until else horizon)
        return islice(iter(rule), first - 1, None)

    def _interval_time(self, n: int) -> datetime:
        assert self.interval is not None
        k = (n - 1) * (self.interval_count or 1)
        step = {"day": relativedelta(days=k), "week": relativedelta(weeks=k),
                "month": relativedelta(months=k), "year": relativedelta(years=k)}
        return _moment(self.start) + step[self.interval]

    def occurrences(self, first: int = 1, *, within_years: int = HORIZON_YEARS
                    ) -> Iterator[tuple[int, int]]:
        """(number, instant) of every occurrence from number `first` on, in order, up to
        the count, the end and the horizon."""
        first = max(first, 1)
        horizon = self._horizon(within_years)
        times: Iterator[datetime] = (
            self._rule_times(first, within_years) if self.rrule is not None
            else (self._interval_time(n) for n in count_from(first)))
        n = first
        try:
            for moment in times:
                at = _instant(moment)
                if (self.count is not None and n > self.count) or at > horizon \
                        or (self.end is not None and at > self.end):
                    return
                yield n, at
                n += 1
        except (OverflowError, ValueError):  # beyond year 9999
            return

    def occurrence_at(self, n: int, *, within_years: int = HORIZON_YEARS) -> int | None:
        """The instant of occurrence n (from 1), or None when the count, the end or the
        rule ends before it."""
        if n < 1:
            return None
        return next((at for _, at in self.occurrences(n, within_years=within_years)), None)

    def first_at_or_after(self, n: int, instant: int) -> tuple[int, int | None]:
        """The first occurrence numbered n or later that falls at or after `instant`:
        its number and time (time None when there is none)."""
        last = n
        for number, at in self.occurrences(n):
            if at >= instant:
                return number, at
            last = number + 1
        return last, None
