"""The events feed and outbox: one row per state change, in the same transaction."""

from __future__ import annotations

from typing import Any

from folio.db.models import Event
from folio.db.repository import Page, get_by_public_id, page, scoped
from folio.services.context import Ctx

EVENT_TYPES = frozenset({
    "account.updated", "customer.created", "customer.updated",
    "product.created", "product.updated", "price.created", "price.updated",
    "tax_rate.created", "tax_rate.updated", "coupon.created", "coupon.updated",
    "invoice.created", "invoice.updated", "invoice.deleted", "invoice.finalized",
    "invoice.sent", "invoice.paid", "invoice.payment_succeeded", "invoice.payment_failed",
    "invoice.voided",
    "invoice.marked_uncollectible",
    "payment.created", "credit_note.created", "credit_note.issued", "credit_note.voided",
    "credit_grant.created", "credit_grant.applied", "credit_grant.revoked",
    "meter.created",
    "payment_method.attached", "payment_method.detached",
    "recurring_schedule.created", "recurring_schedule.updated", "recurring_schedule.paused",
    "recurring_schedule.resumed", "recurring_schedule.canceled",
    "recurring_schedule.completed",
    "invoice.email_sent", "invoice.email_failed",
    "plan.created", "plan.updated",
    "customer.subscription.created", "customer.subscription.updated",
    "customer.subscription.trial_ended", "customer.subscription.paused",
    "customer.subscription.resumed", "customer.subscription.deleted",
    "test_clock.created", "test_clock.advanced", "test_clock.deleted",
})


def record(ctx: Ctx, type_: str, obj: dict[str, Any]) -> Event:
    event = new_event(ctx, type_, obj)
    ctx.session.add(event)
    return event


def new_event(ctx: Ctx, type_: str, obj: dict[str, Any]) -> Event:
    """The event row `record` adds, unsaved (the set-based billing run inserts its
    events in bulk)."""
    assert type_ in EVENT_TYPES, type_
    return Event(
        account_id=ctx.account_id, livemode=ctx.livemode, created=ctx.now(), type=type_,
        object_type=str(obj["object"]), object_id=str(obj["id"]), data={"object": obj},
        request_id=ctx.request_id, idempotency_key=ctx.idempotency_key,
    )


def get_event(ctx: Ctx, event_id: str) -> Event:
    return get_by_public_id(ctx.session, Event, ctx.scope, event_id)


def list_events(ctx: Ctx, p: Page, type_: str | None = None,
                object_id: str | None = None) -> tuple[list[Event], bool]:
    stmt = scoped(Event, ctx.scope)
    if type_:
        stmt = stmt.where(Event.type.like(type_.replace("*", "%")) if "*" in type_
                          else Event.type == type_)
    if object_id:
        stmt = stmt.where(Event.object_id == object_id)
    return page(ctx.session, stmt, Event, ctx.scope, p)
