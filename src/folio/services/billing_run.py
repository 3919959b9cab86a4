"""Bill a subscription's due boundaries: one invoice per subscription and boundary (the
`billing_periods` unique constraint guarantees it), finalized, then collected per the
subscription's collection method; then the subscription moves to its next period.

The caller (a billing run job, a test clock advance, a cancellation) holds one
transaction per subscription; nothing here commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from folio.db.models import BillingPeriod, Invoice, Subscription
from folio.domain.errors import Conflict
from folio.domain.subscriptions import (
    SubscriptionAction,
    SubscriptionStatus,
    next_subscription_status,
)
from folio.services import events, lifecycle, subscription_collection
from folio.services.context import Ctx
from folio.services.subscription_billing import bill_for_boundary, draft_of
from folio.services.subscription_time import cycle_of
from folio.services.subscription_views import subscription_view
from folio.services.views import invoice_view


class AlreadyBilled(Conflict):
    code = "subscription_period_already_billed"


@dataclass
class Billed:
    boundary: int
    invoice: Invoice | None


def collect_automatically(ctx: Ctx, invoice: Invoice, sub: Subscription) -> None:
    """The collection of a finalized `charge_automatically` subscription invoice with an
    amount due, in the billing transaction: the customer's default payment method is
    charged once for this attempt; a decline starts dunning and makes the subscription
    past_due (services/subscription_collection.py, ADR 17)."""
    subscription_collection.collect_subscription_invoice(ctx, invoice)


def set_status(ctx: Ctx, sub: Subscription, action: SubscriptionAction) -> None:
    sub.status = next_subscription_status(SubscriptionStatus(sub.status), action).value
    sub.updated = ctx.now()


def lock_subscription(ctx: Ctx, subscription_id: int) -> Subscription | None:
    """The subscription, locked for this transaction (PostgreSQL: FOR UPDATE, freshly
    read; SQLite: the write transaction already holds the database lock)."""
    return ctx.session.scalars(
        select(Subscription).where(Subscription.id == subscription_id,
                                   Subscription.account_id == ctx.account_id,
                                   Subscription.livemode == ctx.livemode)
        .with_for_update(of=Subscription)
        .execution_options(populate_existing=True)).first()


def _claim(ctx: Ctx, sub: Subscription, k: int, invoice: Invoice | None) -> None:
    """Records boundary k as billed, with its invoice (one flush inserts both). No savepoint:
    a duplicate aborts this subscription's whole transaction, which is what should
    happen to it (the caller holds the subscription lock, so only a writer that bypassed
    it can get here)."""
    ctx.session.add(BillingPeriod(subscription_id=sub.id, boundary=k, billed_at=ctx.now(),
                                  invoice=invoice))
    try:
        ctx.session.flush()
    except IntegrityError:
        raise AlreadyBilled(f"Boundary {k} of {sub.public_id} is already billed.") from None


def _issue(ctx: Ctx, invoice: Invoice, sub: Subscription) -> None:
    events.record(ctx, "invoice.created", invoice_view(invoice))
    if invoice.collection_method == "send_invoice":
        lifecycle.send_loaded_invoice(ctx, invoice)
        return
    lifecycle.finalize_new_invoice(ctx, invoice)
    if invoice.amount_due > 0:
        collect_automatically(ctx, invoice, sub)


def spend_discounts(discounts: list[Any]) -> list[Any]:
    """One invoice used each discount: those with a limited number of invoices count down
    and are gone at zero."""
    out = []
    for d in discounts:
        left = d.get("invoices_left")
        if left is None:
            out.append(d)
        elif left > 1:
            out.append({**d, "invoices_left": left - 1})
    return out


def bill_boundary(ctx: Ctx, sub: Subscription, k: int, *, final: bool = False,
                  usage_end: int | None = None) -> Billed:
    """Bills boundary k (the caller holds the subscription lock and sets the clock to
    the boundary's time) and moves the subscription past it."""
    final = final or sub.cancel_at_period_end
    if sub.status == SubscriptionStatus.TRIALING.value and sub.trial_end is not None \
            and ctx.now() >= sub.trial_end:
        set_status(ctx, sub, SubscriptionAction.END_TRIAL)
        events.record(ctx, "customer.subscription.trial_ended", subscription_view(sub))
    bill = bill_for_boundary(ctx, sub, k, final=final, usage_end=usage_end)
    invoice = None
    if bill.lines:
        invoice = draft_of(ctx, bill, sub.customer)
    _claim(ctx, sub, k, invoice)
    if invoice is not None:
        _issue(ctx, invoice, sub)
        sub.discounts = spend_discounts(sub.discounts or [])
    sub.pending_prorations = []
    cycle = cycle_of(sub)
    sub.next_boundary = k + 1
    if k >= 0:
        sub.current_period_start = cycle.boundary(k)
        sub.current_period_end = cycle.boundary(k + 1)
    if final:
        sub.next_billing_at = None
        if sub.status != SubscriptionStatus.CANCELED.value:
            set_status(ctx, sub, SubscriptionAction.CANCEL)
        sub.ended_at = sub.ended_at or ctx.now()
        sub.canceled_at = sub.canceled_at or ctx.now()
        sub.current_period_end = ctx.now()
        events.record(ctx, "customer.subscription.deleted", subscription_view(sub))
    else:
        sub.next_billing_at = cycle.boundary(k + 1)
        events.record(ctx, "customer.subscription.updated", subscription_view(sub))
    sub.updated = ctx.now()
    ctx.session.flush()
    return Billed(boundary=k, invoice=invoice)


def next_due(sub: Subscription, at: int) -> int | None:
    """The next boundary instant of `sub` due at `at`, if any."""
    if sub.status == SubscriptionStatus.CANCELED.value or sub.next_billing_at is None:
        return None
    return sub.next_billing_at if sub.next_billing_at <= at else None


def catch_up(ctx: Ctx, sub: Subscription, at: int, *, on_boundary_clock: bool) -> list[Billed]:
    """Bills every boundary of `sub` due at `at`, in order. `on_boundary_clock`: each
    boundary is billed with the clock at the boundary's instant (test clocks); otherwise
    at the caller's clock."""
    billed: list[Billed] = []
    real_clock = ctx.clock
    try:
        while (due := next_due(sub, at)) is not None:
            if on_boundary_clock:
                ctx.clock = lambda due=due: due  # type: ignore[misc]
            billed.append(bill_boundary(ctx, sub, sub.next_boundary))
    finally:
        ctx.clock = real_clock
    return billed
