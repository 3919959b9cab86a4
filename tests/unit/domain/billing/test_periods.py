"""Billing periods: boundaries on the customer's wall clock, tiling time across time
zones, DST changes and month ends."""

from __future__ import annotations

import calendar
import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from folio.domain.billing.periods import (
    BillingCycle,
    Interval,
    Period,
    from_local,
    local_time,
    trial_end,
    zone,
)
from folio.domain.errors import InvalidInput

SETTINGS = settings(max_examples=200, deadline=None)

# zones with DST, half-hour and 45-minute offsets, southern-hemisphere DST, a 30-minute DST
# shift (Lord Howe) and a skipped calendar day (Apia, 2011-12-30)
ZONES = ["UTC", "Europe/Berlin", "Europe/London", "America/New_York", "America/St_Johns",
         "America/Sao_Paulo", "Australia/Sydney", "Australia/Lord_Howe", "Asia/Kathmandu",
         "Asia/Kolkata", "Pacific/Chatham", "Pacific/Apia", "Africa/Casablanca"]

instants = st.integers(min_value=0, max_value=4_102_444_800)  # 1970 .. 2100
cycles = st.builds(
    BillingCycle,
    interval=st.sampled_from(list(Interval)),
    anchor=instants,
    timezone=st.sampled_from(ZONES),
    interval_count=st.integers(min_value=1, max_value=3),
)


def wall(instant: int, tz: str) -> datetime:
    return local_time(instant, tz).replace(tzinfo=None)


def exists(w: datetime, tz: str) -> bool:
    """Whether a naive wall time occurs at all in `tz` (it does not inside a DST gap)."""
    return wall(from_local(w, tz), tz) == w


def expected_wall(anchor_wall: datetime, interval: Interval, count: int, k: int) -> datetime:
    """An independent statement of the calendar rule: k intervals after the anchor, the day
    clamped to the month's length."""
    if interval is Interval.WEEKLY:
        return anchor_wall + timedelta(weeks=count * k)
    months = anchor_wall.month - 1 + interval.months * count * k
    year = anchor_wall.year + months // 12
    month = months % 12 + 1
    day = min(anchor_wall.day, calendar.monthrange(year, month)[1])
    return anchor_wall.replace(year=year, month=month, day=day)


class TestTiling:
    @SETTINGS
    @given(cycle=cycles, k=st.integers(min_value=-30, max_value=60))
    def test_consecutive_periods_share_their_boundary(self, cycle: BillingCycle, k: int) -> None:
        this, following = cycle.period(k), cycle.period(k + 1)
        assert this.end == following.start
        assert this.start < this.end < following.end

    @SETTINGS
    @given(cycle=cycles, instant=instants)
    def test_every_instant_falls_in_exactly_one_period(self, cycle: BillingCycle,
                                                       instant: int) -> None:
        period = cycle.period_containing(instant)
        assert period.start <= instant < period.end
        assert not cycle.period(period.index - 1).contains(instant)
        assert not cycle.period(period.index + 1).contains(instant)

    @SETTINGS
    @given(cycle=cycles, k=st.integers(min_value=-30, max_value=60))
    def test_a_boundary_starts_its_own_period(self, cycle: BillingCycle, k: int) -> None:
        assert cycle.period_containing(cycle.boundary(k)).index == k
        assert cycle.period_containing(cycle.boundary(k) - 1).index == k - 1

    @SETTINGS
    @given(cycle=cycles, start=instants, length=st.integers(min_value=1, max_value=10**9))
    def test_periods_between_cover_a_range_without_gaps(self, cycle: BillingCycle, start: int,
                                                        length: int) -> None:
        periods = cycle.periods_between(start, start + length)
        assert periods[0].start <= start
        assert periods[-1].end >= start + length
        for a, b in itertools.pairwise(periods):
            assert a.end == b.start
            assert b.index == a.index + 1


class TestWallClock:
    @SETTINGS
    @given(cycle=cycles, k=st.integers(min_value=-30, max_value=60))
    def test_boundaries_keep_the_anchor_day_and_time(self, cycle: BillingCycle, k: int) -> None:
        anchor_wall = wall(cycle.anchor, cycle.timezone)
        want = expected_wall(anchor_wall, cycle.interval, cycle.interval_count, k)
        got = wall(cycle.boundary(k), cycle.timezone)
        if exists(want, cycle.timezone):
            assert got == want
        else:  # inside a spring-forward gap: moved forward by the gap, same date or next
            assert want < got <= want + timedelta(days=1)

    def test_month_end_anchor_never_drifts(self) -> None:
        tz = "Europe/Berlin"
        cycle = BillingCycle(Interval.MONTHLY, from_local(datetime(2023, 1, 31, 10), tz), tz)
        days = [wall(cycle.boundary(k), tz).date().isoformat() for k in range(15)]
        assert days == ["2023-01-31", "2023-02-28", "2023-03-31", "2023-04-30", "2023-05-31",
                        "2023-06-30", "2023-07-31", "2023-08-31", "2023-09-30", "2023-10-31",
                        "2023-11-30", "2023-12-31", "2024-01-31", "2024-02-29", "2024-03-31"]
        assert {wall(cycle.boundary(k), tz).hour for k in range(15)} == {10}

    def test_leap_day_anchor_yearly(self) -> None:
        cycle = BillingCycle(Interval.YEARLY, from_local(datetime(2024, 2, 29), "UTC"), "UTC")
        assert [wall(cycle.boundary(k), "UTC").date().isoformat() for k in range(-1, 6)] == [
            "2023-02-28", "2024-02-29", "2025-02-28", "2026-02-28", "2027-02-28",
            "2028-02-29", "2029-02-28"]

    def test_quarterly_from_november_30(self) -> None:
        cycle = BillingCycle(Interval.QUARTERLY, from_local(datetime(2023, 11, 30), "UTC"))
        assert [wall(cycle.boundary(k), "UTC").date().isoformat() for k in range(5)] == [
            "2023-11-30", "2024-02-29", "2024-05-30", "2024-08-30", "2024-11-30"]

    def test_dst_changes_the_utc_time_not_the_local_time(self) -> None:
        tz = "America/New_York"
        cycle = BillingCycle(Interval.MONTHLY, from_local(datetime(2024, 2, 15, 9), tz), tz)
        winter, summer = cycle.boundary(0), cycle.boundary(1)
        assert datetime.fromtimestamp(winter, UTC).hour == 14  # EST, UTC-5
        assert datetime.fromtimestamp(summer, UTC).hour == 13  # EDT, UTC-4
        assert cycle.period(0).seconds == 29 * 86_400 - 3_600  # one hour shorter

    def test_weekly_across_the_spring_gap(self) -> None:
        tz = "America/New_York"
        cycle = BillingCycle(Interval.WEEKLY, from_local(datetime(2024, 3, 3, 2, 30), tz), tz)
        assert wall(cycle.boundary(1), tz) == datetime(2024, 3, 10, 3, 30)  # 02:30 is skipped
        assert wall(cycle.boundary(2), tz) == datetime(2024, 3, 17, 2, 30)
        # the gap moves the boundary forward by its hour: the first week keeps its length
        # in seconds and the second loses the hour
        assert cycle.period(0).seconds == 7 * 86_400
        assert cycle.period(1).seconds == 7 * 86_400 - 3_600

    def test_ambiguous_autumn_hour_keeps_the_anchors_fold(self) -> None:
        tz = "Europe/Berlin"
        second = from_local(datetime(2024, 10, 27, 2, 30, fold=1), tz)
        first = from_local(datetime(2024, 10, 27, 2, 30, fold=0), tz)
        assert second - first == 3_600
        yearly = BillingCycle(Interval.YEARLY, second, tz)
        assert yearly.boundary(0) == second
        assert wall(yearly.boundary(1), tz) == datetime(2025, 10, 27, 2, 30)

    def test_skipped_day_in_apia(self) -> None:
        tz = "Pacific/Apia"  # 2011-12-30 did not exist there
        cycle = BillingCycle(Interval.MONTHLY, from_local(datetime(2011, 11, 30, 12), tz), tz)
        assert wall(cycle.boundary(1), tz) == datetime(2011, 12, 31, 12)
        # Dec 30 12:00 fell in the skipped day: moved forward by the gap, to Dec 31
        assert cycle.period(0).seconds == 30 * 86_400
        assert cycle.period(1).seconds == 30 * 86_400  # Dec 31 -> Jan 30
        assert cycle.period(1).start == cycle.period(0).end


class TestTrialAndValidation:
    def test_trial_days_are_local_calendar_days(self) -> None:
        tz = "Europe/Berlin"
        start = from_local(datetime(2024, 3, 20, 18), tz)
        end = trial_end(start, 14, tz)
        assert wall(end, tz) == datetime(2024, 4, 3, 18)
        assert end - start == 14 * 86_400 - 3_600  # the night of DST is one hour short
        assert trial_end(start, 0, tz) == start

    @pytest.mark.parametrize("name", ["", "America", "../etc/passwd", "Nope/Zone", "x" * 300,
                                      "Europe/Berlin\x00"])
    def test_unknown_time_zone(self, name: str) -> None:
        with pytest.raises(InvalidInput) as err:
            zone(name)
        assert err.value.code == "timezone_invalid"

    def test_out_of_range(self) -> None:
        cycle = BillingCycle(Interval.YEARLY, 0)
        with pytest.raises(InvalidInput) as err:
            cycle.boundary(10_000)
        assert err.value.code == "period_out_of_range"
        with pytest.raises(InvalidInput):
            BillingCycle(Interval.WEEKLY, 0, interval_count=0)
        with pytest.raises(InvalidInput):
            trial_end(0, -1, "UTC")
        with pytest.raises(InvalidInput) as err:
            Period(10, 10)
        assert err.value.code == "period_invalid"
