"""Subscriptions: create, read, list, change plan or seats, cancel, pause, resume, and the
upcoming invoice. A change mid-period books proration lines that the next invoice bills.
Every operation first bills what is due (a subscription is never changed behind its
billing), on the subscription's own clock (a test clock's frozen time, or now)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field

from folio.db.models import Coupon, Subscription
from folio.db.repository import Page, created_filter, get_by_public_id, page, scoped
from folio.domain.billing.periods import BillingCycle, Interval, trial_end, zone
from folio.domain.billing.proration import ProrationLine, prorate_cancellation, prorate_change
from folio.domain.errors import InvalidInput, InvalidState
from folio.domain.subscriptions import SubscriptionAction, SubscriptionStatus
from folio.services import events
from folio.services.billing_run import bill_boundary, catch_up, lock_subscription, set_status
from folio.services.context import Ctx
from folio.services.credit_preview import apply_available_credit
from folio.services.customers import get_customer
from folio.services.inputs.common import (
    PublicId,
    Timestamp,
    TimeZone,
    WithMetadata,
    merge_metadata,
    provided,
)
from folio.services.inputs.invoices import CollectionMethod, DiscountInput
from folio.services.plans import get_plan, plan_spec
from folio.services.pricing import check_tax_rates, resolve_discounts
from folio.services.subscription_billing import bill_for_boundary, draft_of
from folio.services.subscription_time import (
    ROUNDING,
    charging_price,
    clock_time,
    current_period,
    cycle_of,
    period_price,
    service_start,
    subscription_now,
)
from folio.services.subscription_views import subscription_view
from folio.services.usage_periods import hold_ingestion
from folio.services.views import invoice_view

Seats = Annotated[int, Field(ge=0, le=10**6)]
DaysUntilDue = Annotated[int, Field(ge=0, le=3650)]
ProrationBehavior = Literal["create_prorations", "none"]


class SubscriptionCreate(WithMetadata):
    customer: PublicId
    plan: PublicId
    start_date: Timestamp | None = None  # default: now (on the customer's clock)
    billing_anchor: Timestamp | None = None  # default: the start (or the trial's end)
    timezone: TimeZone | None = None  # default: the customer's, else UTC
    trial_days: Annotated[int, Field(ge=0, le=730)] | None = None  # default: the plan's
    collection_method: CollectionMethod = "charge_automatically"
    days_until_due: DaysUntilDue | None = None
    seats: Seats = 1
    default_tax_rates: list[PublicId] | None = Field(default=None, max_length=5)
    discounts: list[DiscountInput] | None = Field(default=None, max_length=5)
    apply_credit_balance: bool = True


class SubscriptionUpdate(WithMetadata):
    plan: PublicId | None = None
    seats: Seats | None = None
    proration_behavior: ProrationBehavior = "create_prorations"
    cancel_at_period_end: bool | None = None
    collection_method: CollectionMethod | None = None
    days_until_due: DaysUntilDue | None = None
    default_tax_rates: list[PublicId] | None = Field(default=None, max_length=5)


class SubscriptionCancel(WithMetadata):
    at_period_end: bool = False
    prorate: bool = True  # credit the unused time of the period (cancel now)


def _check_collection(method: str, days: int | None) -> int | None:
    if method == "send_invoice":
        if days is None:
            raise InvalidInput("send_invoice needs days_until_due.", param="days_until_due",
                               code="days_until_due_required")
        return days
    if days is not None:
        raise InvalidInput("days_until_due applies only to send_invoice.",
                           param="days_until_due")
    return None


def _stub_proration(sub: Subscription) -> list[dict[str, Any]]:
    """A start before the anchor: the stub [start, anchor) as a fraction of the period
    that ends at the anchor, debited on the first invoice."""
    begin = service_start(sub)
    if sub.billing_anchor <= begin:
        return []
    price = period_price(plan_spec(sub.plan), sub.seats)
    stub = cycle_of(sub).period(-1)
    credit = prorate_cancellation(stub, begin, price, ROUNDING).credit
    return _stored([ProrationLine("Partial period before the billing anchor", -credit.amount,
                                  begin, stub.end, credit.fraction, price)])


def _stored(lines: list[ProrationLine]) -> list[dict[str, Any]]:
    return [{"description": p.description, "amount": p.amount, "start": p.start,
             "end": p.end, "fraction": str(p.fraction), "period_amount": str(p.period_amount)}
            for p in lines if p.amount != 0]


def _discounts_with_duration(ctx: Ctx, discounts: list[DiscountInput], currency: str
                             ) -> list[dict[str, Any]]:
    """The discounts as given, each with how many more invoices it applies to: a coupon's
    `once` is 1, `repeating` its duration_in_months (counted in invoices), `forever` and
    inline discounts None (every invoice)."""
    resolve_discounts(ctx, discounts, currency, "discounts")  # validates every one
    out: list[dict[str, Any]] = []
    for d in discounts:
        left: int | None = None
        if d.coupon:
            coupon = get_by_public_id(ctx.session, Coupon, ctx.scope, d.coupon,
                                      param="discounts")
            if coupon.duration == "once":
                left = 1
            elif coupon.duration == "repeating":
                left = coupon.duration_in_months or 1
        out.append({**d.model_dump(mode="json", exclude_none=True), "invoices_left": left})
    return out


def create_subscription(ctx: Ctx, data: SubscriptionCreate) -> Subscription:
    customer = get_customer(ctx, data.customer, param="customer")
    plan = get_plan(ctx, data.plan, param="plan")
    if not plan.active:
        raise InvalidInput(f"Plan {plan.public_id} is inactive.", param="plan",
                           code="plan_inactive")
    if customer.currency and customer.currency != plan.currency:
        raise InvalidInput(f"Plan {plan.public_id} is in {plan.currency}; the customer "
                           f"pays in {customer.currency}.", param="plan",
                           code="currency_mismatch")
    now = clock_time(ctx, customer.test_clock_id)
    start = now if data.start_date is None else data.start_date
    if start < now:  # it may bill past usage at once: no ingestion beside it (ADR 11)
        hold_ingestion(ctx)
    tz = data.timezone or customer.timezone or "UTC"
    zone(tz)
    days = plan.trial_days if data.trial_days is None else data.trial_days
    trial = trial_end(start, days, tz) if days else None
    begin = trial if trial is not None else start
    anchor = begin if data.billing_anchor is None else data.billing_anchor
    if anchor < begin:
        raise InvalidInput("billing_anchor is before the start (or the trial's end).",
                           param="billing_anchor", code="billing_anchor_invalid")
    if anchor > BillingCycle(Interval(plan.interval), begin, tz, plan.interval_count
                             ).boundary(1):
        raise InvalidInput("billing_anchor must fall within one interval of the start.",
                           param="billing_anchor", code="billing_anchor_invalid")
    sub = Subscription(
        **ctx.owned(), customer_id=customer.id, plan_id=plan.id,
        test_clock_id=customer.test_clock_id,
        status=(SubscriptionStatus.TRIALING if trial is not None
                else SubscriptionStatus.ACTIVE).value,
        start_date=start, billing_anchor=anchor, timezone=tz, trial_end=trial,
        collection_method=data.collection_method,
        days_until_due=_check_collection(data.collection_method, data.days_until_due),
        seats=data.seats,
        default_tax_rates=check_tax_rates(ctx, data.default_tax_rates or [],
                                          "default_tax_rates"),
        discounts=_discounts_with_duration(ctx, data.discounts or [], plan.currency),
        apply_credit_balance=data.apply_credit_balance, next_boundary=0,
        next_billing_at=anchor, current_period_start=start, current_period_end=anchor,
        cancel_at_period_end=False, pending_prorations=[], metadata_=data.metadata or {})
    sub.customer, sub.plan = customer, plan
    sub.updated = sub.created
    sub.pending_prorations = _stub_proration(sub)
    ctx.session.add(sub)
    ctx.session.flush()
    events.record(ctx, "customer.subscription.created", subscription_view(sub))
    catch_up(ctx, sub, now, on_boundary_clock=sub.test_clock_id is not None)
    return sub


def get_subscription(ctx: Ctx, sub_id: str, *, param: str = "id") -> Subscription:
    return get_by_public_id(ctx.session, Subscription, ctx.scope, sub_id, param=param)


def list_subscriptions(ctx: Ctx, p: Page, *, customer: str | None = None,
                       plan: str | None = None, status: str | None = None,
                       created: dict[str, int] | None = None
                       ) -> tuple[list[Subscription], bool]:
    stmt = created_filter(scoped(Subscription, ctx.scope), Subscription, created)
    if customer:
        stmt = stmt.where(Subscription.customer_id == get_customer(ctx, customer,
                                                                   "customer").id)
    if plan:
        stmt = stmt.where(Subscription.plan_id == get_plan(ctx, plan, param="plan").id)
    if status:
        stmt = stmt.where(Subscription.status == status)
    return page(ctx.session, stmt, Subscription, ctx.scope, p)


def _locked_current(ctx: Ctx, sub_id: str) -> tuple[Subscription, int]:
    """The subscription, locked and billed up to its clock's now."""
    found = get_subscription(ctx, sub_id)
    sub = lock_subscription(ctx, found.id)
    assert sub is not None
    now = subscription_now(ctx, sub)
    catch_up(ctx, sub, now, on_boundary_clock=sub.test_clock_id is not None)
    if sub.status == SubscriptionStatus.CANCELED.value:
        raise InvalidState(f"Subscription {sub.public_id} is canceled.",
                           code="subscription_canceled")
    return sub, now


def _prorate(sub: Subscription, at: int, old: Decimal, new: Decimal, old_label: str,
             new_label: str) -> None:
    """Books the change of the period price from `old` to `new` at `at`."""
    period = current_period(sub)
    if period is None or old == new or not period.start <= at < period.end:
        return
    change = prorate_change(period, at, old, new, plan_spec(sub.plan).timing, ROUNDING,
                            old_label=old_label, new_label=new_label)
    sub.pending_prorations = [*(sub.pending_prorations or []), *_stored(list(change.lines))]


def update_subscription(ctx: Ctx, sub_id: str, data: SubscriptionUpdate) -> Subscription:
    sub, now = _locked_current(ctx, sub_id)
    changes = provided(data)
    prorate = data.proration_behavior == "create_prorations"
    old_price, old_label = charging_price(sub), sub.plan.name
    if changes.get("plan") is not None:
        plan = get_plan(ctx, changes["plan"], param="plan")
        current = sub.plan
        if not plan.active:
            raise InvalidInput(f"Plan {plan.public_id} is inactive.", param="plan",
                               code="plan_inactive")
        if (plan.currency, plan.interval, plan.interval_count, plan.billing_timing) != (
                current.currency, current.interval, current.interval_count,
                current.billing_timing):
            raise InvalidInput("A plan change keeps the currency, interval and billing "
                               "timing; cancel and subscribe to change those.",
                               param="plan", code="plan_change_incompatible")
        sub.plan_id, sub.plan = plan.id, plan
    if changes.get("seats") is not None:
        sub.seats = changes["seats"]
    if prorate:
        _prorate(sub, now, old_price, charging_price(sub), old_label, sub.plan.name)
    if changes.get("cancel_at_period_end") is not None:
        sub.cancel_at_period_end = changes["cancel_at_period_end"]
        sub.canceled_at = now if sub.cancel_at_period_end else None
    if changes.get("collection_method") is not None or "days_until_due" in changes:
        method = changes.get("collection_method") or sub.collection_method
        kept = sub.days_until_due if method == sub.collection_method else None
        days = changes.get("days_until_due", kept)
        sub.days_until_due = _check_collection(method, days)
        sub.collection_method = method
    if "default_tax_rates" in changes:
        sub.default_tax_rates = check_tax_rates(ctx, data.default_tax_rates or [],
                                                "default_tax_rates")
    if "metadata" in changes:
        sub.metadata_ = merge_metadata(sub.metadata_, changes["metadata"])
    sub.updated = ctx.now()
    ctx.session.flush()
    events.record(ctx, "customer.subscription.updated", subscription_view(sub))
    return sub


def cancel_subscription(ctx: Ctx, sub_id: str, data: SubscriptionCancel) -> Subscription:
    """At period end: the next boundary bills the last period and ends it. Now: the
    unused time is credited and a final invoice bills it with the usage so far."""
    sub, now = _locked_current(ctx, sub_id)
    if data.at_period_end:
        sub.cancel_at_period_end = True
        sub.canceled_at = now
        sub.updated = ctx.now()
        ctx.session.flush()
        events.record(ctx, "customer.subscription.updated", subscription_view(sub))
        return sub
    period = current_period(sub)
    price = charging_price(sub)
    if data.prorate and period is not None and price > 0 and period.start <= now < period.end:
        credit = prorate_cancellation(period, now, price, ROUNDING,
                                      label=sub.plan.name).credit
        sub.pending_prorations = [*(sub.pending_prorations or []), *_stored([credit])]
    sub.canceled_at = now
    if period is None:  # nothing billed yet (in trial, or before the start)
        set_status(ctx, sub, SubscriptionAction.CANCEL)
        sub.next_billing_at, sub.ended_at = None, now
        ctx.session.flush()
        events.record(ctx, "customer.subscription.deleted", subscription_view(sub))
        return sub
    real_clock = ctx.clock
    if sub.test_clock_id is not None:
        ctx.clock = lambda: now
    try:
        sub.ended_at = now
        bill_boundary(ctx, sub, sub.next_boundary, final=True, usage_end=now)
    finally:
        ctx.clock = real_clock
    return sub


def pause_subscription(ctx: Ctx, sub_id: str) -> Subscription:
    """No base price or seats accrue while paused (the rest of the period is credited in
    advance, or only the time used is billed in arrears); recorded usage is still billed."""
    sub, now = _locked_current(ctx, sub_id)
    old = charging_price(sub)
    set_status(ctx, sub, SubscriptionAction.PAUSE)
    _prorate(sub, now, old, Decimal(0), sub.plan.name, f"{sub.plan.name} (paused)")
    sub.paused_at = now
    ctx.session.flush()
    events.record(ctx, "customer.subscription.paused", subscription_view(sub))
    return sub


def resume_subscription(ctx: Ctx, sub_id: str) -> Subscription:
    sub, now = _locked_current(ctx, sub_id)
    set_status(ctx, sub, SubscriptionAction.RESUME)
    _prorate(sub, now, Decimal(0), charging_price(sub), f"{sub.plan.name} (paused)",
             sub.plan.name)
    sub.paused_at = None
    ctx.session.flush()
    events.record(ctx, "customer.subscription.resumed", subscription_view(sub))
    return sub


def upcoming_invoice(ctx: Ctx, sub_id: str) -> dict[str, Any]:
    """The invoice the next boundary will issue, computed now through the billing run's
    own path (usage so far, pending prorations, discounts, tax, credit); writes nothing."""
    sub = get_subscription(ctx, sub_id)
    if sub.status == SubscriptionStatus.CANCELED.value or sub.next_billing_at is None:
        raise InvalidState(f"Subscription {sub.public_id} has no upcoming invoice.",
                           code="subscription_canceled")
    bill = bill_for_boundary(ctx, sub, sub.next_boundary, final=sub.cancel_at_period_end)
    invoice = draft_of(ctx, bill, sub.customer)
    if invoice.apply_credit_balance:
        apply_available_credit(ctx, invoice, sub.next_billing_at)
    view = invoice_view(invoice)
    view.update(id=None, uuid=None, created=sub.next_billing_at)
    for line in view["lines"]["data"]:
        line["id"] = None
    return view
