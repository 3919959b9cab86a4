"""Subscriptions under automatic collection (ADR 17).

A subscription invoice with collection_method charge_automatically is charged in the
billing transaction, through the same collection service as any invoice. What a charge
does to the subscription, through the subscription transition table:

- a failed charge makes an active subscription `past_due` (it is still billed);
- a successful charge (first attempt or a retry) makes a `past_due` subscription
  `active` again;
- when the dunning retries run out, the account's `subscription_dunning_action` applies:
  `cancel` ends the subscription at once (no final invoice, nothing credited: what it
  owes stays on its open or uncollectible invoices), `leave_past_due` (the default) keeps
  it billing, `past_due`.

Collection knows nothing of subscriptions: it calls the hooks of
`collection_hooks`, which this module installs when it is imported (the billing run
imports it, so every process that bills or retries has them).
"""

from __future__ import annotations

from typing import Final, Literal

from sqlalchemy import select

from folio.db.models import Invoice, Subscription
from folio.domain.subscriptions import SubscriptionAction, SubscriptionStatus, can
from folio.services import collection, collection_hooks, events
from folio.services.context import Ctx
from folio.services.subscription_views import subscription_view

DunningAction = Literal["cancel", "leave_past_due"]
DEFAULT_DUNNING_ACTION: Final[DunningAction] = "leave_past_due"


def collect_subscription_invoice(ctx: Ctx, invoice: Invoice) -> None:
    """Charges a just-finalized subscription invoice (a no-op unless a charge is due)."""
    collection.collect_invoice(ctx, invoice.public_id)


def _subscription_of(ctx: Ctx, invoice: Invoice) -> Subscription | None:
    if not invoice.subscription_ref:
        return None
    return ctx.session.scalars(
        select(Subscription).where(Subscription.public_id == invoice.subscription_ref,
                                   Subscription.account_id == ctx.account_id,
                                   Subscription.livemode == ctx.livemode)
        .with_for_update(of=Subscription)).first()


def _apply(ctx: Ctx, sub: Subscription, action: SubscriptionAction) -> bool:
    current = SubscriptionStatus(sub.status)
    if not can(current, action):
        return False
    # local import: billing_run imports this module to install the hooks
    from folio.services.billing_run import set_status
    set_status(ctx, sub, action)
    return True


def _payment_failed(ctx: Ctx, invoice: Invoice) -> None:
    sub = _subscription_of(ctx, invoice)
    if sub is not None and _apply(ctx, sub, SubscriptionAction.PAYMENT_FAILED):
        ctx.session.flush()
        events.record(ctx, "customer.subscription.updated", subscription_view(sub))


def _payment_succeeded(ctx: Ctx, invoice: Invoice) -> None:
    sub = _subscription_of(ctx, invoice)
    if sub is None or sub.status != SubscriptionStatus.PAST_DUE.value:
        return
    if _still_unpaid(ctx, sub, invoice):
        return  # another invoice of the subscription is still in dunning
    if _apply(ctx, sub, SubscriptionAction.PAYMENT_RECOVERED):
        ctx.session.flush()
        events.record(ctx, "customer.subscription.updated", subscription_view(sub))


def _still_unpaid(ctx: Ctx, sub: Subscription, paid: Invoice) -> bool:
    return ctx.session.scalars(
        select(Invoice.id).where(Invoice.account_id == ctx.account_id,
                                 Invoice.livemode == ctx.livemode,
                                 Invoice.subscription_ref == sub.public_id,
                                 Invoice.id != paid.id, Invoice.status == "open",
                                 Invoice.attempt_count > 0).limit(1)).first() is not None


def _retries_exhausted(ctx: Ctx, invoice: Invoice) -> None:
    sub = _subscription_of(ctx, invoice)
    action = ctx.account.subscription_dunning_action or DEFAULT_DUNNING_ACTION
    if sub is None or action != "cancel":
        return
    if _apply(ctx, sub, SubscriptionAction.CANCEL):
        sub.canceled_at = sub.ended_at = ctx.now()
        sub.next_billing_at = None
        sub.cancel_at_period_end = False
        ctx.session.flush()
        events.record(ctx, "customer.subscription.deleted", subscription_view(sub))


def install() -> None:
    """Registers the hooks once per process."""
    global _installed
    if not _installed:
        collection_hooks.on_payment_failed(_payment_failed)
        collection_hooks.on_payment_succeeded(_payment_succeeded)
        collection_hooks.on_retries_exhausted(_retries_exhausted)
        _installed = True


_installed = False
install()
