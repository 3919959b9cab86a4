"""Invoice e-mails through the outbox: `send` records a delivery and enqueues its job in
the same transaction, and schedules the reminders; the worker sends them after commit
(folio.worker.email_jobs). Each delivery has a unique key, so one `send` is one e-mail,
and each reminder (invoice, offset) exists once however often the invoice is sent."""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import select

from folio.db.models import Customer, EmailDelivery, Invoice
from folio.db.repository import Page, page, scoped
from folio.domain.reminders import SETTLED_STATUSES, reminder_times
from folio.services import events
from folio.services.context import Ctx
from folio.services.invoices import get_invoice
from folio.services.jobs import enqueue
from folio.services.views import reminder_offsets

EMAIL_JOB = "invoice.email"
EMAIL_MAX_ATTEMPTS = 6  # retried after 1, 2, 4, 8 and 16 minutes, then failed
EMAIL_BACKOFF_SECONDS = 60
BILLING_ROLE = "billing"


def recipients_for(customer: Customer) -> list[str]:
    """The customer's billing contacts, else the customer's own address."""
    emails: list[str] = []
    for contact in customer.contacts:
        if contact.email and BILLING_ROLE in (contact.roles or []) \
                and contact.email not in emails:
            emails.append(contact.email)
    if not emails and customer.email:
        emails.append(customer.email)
    return emails


def delivery_view(delivery: EmailDelivery) -> dict[str, Any]:
    return {
        "id": delivery.public_id, "object": "email_delivery", "livemode": delivery.livemode,
        "created": delivery.created, "invoice": delivery.invoice.public_id,
        "kind": delivery.kind, "status": delivery.status,
        "offset_days": delivery.offset_days, "recipients": list(delivery.recipients or []),
        "scheduled_at": delivery.scheduled_at, "sent_at": delivery.sent_at,
        "attempts": delivery.attempts, "last_error": delivery.last_error,
        "message_id": delivery.message_id,
    }


def _schedule(ctx: Ctx, invoice: Invoice, *, kind: str, key: str, at: int,
              recipients: list[str], offset_days: int | None = None) -> EmailDelivery:
    delivery = EmailDelivery(**ctx.owned(), invoice_id=invoice.id, kind=kind, key=key,
                             offset_days=offset_days, status="scheduled",
                             recipients=recipients, scheduled_at=at, attempts=0)
    delivery.invoice = invoice
    ctx.session.add(delivery)
    ctx.session.flush()
    enqueue(ctx.session, EMAIL_JOB, dedupe_key=f"email:{key}", run_at=at, now=ctx.now(),
            payload={"delivery": delivery.id}, max_attempts=EMAIL_MAX_ATTEMPTS,
            backoff_seconds=EMAIL_BACKOFF_SECONDS)
    return delivery


def on_send(ctx: Ctx, invoice: Invoice) -> EmailDelivery:
    """Called by `send` (the invoice has its due date): one new delivery of the invoice
    to the customer's billing contacts, and the reminders not yet scheduled."""
    delivery = _schedule(ctx, invoice, kind="invoice", at=ctx.now(),
                         key=f"send:{invoice.public_id}:{secrets.token_hex(8)}",
                         recipients=recipients_for(invoice.customer))
    schedule_reminders(ctx, invoice)
    return delivery


def schedule_reminders(ctx: Ctx, invoice: Invoice) -> list[EmailDelivery]:
    """A reminder per offset still ahead (the invoice's offsets, else the account's).
    Whether it still goes out is decided when it is due (not for a settled invoice)."""
    if invoice.due_date is None or invoice.status in SETTLED_STATUSES:
        return []
    offsets = invoice.reminder_offsets if invoice.reminder_offsets is not None \
        else reminder_offsets(ctx.account)
    existing = set(ctx.session.scalars(select(EmailDelivery.offset_days).where(
        EmailDelivery.invoice_id == invoice.id, EmailDelivery.kind == "reminder")))
    return [
        _schedule(ctx, invoice, kind="reminder", key=f"reminder:{invoice.public_id}:{offset}",
                  at=at, recipients=[], offset_days=offset)
        for offset, at in reminder_times(invoice.due_date, offsets, ctx.now())
        if offset not in existing
    ]


def list_deliveries(ctx: Ctx, invoice_id: str, p: Page) -> tuple[list[EmailDelivery], bool]:
    invoice = get_invoice(ctx, invoice_id)
    stmt = scoped(EmailDelivery, ctx.scope).where(EmailDelivery.invoice_id == invoice.id)
    return page(ctx.session, stmt, EmailDelivery, ctx.scope, p)


def record_sent(ctx: Ctx, delivery: EmailDelivery, *, recipients: list[str],
                message_id: str) -> None:
    delivery.status = "sent"
    delivery.sent_at = ctx.now()
    delivery.attempts += 1
    delivery.recipients = recipients
    delivery.message_id = message_id
    delivery.last_error = None
    ctx.session.flush()
    events.record(ctx, "invoice.email_sent", delivery_view(delivery))


def record_skipped(ctx: Ctx, delivery: EmailDelivery, reason: str) -> None:
    """A reminder for an invoice that is settled by the time it is due."""
    delivery.status = "skipped"
    delivery.last_error = reason
    ctx.session.flush()


def record_failure(ctx: Ctx, delivery: EmailDelivery, error: str, *, final: bool) -> None:
    delivery.attempts += 1
    delivery.last_error = error
    if final:
        delivery.status = "failed"
        ctx.session.flush()
        events.record(ctx, "invoice.email_failed", delivery_view(delivery))
