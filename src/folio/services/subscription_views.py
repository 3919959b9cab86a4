"""The canonical representation of a subscription (API bodies and event payloads)."""

from __future__ import annotations

from typing import Any

from folio.db.models import Subscription, TestClock


def subscription_view(s: Subscription) -> dict[str, Any]:
    clock = None
    if s.test_clock_id is not None:
        from sqlalchemy.orm import object_session

        session = object_session(s)
        found = session.get(TestClock, s.test_clock_id) if session is not None else None
        clock = found.public_id if found is not None else None
    return {
        "id": s.public_id, "object": "subscription", "uuid": s.uuid, "livemode": s.livemode,
        "created": s.created, "customer": s.customer.public_id, "plan": s.plan.public_id,
        "plan_name": s.plan.name, "currency": s.plan.currency, "status": s.status,
        "start_date": s.start_date, "billing_anchor": s.billing_anchor,
        "timezone": s.timezone, "trial_end": s.trial_end,
        "collection_method": s.collection_method, "days_until_due": s.days_until_due,
        "seats": s.seats, "current_period_start": s.current_period_start,
        "current_period_end": s.current_period_end, "next_billing_at": s.next_billing_at,
        "cancel_at_period_end": s.cancel_at_period_end, "canceled_at": s.canceled_at,
        "ended_at": s.ended_at, "paused_at": s.paused_at,
        "pending_prorations": [
            {"description": p["description"], "amount": int(p["amount"]),
             "period": {"start": int(p["start"]), "end": int(p["end"])}}
            for p in s.pending_prorations or []],
        "default_tax_rates": list(s.default_tax_rates or []),
        "discounts": list(s.discounts or []),
        "apply_credit_balance": s.apply_credit_balance, "test_clock": clock,
        "metadata": s.metadata_ or {},
    }
