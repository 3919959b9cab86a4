"""Commet's POST /usage/check and PUT /usage over the usage of the current period of the
customer's live subscription."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

from folio.db.engine import Database
from folio.db.models import Subscription
from folio.faces.commet.usage_limits import UsageCheckOut, UsageSetOut
from folio.services import feature_usage
from tests.conftest import Tenant
from tests.faces.commet.helpers import Commet, check, commet, customer, error_of
from tests.subscription_helpers import DAY, metered_plan


def _subscribed(t: Tenant, **plan_fields: Any) -> tuple[Commet, str, dict[str, Any]]:
    plan = metered_plan(t, included="100", **plan_fields)
    c = commet(t)
    cus = customer(c, externalId="user_1")["id"]
    sub = t.ok("POST", "/v1/subscriptions", {"customer": cus, "plan": plan["id"],
                                             "collection_method": "send_invoice",
                                             "days_until_due": 7})
    return c, cus, sub


def _check(c: Commet, **body: Any) -> dict[str, Any]:
    response = c.post("/usage/check", {"customerId": "user_1", **body})
    assert response.status_code == 200, response.text
    check(UsageCheckOut, response.json()["data"])
    return response.json()["data"]  # type: ignore[no-any-return]


def _set(c: Commet, value: int, **headers: str) -> dict[str, Any]:
    response = c.put("/usage", {"customerId": "user_1", "featureCode": "api_calls",
                                "value": value, "reason": "import"}, **headers)
    assert response.status_code == 200, response.text
    check(UsageSetOut, response.json()["data"])
    return response.json()["data"]  # type: ignore[no-any-return]


def _track(c: Commet, event_id: str, value: int) -> None:
    assert c.post("/usage/events", {"featureCode": "api_calls", "customerId": "user_1",
                                    "eventId": event_id, "value": value}).status_code == 201


def test_check_counts_the_current_period(tenant: Tenant) -> None:
    c, _, sub = _subscribed(tenant)
    _track(c, "e1", 30)
    got = _check(c, featureCode="api_calls", quantity=5)
    assert (got["allowed"], got["current"], got["included"], got["remaining"]) == (
        True, 30, 100, 70)
    assert (got["overageEnabled"], got["overageUnitPrice"], got["featureType"]) == (
        True, "0.5", "usage")
    assert got["subscriptionId"] == sub["id"]
    seats = _check(c, featureCode="seats")
    assert (seats["current"], seats["included"], seats["featureType"]) == (1, 2, "seats")
    sso = _check(c, featureCode="sso")
    assert (sso["allowed"], sso["current"], sso["overageEnabled"]) == (True, None, False)


def test_check_without_subscription_or_overage(tenant: Tenant) -> None:
    tenant.ok("POST", "/v1/meters", {"code": "exports", "name": "Exports",
                                     "aggregation": "count"})
    c = commet(tenant)
    customer(c, externalId="user_1")
    got = _check(c, featureCode="exports")
    assert (got["allowed"], got["subscriptionId"], got["current"]) == (False, None, 0)
    error_of(c.post("/usage/check", {"customerId": "user_1", "featureCode": "nope"}),
             404, "feature_not_found")
    error_of(c.post("/usage/check", {"customerId": "nobody", "featureCode": "exports"}),
             404, "customer_not_found")
    error_of(c.post("/usage/check", {"customerId": "user_1", "featureCode": "exports",
                                     "quantity": 0}), 400, "validation_error")


def test_included_only_features_refuse_beyond_the_allowance(tenant: Tenant) -> None:
    tenant.ok("POST", "/v1/meters", {"code": "api_calls", "name": "Calls",
                                     "aggregation": "sum"})
    plan = tenant.ok("POST", "/v1/plans", {
        "name": "Seats only", "currency": "eur", "base_amount": 500, "features": [
            {"code": "seats", "name": "Seats", "kind": "seats", "included": "3",
             "charge": {"model": "per_unit", "unit_amount_decimal": "0"}}]})
    c = commet(tenant)
    cus = customer(c, externalId="user_1")["id"]
    tenant.ok("POST", "/v1/subscriptions", {"customer": cus, "plan": plan["id"], "seats": 3})
    got = _check(c, featureCode="seats")
    # a charge exists (even at 0): Folio bills the excess, so more is allowed
    assert (got["allowed"], got["remaining"]) == (True, 0)


def test_set_records_one_correction_and_replays_add_nothing(tenant: Tenant) -> None:
    c, cus, _ = _subscribed(tenant)
    _track(c, "e1", 30)
    first = _set(c, 120)
    assert (first["previousValue"], first["value"], first["delta"]) == (30, 120, 90)
    assert first["eventId"].startswith("set_")
    again = _set(c, 120)  # already 120: nothing to correct
    assert (again["delta"], again["eventId"]) == (0, None)
    keyed = _set(c, 10, **{"Idempotency-Key": "k1"})
    assert keyed["delta"] == -110
    replay = _set(c, 10, **{"Idempotency-Key": "k1"})
    assert replay == keyed
    assert _check(c, featureCode="api_calls")["current"] == 10
    usage = tenant.get(f"/v1/customers/{cus}/usage", feature="api_calls").json()
    assert usage["data"][0]["value"] == "10"


def test_the_correction_event_id_is_deterministic(tenant: Tenant, db: Database) -> None:
    """A twin of a correction (same subscription, period, usage before and target) gets
    the same event id, so ingestion's deduplication records it once."""
    c, _, sub = _subscribed(tenant)
    first = _set(c, 40)
    with db.transaction(write=False) as session:
        row = session.query(Subscription).filter_by(public_id=sub["id"]).one()
        start, _end = feature_usage.usage_window(row)
        assert feature_usage.correction_event_id(
            row, start, "api_calls", Decimal(40), Decimal(0)) == first["eventId"]
        assert feature_usage.correction_event_id(
            row, start, "api_calls", Decimal(40), Decimal(1)) != first["eventId"]


def test_set_refuses_what_it_cannot_set(tenant: Tenant, other_tenant: Tenant) -> None:
    c, cus, _ = _subscribed(tenant)
    body = {"customerId": "user_1", "featureCode": "seats", "value": 3}
    error_of(c.put("/usage", body), 400, "feature_not_metered")
    tenant.ok("POST", "/v1/meters", {"code": "users", "name": "Users",
                                     "aggregation": "max"})
    plan = tenant.ok("POST", "/v1/plans", {
        "name": "Max", "currency": "eur", "base_amount": 0, "features": [
            {"code": "users", "name": "Users", "kind": "metered",
             "charge": {"model": "per_unit", "unit_amount_decimal": "1"}}]})
    tenant.ok("POST", "/v1/subscriptions", {"customer": cus, "plan": plan["id"]})
    error_of(c.put("/usage", {**body, "featureCode": "users"}), 400, "usage_set_unsupported")
    other = commet(other_tenant)
    customer(other, externalId="user_1")
    error_of(other.put("/usage", {**body, "featureCode": "api_calls"}), 409,
             "subscription_missing")
    error_of(other.post("/usage/check", {"customerId": cus, "featureCode": "api_calls"}),
             404, "customer_not_found")
    error_of(c.put("/usage", {**body, "featureCode": "api_calls", "value": -1}), 400)
    assert _check(c, featureCode="api_calls")["current"] == 0  # nothing was recorded


def test_set_and_track_for_a_customer_on_a_test_clock(tenant: Tenant) -> None:
    """Ingestion judges a clocked customer's events by the clock's frozen time: a set and
    a tracked event long before the real now are recorded in the clock's period, and a
    late event answers Commet's error shape."""
    frozen = int(time.time()) - 200 * DAY
    clock = tenant.ok("POST", "/v1/test_clocks", {"frozen_time": frozen})["id"]
    plan = metered_plan(tenant, included="100")
    c = commet(tenant)
    clocked = tenant.ok("POST", "/v1/customers", {"name": "Clocked", "test_clock": clock,
                                                  "external_id": "clocked_1"})["id"]
    sub = tenant.ok("POST", "/v1/subscriptions", {"customer": clocked, "plan": plan["id"]})
    body = {"customerId": "clocked_1", "featureCode": "api_calls"}
    assert c.post("/usage/events", {**body, "eventId": "t1", "value": 30}).status_code == 201
    response = c.put("/usage", {**body, "value": 50})
    assert response.status_code == 200, response.text
    assert (response.json()["data"]["previousValue"], response.json()["data"]["value"]) == (
        30, 50)
    end = sub["current_period_end"]
    tenant.ok("POST", f"/v1/test_clocks/{clock}/advance", {"frozen_time": end + DAY})
    error_of(c.post("/usage/events", {**body, "eventId": "late", "value": 1,
                                      "timestamp": end - DAY}), 400, "usage_period_closed")
