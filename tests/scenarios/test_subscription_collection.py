"""Subscriptions under automatic collection, on a test clock: the billing run charges the
customer's card; a decline makes the subscription past_due and starts dunning; a retry
that succeeds (the clock's advance runs it at its own time) makes it active again; retries
that run out cancel it when the account says so. The real-time retry run never touches a
clocked customer's invoices."""

from __future__ import annotations

import time
from typing import Any

from folio.db.engine import Database
from folio.services import collection
from tests.conftest import Tenant
from tests.subscription_helpers import DAY, invoices_of

START = 1_767_225_600  # 2026-01-01T00:00:00Z


def subscribed(t: Tenant, token: str) -> tuple[str, str, dict[str, Any]]:
    clock = t.ok("POST", "/v1/test_clocks", {"frozen_time": START})["id"]
    customer = t.ok("POST", "/v1/customers", {"name": "Card Holder Ltd",
                                              "email": "ap@holder.example",
                                              "test_clock": clock})["id"]
    t.ok("POST", f"/v1/customers/{customer}/payment_methods", {"token": token})
    plan = t.ok("POST", "/v1/plans", {"name": "Basic", "currency": "eur",
                                      "interval": "monthly", "base_amount": 5000,
                                      "billing_timing": "in_advance"})["id"]
    sub = t.ok("POST", "/v1/subscriptions", {"customer": customer, "plan": plan})
    return clock, customer, sub


def advance(t: Tenant, clock: str, to: int) -> None:
    t.ok("POST", f"/v1/test_clocks/{clock}/advance", {"frozen_time": to})


def status_of(t: Tenant, sub: dict[str, Any]) -> str:
    return str(t.ok("GET", f"/v1/subscriptions/{sub['id']}")["status"])


def test_a_good_card_pays_the_first_invoice(tenant: Tenant) -> None:
    _, _, sub = subscribed(tenant, "pm_card_visa")
    [first] = invoices_of(tenant, sub["id"])
    assert (first["status"], first["amount_paid"], first["attempt_count"]) == ("paid", 5000, 1)
    assert status_of(tenant, sub) == "active"


def test_declined_then_recovered_on_the_clock(tenant: Tenant) -> None:
    clock, customer, sub = subscribed(tenant, "pm_card_chargeDeclined")
    [first] = invoices_of(tenant, sub["id"])
    assert (first["status"], first["attempt_count"]) == ("open", 1)
    assert first["next_payment_attempt"] == START + DAY
    assert status_of(tenant, sub) == "past_due"
    # the real-time retry run leaves a clocked customer's invoice alone (its retry is
    # due on the clock's time, long past in real time)
    collection.run_payment_retries(tenant_db(tenant), int(time.time()))
    assert tenant.ok("GET", f"/v1/invoices/{first['id']}")["attempt_count"] == 1
    advance(tenant, clock, START + DAY + 3600)  # day 1: declined again
    again = tenant.ok("GET", f"/v1/invoices/{first['id']}")
    assert (again["attempt_count"], again["next_payment_attempt"]) == (2, START + 3 * DAY)
    tenant.ok("POST", f"/v1/customers/{customer}/payment_methods",
              {"token": "pm_card_visa", "set_default": True})
    advance(tenant, clock, START + 3 * DAY + 3600)  # day 3: the new card pays
    paid = tenant.ok("GET", f"/v1/invoices/{first['id']}")
    assert (paid["status"], paid["amount_paid"], paid["attempt_count"]) == ("paid", 5000, 3)
    assert paid["paid_at"] == START + 3 * DAY
    assert status_of(tenant, sub) == "active"
    types = [e["type"] for e in tenant.get("/v1/events", limit=100).json()["data"]]
    assert types.count("invoice.payment_failed") == 2


def test_retries_run_out_and_the_subscription_is_canceled(tenant: Tenant) -> None:
    tenant.ok("POST", "/v1/account", {"dunning_retry_days": [1, 2],
                                      "subscription_dunning_action": "cancel"})
    clock, _, sub = subscribed(tenant, "pm_card_chargeDeclined")
    advance(tenant, clock, START + 5 * DAY)
    [first] = invoices_of(tenant, sub["id"])
    assert (first["status"], first["attempt_count"]) == ("uncollectible", 3)
    got = tenant.ok("GET", f"/v1/subscriptions/{sub['id']}")
    assert got["status"] == "canceled"
    assert got["ended_at"] == START + 2 * DAY
    advance(tenant, clock, START + 40 * DAY)  # a canceled subscription bills nothing more
    assert len(invoices_of(tenant, sub["id"])) == 1


def test_by_default_exhausted_retries_leave_it_past_due(tenant: Tenant) -> None:
    tenant.ok("POST", "/v1/account", {"dunning_retry_days": [1]})
    clock, _, sub = subscribed(tenant, "pm_card_chargeDeclined")
    advance(tenant, clock, START + 2 * DAY)
    [first] = invoices_of(tenant, sub["id"])
    assert first["status"] == "uncollectible"
    assert status_of(tenant, sub) == "past_due"
    assert tenant.ok("GET", "/v1/account")["subscription_dunning_action"] == "leave_past_due"


def tenant_db(t: Tenant) -> Database:
    db: Database = t.client.app.state.folio.db  # type: ignore[attr-defined]
    return db
