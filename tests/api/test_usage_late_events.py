"""Late usage events (ADR 11, "Late events"): an event in a period a subscription has
already billed is refused with `usage_period_closed` and the period's end, and the batch
records nothing; customers on a test clock are judged by the clock's time."""

from __future__ import annotations

from typing import Any

from tests.conftest import Tenant
from tests.subscription_helpers import DAY, invoices_of, metered_plan, now


def post(t: Tenant, *events: dict[str, Any]) -> Any:
    return t.post("/v1/usage_events", {"events": list(events)})


def event(customer: str, event_id: str, ts: int | None, value: int = 1,
          feature: str = "api_calls") -> dict[str, Any]:
    out: dict[str, Any] = {"event_id": event_id, "customer": customer, "feature": feature,
                           "value": value}
    if ts is not None:
        out["timestamp"] = ts
    return out


def used(t: Tenant, customer: str, start: int, end: int) -> str:
    data = t.get(f"/v1/customers/{customer}/usage", feature="api_calls",
                 **{"from": start, "to": end}).json()["data"]
    return data[0]["value"] if data else "0"  # type: ignore[no-any-return]


def subscribed(t: Tenant, start: int, **fields: Any) -> tuple[str, dict[str, Any]]:
    """A customer on a metered monthly plan started at `start` (billed up to now)."""
    plan = metered_plan(t, base=1000)
    customer = t.ok("POST", "/v1/customers", {"name": "Late", **fields})["id"]
    sub = t.ok("POST", "/v1/subscriptions", {"customer": customer, "plan": plan["id"],
                                             "start_date": start})
    return customer, sub


class TestClosedPeriods:
    def test_an_event_in_a_billed_period_is_refused_with_the_period_end(
            self, tenant: Tenant) -> None:
        customer, sub = subscribed(tenant, now() - 40 * DAY)
        closed = sub["current_period_start"]  # boundary 1 billed period 0's usage
        assert now() - 12 * DAY < closed < now() - 7 * DAY
        response = post(tenant, event(customer, "ok-1", now() - 2 * DAY),
                        event(customer, "late-1", closed - 1),
                        event(customer, "ok-2", closed),
                        event(customer, "late-2", closed - 3 * DAY))
        assert response.status_code == 400, response.text
        error = response.json()["error"]
        assert error["code"] == "usage_events_invalid"
        assert error["param"] == "events[1].timestamp"
        assert [(e["index"], e["code"], e["period_end"]) for e in error["errors"]] == [
            (1, "usage_period_closed", closed), (3, "usage_period_closed", closed)]
        assert str(closed) in error["errors"][0]["message"]
        assert used(tenant, customer, 0, now() + DAY) == "0"  # all or nothing
        ok = tenant.ok("POST", "/v1/usage_events", {"events": [
            event(customer, "ok-1", now() - 2 * DAY), event(customer, "ok-2", closed)]})
        assert ok["accepted"] == 2

    def test_a_single_late_event_answers_the_plain_error(self, tenant: Tenant) -> None:
        customer, sub = subscribed(tenant, now() - 40 * DAY)
        response = tenant.post("/v1/usage_events",
                               event(customer, "one", sub["current_period_start"] - 60))
        assert response.status_code == 400
        error = response.json()["error"]
        assert (error["code"], error["param"]) == ("usage_period_closed", "timestamp")

    def test_customers_without_a_metering_subscription_book_by_timestamp(
            self, tenant: Tenant) -> None:
        customer, _ = subscribed(tenant, now() - 40 * DAY)
        tenant.ok("POST", "/v1/meters", {"code": "storage", "name": "Storage"})
        other = tenant.ok("POST", "/v1/customers", {"name": "No plan"})["id"]
        result = tenant.ok("POST", "/v1/usage_events", {"events": [
            event(other, "a", now() - 30 * DAY),  # no subscription at all
            event(customer, "b", now() - 30 * DAY, feature="storage")]})  # plan lacks it
        assert result["accepted"] == 2

    def test_a_subscription_not_billed_yet_closes_nothing(self, tenant: Tenant) -> None:
        customer, _ = subscribed(tenant, now() - 5 * DAY)
        result = tenant.ok("POST", "/v1/usage_events", {"events": [
            event(customer, "before-start", now() - 20 * DAY),
            event(customer, "in-period", now() - DAY)]})
        assert result["accepted"] == 2

    def test_a_canceled_subscription_closes_everything_before_its_end(
            self, tenant: Tenant) -> None:
        customer, sub = subscribed(tenant, now() - 40 * DAY)
        tenant.ok("POST", "/v1/usage_events", {"events": [
            event(customer, "counted", now() - 2 * DAY, 7)]})
        canceled = tenant.ok("POST", f"/v1/subscriptions/{sub['id']}/cancel", {})
        assert canceled["status"] == "canceled"
        final = invoices_of(tenant, sub["id"])[-1]
        assert any(line.get("used_quantity") == "7" for line in final["lines"]["data"])
        response = post(tenant, event(customer, "too-late", now() - DAY))
        error = response.json()["error"]
        assert error["errors"][0]["code"] == "usage_period_closed"
        assert error["errors"][0]["period_end"] == canceled["ended_at"]
        after = tenant.ok("POST", "/v1/usage_events", {"events": [
            event(customer, "after-end", canceled["ended_at"] + 60)]})
        assert after["accepted"] == 1  # nothing meters it any more: booked by timestamp

    def test_the_latest_closed_period_of_several_subscriptions_counts(
            self, tenant: Tenant) -> None:
        customer, old = subscribed(tenant, now() - 40 * DAY)
        plan = metered_plan(tenant, base=500, name="Second")
        tenant.ok("POST", "/v1/subscriptions", {"customer": customer, "plan": plan["id"],
                                                "start_date": now() - 3 * DAY})
        closed = old["current_period_start"]
        assert post(tenant, event(customer, "x", closed - 60)).status_code == 400
        assert tenant.ok("POST", "/v1/usage_events", {"events": [
            event(customer, "y", closed + 60)]})["accepted"] == 1


class TestTestClocks:
    def test_time_is_the_clocks_frozen_time(self, tenant: Tenant) -> None:
        t = tenant
        frozen = now() - 200 * DAY
        clock = t.ok("POST", "/v1/test_clocks", {"frozen_time": frozen})["id"]
        plan = metered_plan(t, base=1000)
        customer = t.ok("POST", "/v1/customers", {"name": "Clocked", "test_clock": clock})["id"]
        sub = t.ok("POST", "/v1/subscriptions", {"customer": customer, "plan": plan["id"]})
        stamped = t.ok("POST", "/v1/usage_events", {"events": [
            event(customer, "default-now", None, 5),  # stamped with the clock's time
            event(customer, "clock-past", frozen - 10 * DAY, 1)]})  # 210 days before now
        assert stamped["accepted"] == 2
        assert used(t, customer, frozen, frozen + 1) == "5"
        future = post(t, event(customer, "wall-now", now()))  # far ahead of the clock
        assert future.json()["error"]["errors"][0]["code"] == "timestamp_in_future"
        old = post(t, event(customer, "too-old", frozen - 36 * DAY))
        assert old.json()["error"]["errors"][0]["code"] == "timestamp_too_old"
        # advancing bills period 0; its usage is then closed on the clock's time
        first_end = sub["current_period_end"]
        t.ok("POST", f"/v1/test_clocks/{clock}/advance", {"frozen_time": first_end + DAY})
        late = post(t, event(customer, "late", first_end - DAY))
        assert late.status_code == 400
        assert late.json()["error"]["errors"][0]["code"] == "usage_period_closed"
        assert late.json()["error"]["errors"][0]["period_end"] == first_end
        assert t.ok("POST", "/v1/usage_events", {"events": [
            event(customer, "current", first_end + 60)]})["accepted"] == 1

    def test_other_customers_keep_the_real_clock(self, tenant: Tenant) -> None:
        clock = tenant.ok("POST", "/v1/test_clocks", {"frozen_time": now() - 200 * DAY})["id"]
        tenant.ok("POST", "/v1/meters", {"code": "api_calls", "name": "API calls"})
        clocked = tenant.ok("POST", "/v1/customers", {"name": "C", "test_clock": clock})["id"]
        plain = tenant.ok("POST", "/v1/customers", {"name": "P"})["id"]
        response = post(tenant, event(clocked, "c", now() - 200 * DAY),
                        event(plain, "p", now() - 200 * DAY))
        assert [(e["index"], e["code"]) for e in response.json()["error"]["errors"]] == [
            (1, "timestamp_too_old")]
