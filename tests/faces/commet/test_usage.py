"""Commet's POST /usage/events over Folio's usage ingestion: both documented shapes, the
event id deduplicates, errors come in Commet's envelope."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from folio.faces.commet.usage import UsageEventOut
from tests.conftest import Tenant
from tests.faces.commet.helpers import Commet, check, commet, customer, error_of
from tests.subscription_helpers import DAY, metered_plan


def _meter(t: Tenant, code: str = "api_calls", aggregation: str = "sum") -> None:
    t.ok("POST", "/v1/meters", {"code": code, "name": code, "aggregation": aggregation})


def _used(t: Tenant, customer_id: str) -> list[tuple[str, str]]:
    got = t.ok("GET", f"/v1/customers/{customer_id}/usage")
    return [(row["feature"], row["value"]) for row in got["data"]]


def _track(c: Commet, body: dict[str, Any]) -> dict[str, Any]:
    response = c.post("/usage/events", body)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    check(UsageEventOut, data)
    return data


def _minutes_ago(minutes: int) -> str:
    moment = datetime.fromtimestamp(int(time.time()) - 60 * minutes, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_sdk_shape_is_recorded_once_per_event_id(tenant: Tenant) -> None:
    _meter(tenant)
    c = commet(tenant)
    cus = customer(c, externalId="user_42")
    stamp = _minutes_ago(5)
    body = {"featureCode": "api_calls", "customerId": "user_42", "eventId": "evt-1",
            "value": 7, "timestamp": stamp,
            "properties": [{"property": "region", "value": "eu"}]}
    first = _track(c, body)
    assert first["id"] == "evt-1"
    assert (first["feature"], first["value"], first["ts"]) == ("api_calls", 7, stamp)
    assert (first["customerId"], first["idempotencyKey"]) == ("user_42", "evt-1")
    assert first["properties"] == [{"property": "region", "value": "eu"}]
    assert first["consumption"] == {"model": "metered", "deducted": 0, "remaining": None,
                                    "blocked": False}
    again = _track(c, {**body, "value": 1000})  # a replay answers with the original
    assert again["value"] == 7
    assert _used(tenant, cus["id"]) == [("api_calls", "7")]


def test_older_docs_shape_and_events_without_an_id(tenant: Tenant) -> None:
    _meter(tenant, "seats_used", "count")
    c = commet(tenant)
    cus = customer(c)
    old = _track(c, {"feature": "seats_used", "customerId": cus["id"],
                     "idempotencyKey": "k-1"})
    assert (old["id"], old["idempotencyKey"], old["value"]) == ("k-1", "k-1", None)
    for _ in range(2):  # no id: each call is an event of its own
        anonymous = _track(c, {"featureCode": "seats_used", "customerId": cus["id"]})
        assert anonymous["idempotencyKey"] is None
    assert _used(tenant, cus["id"]) == [("seats_used", "3")]


def test_errors_in_commets_envelope_record_nothing(tenant: Tenant) -> None:
    _meter(tenant)
    c = commet(tenant)
    cus = customer(c)
    error_of(c.post("/usage/events", {"customerId": cus["id"], "value": 1}), 400)
    error_of(c.post("/usage/events", {"featureCode": "Bad-Code", "customerId": cus["id"]}),
             400)
    error_of(c.post("/usage/events", {"featureCode": "api_calls", "customerId": "nobody",
                                      "eventId": "e"}), 404, "customer_not_found")
    error_of(c.post("/usage/events", {"featureCode": "api_calls", "customerId": "x" * 150,
                                      "eventId": "e"}), 404, "customer_not_found")
    error_of(c.post("/usage/events", {"featureCode": "no_such_meter",
                                      "customerId": cus["id"], "eventId": "e"}), 404,
             "feature_not_found")
    error_of(c.post("/usage/events", {"featureCode": "api_calls", "customerId": cus["id"],
                                      "eventId": "e", "value": "1e9"}), 400)
    error_of(Commet(c.client, None).post("/usage/events", {}), 401)
    assert _used(tenant, cus["id"]) == [("api_calls", "0")]


def test_a_late_event_for_a_billed_period_in_commets_envelope(tenant: Tenant) -> None:
    """The late-event rule of the ingestion service, answered in Commet's shape."""
    plan = metered_plan(tenant, base=1000)
    c = commet(tenant)
    cus = customer(c, externalId="late_user")
    start = int(time.time()) - 40 * DAY
    sub = tenant.ok("POST", "/v1/subscriptions", {"customer": cus["id"], "plan": plan["id"],
                                                  "start_date": start})
    late = sub["current_period_start"] - DAY  # in period 0, billed at boundary 1
    body = error_of(c.post("/usage/events", {"featureCode": "api_calls",
                                             "customerId": "late_user", "eventId": "late",
                                             "value": 3, "timestamp": late}),
                    400, "usage_period_closed")
    assert body["param"] == "timestamp"
    assert str(sub["current_period_start"]) in body["message"]
    assert _used(tenant, cus["id"]) == [("api_calls", "0")]
    recorded = _track(c, {"featureCode": "api_calls", "customerId": "late_user",
                          "eventId": "on-time", "value": 3,
                          "timestamp": sub["current_period_start"] + 60})
    assert recorded["value"] == 3
