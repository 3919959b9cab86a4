"""Dunning: when a failed automatic charge is retried, and what happens when retries run
out. Retry k (from 1) falls `retry_days[k-1]` days after the first failed attempt, so a
late retry never pushes the later ones back."""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from itertools import pairwise
from typing import Final

from folio.domain.errors import InvalidInput

DAY: Final = 86_400
DEFAULT_RETRY_DAYS: Final = (1, 3, 5, 7)
MAX_RETRIES: Final = 10
MAX_RETRY_DAY: Final = 90


class FinalAction(str, Enum):
    """What an invoice becomes when its last retry fails."""

    MARK_UNCOLLECTIBLE = "mark_uncollectible"
    LEAVE_OPEN = "leave_open"


DEFAULT_FINAL_ACTION: Final = FinalAction.MARK_UNCOLLECTIBLE


def check_retry_days(days: Sequence[int]) -> list[int]:
    """Strictly increasing whole days after the first failure, 1 to 90, at most 10."""
    values = list(days)
    if len(values) > MAX_RETRIES:
        raise InvalidInput(f"At most {MAX_RETRIES} retries.", param="dunning_retry_days")
    if any(not 1 <= d <= MAX_RETRY_DAY for d in values) \
            or any(b <= a for a, b in pairwise(values)):
        raise InvalidInput("Retry days must be strictly increasing, each 1 to "
                           f"{MAX_RETRY_DAY} days after the first failure.",
                           param="dunning_retry_days", code="dunning_schedule_invalid")
    return values


def next_retry_at(first_failure_at: int, failed_attempts: int,
                  retry_days: Sequence[int]) -> int | None:
    """When the next attempt is due after `failed_attempts` failed attempts (the first
    one included), or None when the retries are exhausted."""
    retry = failed_attempts  # attempt 1 failed -> retry 1 is next
    if retry > len(retry_days):
        return None
    return first_failure_at + DAY * retry_days[retry - 1]
