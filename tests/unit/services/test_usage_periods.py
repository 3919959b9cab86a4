"""Where a subscription's usage closes: the end of the last usage period it billed."""

from __future__ import annotations

from folio.domain.billing.periods import BillingCycle, Interval
from folio.services.usage_periods import closed_until

CYCLE = BillingCycle(Interval.MONTHLY, 1_780_000_000, "UTC")


def test_nothing_is_closed_before_the_first_usage_period_is_billed() -> None:
    assert closed_until("active", 0, None, CYCLE, 0) is None
    assert closed_until("active", 1, None, CYCLE, 0) is None  # boundary 0 billed no usage
    assert closed_until("trialing", 0, None, CYCLE, -1) is None


def test_billed_boundaries_close_their_usage_periods() -> None:
    assert closed_until("active", 2, None, CYCLE, 0) == CYCLE.boundary(1)
    assert closed_until("past_due", 5, None, CYCLE, 0) == CYCLE.boundary(4)
    assert closed_until("paused", 3, None, CYCLE, 0) == CYCLE.boundary(2)
    # with a stub before the anchor, boundary 0 billed the stub's usage
    assert closed_until("active", 1, None, CYCLE, -1) == CYCLE.anchor


def test_a_canceled_subscription_is_closed_up_to_its_end() -> None:
    assert closed_until("canceled", 3, 1_785_000_000, CYCLE, 0) == 1_785_000_000
    assert closed_until("canceled", 0, 1_779_000_000, CYCLE, 0) == 1_779_000_000
