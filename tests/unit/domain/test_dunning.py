"""Dunning: retries fall on fixed days after the first failure and run out."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from folio.domain.dunning import DAY, DEFAULT_RETRY_DAYS, check_retry_days, next_retry_at
from folio.domain.errors import InvalidInput


def test_default_schedule() -> None:
    first = 1_700_000_000
    assert [next_retry_at(first, n, DEFAULT_RETRY_DAYS) for n in range(1, 6)] == [
        first + DAY, first + 3 * DAY, first + 5 * DAY, first + 7 * DAY, None]


@given(days=st.lists(st.integers(1, 90), max_size=10, unique=True).map(sorted),
       first=st.integers(0, 4_000_000_000))
def test_retries_increase_then_run_out(days: list[int], first: int) -> None:
    check_retry_days(days)
    times = [next_retry_at(first, n, days) for n in range(1, len(days) + 2)]
    assert times[-1] is None
    planned = [t for t in times[:-1] if t is not None]
    assert len(planned) == len(days)
    assert all(b > a for a, b in zip([first, *planned], planned, strict=False))


@pytest.mark.parametrize("days", [[3, 3], [5, 2], [0], [91], list(range(1, 12))])
def test_bad_schedules(days: list[int]) -> None:
    with pytest.raises(InvalidInput):
        check_retry_days(days)
