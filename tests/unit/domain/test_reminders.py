"""Which reminders are scheduled: every offset whose moment is still ahead, once, in
order; none that has come or passed."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from folio.domain.reminders import DAY, DEFAULT_REMINDER_OFFSETS, reminder_times

moments = st.integers(min_value=0, max_value=4_000_000_000)
offsets = st.lists(st.integers(min_value=-365, max_value=365), max_size=12)


@given(due=moments, now=moments, chosen=offsets)
def test_exactly_the_offsets_still_ahead_once_and_in_order(
        due: int, now: int, chosen: list[int]) -> None:
    times = reminder_times(due, chosen, now)
    assert [o for o, _ in times] == sorted({o for o in chosen if due + o * DAY > now})
    assert all(at == due + o * DAY and at > now for o, at in times)


def test_dolfins_offsets_when_sent_five_days_before_the_due_date() -> None:
    now = 1_780_000_000
    due = now + 5 * DAY
    assert reminder_times(due, DEFAULT_REMINDER_OFFSETS, now) == [
        (-2, due - 2 * DAY), (0, due), (2, due + 2 * DAY), (7, due + 7 * DAY)]


def test_a_due_date_reminder_never_goes_out_with_the_invoice() -> None:
    assert reminder_times(100, [0], 100) == []
