"""A customer's feature in its live subscription: what the plan includes, the usage of the
subscription's current period, whether more is allowed; and setting the current period's
usage of a sum meter to an exact value with one correcting event."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from folio.db.models import Customer, Plan, Subscription
from folio.domain.billing.aggregation import Aggregation
from folio.domain.errors import InvalidInput, InvalidState, NotFound
from folio.domain.money import format_decimal
from folio.domain.subscriptions import SubscriptionStatus
from folio.services import usage_events
from folio.services.billing_run import lock_subscription
from folio.services.context import Ctx
from folio.services.customers import get_customer
from folio.services.meters import meter_by_code
from folio.services.subscription_billing import metered_usage
from folio.services.subscription_time import service_start, subscription_now

# the statuses in which a subscription grants its plan's features
LIVE_STATUSES = (SubscriptionStatus.TRIALING.value, SubscriptionStatus.ACTIVE.value,
                 SubscriptionStatus.PAST_DUE.value)


@dataclass(frozen=True)
class FeatureStanding:
    """Where a customer stands on one feature. `subscription` is None when no live
    subscription's plan has the feature (then nothing is allowed)."""

    customer: Customer
    code: str
    kind: str | None  # metered | seats | boolean (None: not subscribed)
    subscription: Subscription | None
    meter: str | None
    period_start: int | None
    period_end: int | None
    used: Decimal | None  # None for boolean features
    included: Decimal | None
    charge: dict[str, Any] | None  # the plan's overage charge (None: no overage)
    quantity: Decimal
    allowed: bool

    @property
    def remaining(self) -> Decimal | None:
        if self.used is None or self.included is None:
            return None
        return max(self.included - self.used, Decimal(0))


def _plan_feature(plan: Plan, code: str) -> dict[str, Any] | None:
    for f in plan.features:
        if f["code"] == code:
            return dict(f)
    return None


def live_subscription_with(ctx: Ctx, customer: Customer, code: str
                           ) -> tuple[Subscription, dict[str, Any]] | None:
    """The customer's newest live subscription whose plan has feature `code`."""
    subs = ctx.session.scalars(select(Subscription).where(
        Subscription.account_id == ctx.account_id, Subscription.livemode == ctx.livemode,
        Subscription.customer_id == customer.id,
        Subscription.status.in_(LIVE_STATUSES)).order_by(Subscription.id.desc()))
    for sub in subs:
        feature = _plan_feature(sub.plan, code)
        if feature is not None:
            return sub, feature
    return None


def _feature_exists(ctx: Ctx, code: str) -> bool:
    rows = ctx.session.scalars(select(Plan.features).where(
        Plan.account_id == ctx.account_id, Plan.livemode == ctx.livemode))
    if any(f.get("code") == code for features in rows for f in features or []):
        return True
    try:
        meter_by_code(ctx, code)
    except NotFound:
        return False
    return True


def usage_window(sub: Subscription) -> tuple[int, int]:
    """The subscription's current period, from the end of its trial (trial usage is not
    billed; during the trial the window is empty)."""
    period_start = sub.current_period_start or sub.start_date
    period_end = sub.current_period_end or period_start
    start = max(period_start, service_start(sub))
    return min(start, period_end), period_end


def feature_standing(ctx: Ctx, customer_id: str, code: str,
                     quantity: Decimal = Decimal(1)) -> FeatureStanding:
    """Whether `quantity` more of feature `code` is allowed: a boolean feature when a live
    subscription's plan has it; seats and metered features when they stay within what is
    included, or when the plan charges for more."""
    customer = get_customer(ctx, customer_id, param="customer")
    found = live_subscription_with(ctx, customer, code)
    if found is None:
        if not _feature_exists(ctx, code):
            raise NotFound(f"No such feature: '{code}'.", param="feature")
        return FeatureStanding(customer, code, None, None, None, None, None, Decimal(0),
                               Decimal(0), None, quantity, False)
    sub, feature = found
    kind = feature["kind"]
    start, end = usage_window(sub)
    if kind == "boolean":
        return FeatureStanding(customer, code, kind, sub, None, start, end, None, None, None,
                               quantity, True)
    meter = feature.get("meter") or code if kind == "metered" else None
    if meter is not None:
        used = metered_usage(ctx, meter, customer.id, start, end) if end > start \
            else Decimal(0)
    else:
        used = Decimal(sub.seats)
    included = Decimal(str(feature.get("included") or 0))
    charge = feature.get("charge")
    allowed = charge is not None or used + quantity <= included
    return FeatureStanding(customer, code, kind, sub, meter, start, end, used, included,
                           charge, quantity, allowed)


def correction_event_id(sub: Subscription, start: int, meter: str, target: Decimal,
                        before: Decimal) -> str:
    """The same correction (same subscription, period, meter, usage before and target)
    always has the same event id, so a replay or a concurrent twin is recorded once."""
    key = f"{sub.public_id}:{start}:{meter}:{format_decimal(before)}:{format_decimal(target)}"
    return "set_" + hashlib.sha256(key.encode()).hexdigest()[:40]


def set_period_usage(ctx: Ctx, customer_id: str, code: str, value: Decimal,
                     reason: str | None = None) -> dict[str, Any]:
    """Makes the usage of metered feature `code` in the current period of the customer's
    live subscription exactly `value`, by recording one event of the difference (none
    when it already is). Only a sum meter can be set this way."""
    customer = get_customer(ctx, customer_id, param="customer")
    found = live_subscription_with(ctx, customer, code)
    if found is None:
        raise InvalidState(f"Customer {customer.public_id} has no live subscription with "
                           f"feature '{code}'.", code="subscription_missing", param="feature")
    sub, feature = found
    if feature["kind"] != "metered":
        raise InvalidInput(f"Feature '{code}' is not metered; its usage cannot be set.",
                           param="feature", code="feature_not_metered")
    meter = meter_by_code(ctx, feature.get("meter") or code)
    if meter.aggregation != Aggregation.SUM.value:
        raise InvalidInput(f"Feature '{code}' aggregates by {meter.aggregation}; only a sum "
                           "meter's usage can be set to a value.", param="feature",
                           code="usage_set_unsupported")
    locked = lock_subscription(ctx, sub.id)  # one correction at a time per subscription
    assert locked is not None
    start, end = usage_window(locked)
    if end <= start:
        raise InvalidState(f"Subscription {sub.public_id} is in its trial; no usage is "
                           "billed yet.", code="subscription_trialing", param="feature")
    before = metered_usage(ctx, meter.code, customer.id, start, end)
    delta = value - before
    event_id = None
    if delta != 0:
        event_id = correction_event_id(locked, start, meter.code, value, before)
        at = min(max(subscription_now(ctx, locked), start), end - 1)
        event: dict[str, Any] = {"event_id": event_id, "customer": customer.public_id,
                                 "feature": meter.code, "timestamp": at}
        properties: dict[str, Any] = {"reason": reason} if reason else {}
        if meter.property:  # the meter reads its value from a property
            properties[meter.property] = format_decimal(delta)
        else:
            event["value"] = format_decimal(delta)
        if properties:
            event["properties"] = properties
        usage_events.ingest(ctx, event)
    after = metered_usage(ctx, meter.code, customer.id, start, end)
    return {"object": "usage_set", "customer": customer.public_id, "feature": code,
            "meter": meter.code, "subscription": sub.public_id, "period_start": start,
            "period_end": end, "previous": before, "value": after, "delta": after - before,
            "event_id": event_id, "reason": reason, "livemode": ctx.livemode}
