"""When payment reminders go out: days relative to an invoice's due date."""

from __future__ import annotations

from collections.abc import Iterable

DAY = 86_400

# Dolfin's reminders: a week before, two days before, on the due date, two days after,
# a week after
DEFAULT_REMINDER_OFFSETS: tuple[int, ...] = (-7, -2, 0, 2, 7)

# invoices in these states are owed nothing more: no reminder goes out for them
SETTLED_STATUSES = frozenset({"paid", "void", "uncollectible"})


def reminder_times(due_date: int, offsets: Iterable[int], now: int) -> list[tuple[int, int]]:
    """(offset, moment) for each offset still ahead of `now`, earliest first. An offset
    whose moment has come or passed is skipped: a reminder never arrives late or together
    with the invoice it reminds of."""
    return [(offset, due_date + offset * DAY) for offset in sorted(set(offsets))
            if due_date + offset * DAY > now]
