"""Canonical representations of payment methods and recurring schedules."""

from __future__ import annotations

from typing import Any

from folio.db.models import PaymentMethod, RecurringSchedule

View = dict[str, Any]


def payment_method_view(pm: PaymentMethod) -> View:
    attached = pm.detached_at is None
    return {
        "id": pm.public_id, "object": "payment_method", "uuid": pm.uuid,
        "livemode": pm.livemode, "created": pm.created, "type": pm.type,
        "customer": pm.customer.public_id if attached else None,
        "card": {"brand": pm.brand, "last4": pm.last4, "exp_month": pm.exp_month,
                 "exp_year": pm.exp_year},
        "gateway": pm.gateway,
        "default": attached and pm.customer.default_payment_method == pm.public_id,
        "detached_at": pm.detached_at, "metadata": pm.metadata_ or {},
    }


def schedule_view(s: RecurringSchedule) -> View:
    frequency = None
    if s.interval is not None:
        frequency = {"interval": s.interval, "interval_count": s.interval_count or 1}
    return {
        "id": s.public_id, "object": "recurring_schedule", "uuid": s.uuid,
        "livemode": s.livemode, "created": s.created, "customer": s.customer.public_id,
        "status": s.status, "currency": s.currency, "template": s.template,
        "frequency": frequency, "rrule": s.rrule, "start_at": s.start_at,
        "end_at": s.end_at, "count": s.count, "auto_finalize": s.auto_finalize,
        "auto_send": s.auto_send, "next_occurrence": s.next_occurrence,
        "next_run_at": s.next_run_at, "invoices_created": s.invoices_created,
        "paused_at": s.paused_at, "canceled_at": s.canceled_at,
        "completed_at": s.completed_at, "updated": s.updated or s.created,
        "metadata": s.metadata_ or {},
    }
