"""Where a subscription stands in time: its clock (a test clock's frozen time, or the real
one), its billing cycle, and the price its period is worth."""

from __future__ import annotations

from decimal import Decimal

from folio.db.models import Subscription, TestClock
from folio.domain.billing.bill import FeatureKind, PlanSpec
from folio.domain.billing.charges import price_usage
from folio.domain.billing.periods import BillingCycle, Interval, Period
from folio.domain.money import RoundingMode
from folio.domain.subscriptions import CHARGING_STATUSES, SubscriptionStatus
from folio.services.context import Ctx
from folio.services.plans import plan_spec

ROUNDING = RoundingMode.HALF_UP


def clock_time(ctx: Ctx, test_clock_id: int | None) -> int:
    """Now for an object on `test_clock_id` (its frozen time), else the real clock."""
    if test_clock_id is None:
        return ctx.now()
    clock = ctx.session.get(TestClock, test_clock_id)
    assert clock is not None  # clocks are never removed, only marked deleted
    return clock.frozen_time


def subscription_now(ctx: Ctx, sub: Subscription) -> int:
    return clock_time(ctx, sub.test_clock_id)


def cycle_of(sub: Subscription) -> BillingCycle:
    plan = sub.plan
    return BillingCycle(Interval(plan.interval), sub.billing_anchor, sub.timezone,
                        plan.interval_count)


def service_start(sub: Subscription) -> int:
    """When billable service begins: the end of the trial, else the start."""
    return sub.trial_end if sub.trial_end is not None else sub.start_date


def first_index(sub: Subscription) -> int:
    """-1 when the subscription starts before its anchor (a stub period)."""
    return -1 if sub.billing_anchor > service_start(sub) else 0


def current_period(sub: Subscription) -> Period | None:
    """The period the subscription is in since its last billed boundary (None before its
    first boundary)."""
    if sub.next_boundary <= 0:
        return None
    return cycle_of(sub).period(sub.next_boundary - 1)


def period_price(spec: PlanSpec, seats: int) -> Decimal:
    """What one whole period of base price and seats is worth, in minor units."""
    total = Decimal(spec.base_amount)
    for feature in spec.features:
        if feature.kind is FeatureKind.SEATS and feature.charge is not None:
            total += price_usage(feature.charge, Decimal(seats), feature.included,
                                 ROUNDING).amount
    return total


def charging_price(sub: Subscription) -> Decimal:
    """The period price in force now: nothing while trialing or paused."""
    if SubscriptionStatus(sub.status) not in CHARGING_STATUSES:
        return Decimal(0)
    return period_price(plan_spec(sub.plan), sub.seats)
