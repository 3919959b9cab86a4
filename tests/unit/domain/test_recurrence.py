"""Recurrence: plain frequencies derived from the start (month ends never drift), RFC 5545
rules, count and end bounds, and the first occurrence at or after an instant."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from folio.domain.errors import InvalidInput
from folio.domain.recurrence import Recurrence


def ts(year: int, month: int, day: int, hour: int = 0) -> int:
    return int(datetime(year, month, day, hour, tzinfo=UTC).timestamp())


def day_of(instant: int) -> datetime:
    return datetime.fromtimestamp(instant, UTC)


starts = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2200, 12, 31)
                      ).map(lambda d: int(d.replace(tzinfo=UTC).timestamp()))


@given(start=starts, every=st.integers(1, 18), n=st.integers(1, 60))
def test_monthly_occurrence_is_the_start_moved_and_clamped(start: int, every: int,
                                                           n: int) -> None:
    at = Recurrence(start=start, interval="month", interval_count=every).occurrence_at(n)
    assert at is not None
    first, got = day_of(start), day_of(at)
    months = (got.year - first.year) * 12 + got.month - first.month
    assert months == (n - 1) * every
    assert got.day == min(first.day, calendar.monthrange(got.year, got.month)[1])
    assert got.time() == first.time()


@given(start=starts, unit=st.sampled_from(["day", "week", "month", "year"]),
       count=st.integers(1, 30))
def test_occurrences_increase_and_stop_at_the_count(start: int, unit: str,
                                                    count: int) -> None:
    rec = Recurrence(start=start, interval=unit, count=count)
    times = [at for _, at in rec.occurrences()]
    assert len(times) == count
    assert times[0] == start
    assert all(b > a for a, b in pairwise(times))
    assert rec.occurrence_at(count + 1) is None


@given(start=starts, days=st.integers(0, 400))
def test_end_bounds_the_occurrences(start: int, days: int) -> None:
    end = start + days * 86_400
    rec = Recurrence(start=start, interval="week", end=end)
    times = [at for _, at in rec.occurrences()]
    assert times == [start + 7 * 86_400 * k for k in range(days // 7 + 1)]


def test_rrule_follows_rfc_5545() -> None:
    start = ts(2024, 1, 31, 9)
    strict = Recurrence(start=start, rrule="FREQ=MONTHLY;COUNT=4")
    assert [day_of(at).date().isoformat() for _, at in strict.occurrences()] == [
        "2024-01-31", "2024-03-31", "2024-05-31", "2024-07-31"]
    month_end = Recurrence(start=start, rrule="FREQ=MONTHLY;BYMONTHDAY=-1", count=3)
    assert [day_of(at).date().isoformat() for _, at in month_end.occurrences()] == [
        "2024-01-31", "2024-02-29", "2024-03-31"]
    leap = Recurrence(start=ts(2023, 3, 1), rrule="FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29")
    assert [day_of(at).year for _, at in leap.occurrences() if day_of(at).year < 2033] == [
        2024, 2028, 2032]


def test_first_at_or_after() -> None:
    rec = Recurrence(start=ts(2024, 1, 1), interval="month", count=6)
    assert rec.first_at_or_after(1, ts(2024, 3, 15)) == (4, ts(2024, 4, 1))
    assert rec.first_at_or_after(1, ts(2024, 4, 1)) == (4, ts(2024, 4, 1))
    assert rec.first_at_or_after(2, ts(2030, 1, 1))[1] is None


@pytest.mark.parametrize(("rule", "code"), [
    ("FREQ=SECONDLY", "rrule_invalid"), ("FREQ=WEEKLY;BYDAY=XX", "rrule_invalid"),
    ("", "rrule_invalid"), ("RRULE:FREQ=DAILY\nRRULE:FREQ=WEEKLY", "rrule_invalid"),
    ("FREQ=DAILY;BYMONTH=4;BYMONTHDAY=31", "schedule_empty"),
    ("FREQ=DAILY;UNTIL=20000101T000000Z", "schedule_empty"),
    ("FREQ=DAILY;INTERVAL=0", "rrule_invalid"), ("FREQ=DAILY;COUNT=0", "rrule_invalid"),
    ("FREQ=DAILY;BYHOUR=9,17", "rrule_invalid"),
])
def test_bad_rules_are_refused(rule: str, code: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        Recurrence(start=ts(2024, 1, 1), rrule=rule).validate()
    assert caught.value.code == code


def test_an_interval_or_a_rule() -> None:
    with pytest.raises(InvalidInput, match="interval or an rrule"):
        Recurrence(start=0).validate()
    with pytest.raises(InvalidInput, match="not both"):
        Recurrence(start=0, interval="day", rrule="FREQ=DAILY").validate()
