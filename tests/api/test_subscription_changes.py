"""Subscription changes on a test clock (so every instant is exact): trial, seats and
plan changes with proration, cancel now and at period end, pause and resume, errors,
tenancy and events."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.api.test_conventions import assert_error
from tests.conftest import Tenant
from tests.subscription_helpers import DAY, invoices_of, metered_plan


def utc(year: int, month: int, day: int) -> int:
    return int(datetime(year, month, day, tzinfo=UTC).timestamp())


MARCH = utc(2026, 3, 1)  # March has 31 days


class World:
    def __init__(self, t: Tenant, start: int = MARCH, **plan_fields: Any) -> None:
        self.t = t
        self.clock = t.ok("POST", "/v1/test_clocks", {"frozen_time": start})["id"]
        self.plan = metered_plan(t, **plan_fields)
        self.customer = t.ok("POST", "/v1/customers", {"name": "C", "test_clock": self.clock}
                             )["id"]

    def subscribe(self, **fields: Any) -> dict[str, Any]:
        return self.t.ok("POST", "/v1/subscriptions", {"customer": self.customer,
                                                       "plan": self.plan["id"], **fields})

    def advance(self, to: int) -> None:
        self.t.ok("POST", f"/v1/test_clocks/{self.clock}/advance", {"frozen_time": to})

    def sub(self, sub_id: str) -> dict[str, Any]:
        return self.t.ok("GET", f"/v1/subscriptions/{sub_id}")


def amounts(invoice: dict[str, Any]) -> list[tuple[str, int]]:
    return [(x["type"], x["amount"]) for x in invoice["lines"]["data"]]


class TestTrial:
    def test_trial_bills_nothing_then_the_first_period(self, tenant: Tenant) -> None:
        w = World(tenant, trial_days=14)
        sub = w.subscribe()
        assert (sub["status"], sub["trial_end"]) == ("trialing", MARCH + 14 * DAY)
        assert sub["billing_anchor"] == MARCH + 14 * DAY
        assert invoices_of(tenant, sub["id"]) == []
        w.advance(MARCH + 15 * DAY)
        assert w.sub(sub["id"])["status"] == "active"
        (first,) = invoices_of(tenant, sub["id"])
        assert amounts(first) == [("plan_base", 2000), ("feature_seats", 0)]
        assert first["period_start"] == MARCH + 14 * DAY

    def test_trial_days_count_in_the_customers_zone(self, tenant: Tenant) -> None:
        start = utc(2026, 3, 7) + 12 * 3600  # 07:00 in New York, the day before DST
        w = World(tenant, start=start, trial_days=1)
        sub = w.subscribe(timezone="America/New_York")
        # one calendar day later is 07:00 EDT: 23 hours of real time
        assert sub["trial_end"] == start + 23 * 3600


class TestAnchor:
    def test_a_stub_before_the_anchor_is_a_proration_debit(self, tenant: Tenant) -> None:
        w = World(tenant)
        anchor = utc(2026, 3, 15)
        sub = w.subscribe(billing_anchor=anchor)
        # the stub [Mar 1, Mar 15) is half of the period that ends at the anchor
        # (Feb 15 - Mar 15, 28 days): 2000 x 14/28
        assert [p["amount"] for p in sub["pending_prorations"]] == [1000]
        assert invoices_of(tenant, sub["id"]) == []
        w.advance(anchor)
        (first,) = invoices_of(tenant, sub["id"])
        assert amounts(first) == [("plan_base", 2000), ("feature_seats", 0),
                                  ("feature_overage", 0), ("proration", 1000)]
        usage_line = first["lines"]["data"][2]
        assert (usage_line["period"]["start"], usage_line["period"]["end"]) == (MARCH, anchor)
        assert_error(tenant.post("/v1/subscriptions", {
            "customer": w.customer, "plan": w.plan["id"], "billing_anchor": utc(2026, 5, 1)}),
            400, "billing_anchor_invalid", "billing_anchor")


class TestDiscounts:
    def test_coupon_durations_count_invoices(self, tenant: Tenant) -> None:
        w = World(tenant)
        once = tenant.ok("POST", "/v1/coupons", {"percent_off": "10", "duration": "once"})
        twice = tenant.ok("POST", "/v1/coupons", {"amount_off": 100, "currency": "eur",
                                                  "duration": "repeating",
                                                  "duration_in_months": 2})
        sub = w.subscribe(discounts=[{"coupon": once["id"]}, {"coupon": twice["id"]},
                                     {"amount_off": 1}])
        assert [d.get("invoices_left") for d in sub["discounts"]] == [1, None]
        w.advance(utc(2026, 5, 2))
        totals = [i["total"] for i in invoices_of(tenant, sub["id"])]
        # 2000 - 10 % - 100 - 1; then 2000 - 100 - 1; then 2000 - 1
        assert totals == [1699, 1899, 1999]
        assert w.sub(sub["id"])["discounts"] == [
            {"amount_off": 1, "invoices_left": None}]


class TestProration:
    def test_seats_change_mid_period(self, tenant: Tenant) -> None:
        w = World(tenant)
        sub = w.subscribe(seats=2)
        w.advance(utc(2026, 3, 16))  # 16 of 31 days remain
        changed = tenant.ok("POST", f"/v1/subscriptions/{sub['id']}", {"seats": 4})
        # 2000 -> 3000 per period: credit 2000 x 16/31 = 1032.26, net 1000 x 16/31 = 516.13
        assert [p["amount"] for p in changed["pending_prorations"]] == [-1032, 1548]
        w.advance(utc(2026, 4, 1))
        second = invoices_of(tenant, sub["id"])[1]
        assert amounts(second) == [("plan_base", 2000), ("feature_seats", 1000),
                                   ("feature_overage", 0), ("proration", -1032),
                                   ("proration", 1548)]
        assert w.sub(sub["id"])["pending_prorations"] == []

    def test_in_arrears_plan_change(self, tenant: Tenant) -> None:
        w = World(tenant, timing="in_arrears")
        cheaper = metered_plan(tenant, base=1000, timing="in_arrears", name="Lite")
        sub = w.subscribe(seats=1)
        w.advance(utc(2026, 3, 11))  # 10 of 31 days used on the old plan
        tenant.ok("POST", f"/v1/subscriptions/{sub['id']}", {"plan": cheaper["id"]})
        w.advance(utc(2026, 4, 1))
        (invoice,) = invoices_of(tenant, sub["id"])
        # the period is billed at the new price; the time before the change is corrected:
        # credit 1000 x 10/31 = 322.58 -> -323, debit 2000 x 10/31 = 645.16 -> net 323
        assert amounts(invoice) == [("plan_base", 1000), ("feature_seats", 0),
                                    ("feature_overage", 0), ("proration", -323),
                                    ("proration", 646)]
        assert invoice["total"] == 1323
        assert invoice["plan_name"] == "Lite"

    def test_incompatible_plan_change_is_refused(self, tenant: Tenant) -> None:
        w = World(tenant)
        yearly = metered_plan(tenant, interval="yearly", name="Yearly")
        sub = w.subscribe()
        assert_error(tenant.post(f"/v1/subscriptions/{sub['id']}", {"plan": yearly["id"]}),
                     400, "plan_change_incompatible", "plan")


class TestCancel:
    def test_cancel_now_credits_the_rest_and_bills_usage_so_far(self, tenant: Tenant
                                                                 ) -> None:
        w = World(tenant)
        sub = w.subscribe(seats=1)
        w.advance(utc(2026, 3, 11))  # 21 of 31 days unused
        canceled = tenant.ok("POST", f"/v1/subscriptions/{sub['id']}/cancel", {})
        assert (canceled["status"], canceled["ended_at"]) == ("canceled", utc(2026, 3, 11))
        assert canceled["next_billing_at"] is None
        final = invoices_of(tenant, sub["id"])[1]
        # 2000 x 21/31 = 1354.84 -> -1355; the negative total becomes credit
        assert amounts(final) == [("feature_overage", 0), ("proration", -1355)]
        assert final["credit_granted"] == 1355
        line = final["lines"]["data"][0]
        assert (line["period"]["start"], line["period"]["end"]) == (MARCH, utc(2026, 3, 11))
        assert_error(tenant.get(f"/v1/subscriptions/{sub['id']}/upcoming_invoice"), 409,
                     "subscription_canceled")
        assert_error(tenant.post(f"/v1/subscriptions/{sub['id']}/pause"), 409,
                     "subscription_canceled")

    def test_cancel_at_period_end(self, tenant: Tenant) -> None:
        w = World(tenant)
        sub = w.subscribe()
        flagged = tenant.ok("POST", f"/v1/subscriptions/{sub['id']}/cancel",
                            {"at_period_end": True})
        assert (flagged["status"], flagged["cancel_at_period_end"]) == ("active", True)
        upcoming = tenant.ok("GET", f"/v1/subscriptions/{sub['id']}/upcoming_invoice")
        assert [x["type"] for x in upcoming["lines"]["data"]] == ["feature_overage"]
        w.advance(utc(2026, 6, 1))
        ended = w.sub(sub["id"])
        assert (ended["status"], ended["ended_at"]) == ("canceled", utc(2026, 4, 1))
        assert len(invoices_of(tenant, sub["id"])) == 2


class TestPause:
    def test_pause_and_resume_state_rules(self, tenant: Tenant) -> None:
        w = World(tenant)
        sub = w.subscribe()
        assert_error(tenant.post(f"/v1/subscriptions/{sub['id']}/resume"), 409,
                     "subscription_active")
        paused = tenant.ok("POST", f"/v1/subscriptions/{sub['id']}/pause")
        assert (paused["status"], paused["paused_at"]) == ("paused", MARCH)
        assert_error(tenant.post(f"/v1/subscriptions/{sub['id']}/pause"), 409,
                     "subscription_paused")
        resumed = tenant.ok("POST", f"/v1/subscriptions/{sub['id']}/resume")
        assert (resumed["status"], resumed["paused_at"]) == ("active", None)
        kinds = {e["type"] for e in tenant.ok(
            "GET", f"/v1/events?object_id={sub['id']}&limit=100")["data"]}
        assert {"customer.subscription.created", "customer.subscription.paused",
                "customer.subscription.resumed"} <= kinds


class TestReadsAndTenancy:
    def test_list_filters(self, tenant: Tenant) -> None:
        w = World(tenant)
        a = w.subscribe()
        b = w.subscribe()
        tenant.ok("POST", f"/v1/subscriptions/{b['id']}/pause")
        listed = tenant.ok("GET", f"/v1/subscriptions?customer={w.customer}")["data"]
        assert [s["id"] for s in listed] == [b["id"], a["id"]]
        paused = tenant.ok("GET", "/v1/subscriptions?status=paused")["data"]
        assert [s["id"] for s in paused] == [b["id"]]
        assert tenant.get("/v1/subscriptions", plan=w.plan["id"]).json()["data"][0]["id"] \
            == b["id"]

    def test_other_tenant_and_live_mode_see_nothing(self, tenant: Tenant,
                                                    other_tenant: Tenant) -> None:
        w = World(tenant)
        sub = w.subscribe()
        for path in (f"/v1/subscriptions/{sub['id']}", f"/v1/plans/{w.plan['id']}",
                     f"/v1/test_clocks/{w.clock}",
                     f"/v1/subscriptions/{sub['id']}/upcoming_invoice"):
            assert_error(other_tenant.get(path), 404, "resource_missing")
            assert_error(tenant.get(path, live=True), 404, "resource_missing")
        assert_error(tenant.post("/v1/test_clocks", {"frozen_time": MARCH}, live=True), 400,
                     "test_clock_livemode")

    def test_clock_rules_and_delete(self, tenant: Tenant) -> None:
        w = World(tenant)
        sub = w.subscribe()
        assert_error(tenant.post(f"/v1/test_clocks/{w.clock}/advance",
                                 {"frozen_time": MARCH - 1}), 400, "test_clock_backwards")
        key = {"Idempotency-Key": "advance-1"}
        first = tenant.post(f"/v1/test_clocks/{w.clock}/advance",
                            {"frozen_time": utc(2026, 4, 2)}, **key)
        again = tenant.post(f"/v1/test_clocks/{w.clock}/advance",
                            {"frozen_time": utc(2026, 4, 2)}, **key)
        assert again.status_code == 200
        assert again.json() == first.json()
        assert again.headers["Idempotent-Replayed"] == "true"
        assert len(invoices_of(tenant, sub["id"])) == 2
        listed = tenant.ok("GET", "/v1/test_clocks")["data"]
        assert [c["id"] for c in listed] == [w.clock]
        gone = tenant.delete(f"/v1/test_clocks/{w.clock}").json()
        assert gone == {"id": w.clock, "object": "test_clock", "deleted": True}
        assert_error(tenant.get(f"/v1/test_clocks/{w.clock}"), 404)
        assert w.sub(sub["id"])["status"] == "canceled"
