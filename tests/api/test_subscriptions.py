"""Plans, subscriptions and the upcoming invoice over /v1; the billing run on them."""

from __future__ import annotations

from typing import Any

from folio.db.engine import Database
from folio.jobs.billing_run import run_billing
from tests.api.test_conventions import assert_error
from tests.conftest import Tenant
from tests.subscription_helpers import DAY, invoices_of, lines_by_type, metered_plan, now, usage


def subscribe(t: Tenant, plan: str, **fields: Any) -> dict[str, Any]:
    cus = t.ok("POST", "/v1/customers", {"name": "Subscriber"})["id"]
    return t.ok("POST", "/v1/subscriptions", {"customer": cus, "plan": plan, **fields})


class TestPlans:
    def test_create_get_list_update(self, tenant: Tenant) -> None:
        plan = metered_plan(tenant)
        assert plan["object"] == "plan"
        assert plan["id"].startswith("plan_")
        assert [f["kind"] for f in plan["features"]] == ["metered", "seats", "boolean"]
        assert plan["features"][0]["meter"] == "api_calls"
        assert tenant.ok("GET", f"/v1/plans/{plan['id']}") == plan
        updated = tenant.ok("POST", f"/v1/plans/{plan['id']}", {"name": "Pro 2",
                                                                 "active": False})
        assert (updated["name"], updated["active"]) == ("Pro 2", False)
        listed = tenant.ok("GET", "/v1/plans?active=false")["data"]
        assert [p["id"] for p in listed] == [plan["id"]]

    def test_volume_and_package_models(self, tenant: Tenant) -> None:
        tenant.ok("POST", "/v1/meters", {"code": "gb", "name": "GB"})
        tenant.ok("POST", "/v1/meters", {"code": "sms", "name": "SMS"})
        plan = tenant.ok("POST", "/v1/plans", {
            "name": "Mixed", "currency": "jpy", "base_amount": 0, "interval": "weekly",
            "billing_timing": "in_arrears", "features": [
                {"code": "gb", "name": "Storage", "kind": "metered", "charge": {
                    "model": "volume", "tiers": [
                        {"up_to": "100", "unit_amount_decimal": "3"},
                        {"up_to": None, "unit_amount_decimal": "2", "flat_amount": 50}]}},
                {"code": "sms", "name": "SMS", "kind": "metered", "charge": {
                    "model": "package", "package_size": "100", "package_amount": 700}}]})
        assert [f["charge"]["model"] for f in plan["features"]] == ["volume", "package"]
        assert plan["features"][1]["charge"]["package_size"] == "100"

    def test_bad_charge_models_are_400(self, tenant: Tenant) -> None:
        tenant.ok("POST", "/v1/meters", {"code": "calls", "name": "Calls"})
        base = {"name": "X", "currency": "eur", "base_amount": 100}
        bad_tiers = {**base, "features": [{"code": "calls", "name": "C", "kind": "metered",
                                           "charge": {"model": "graduated", "tiers": [
                                               {"up_to": "10"}]}}]}
        assert_error(tenant.post("/v1/plans", bad_tiers), 400, "charge_model_invalid")
        no_meter = {**base, "features": [{"code": "nope", "name": "N", "kind": "metered",
                                          "charge": {"model": "per_unit",
                                                     "unit_amount_decimal": "1"}}]}
        assert tenant.post("/v1/plans", no_meter).status_code == 404
        assert_error(tenant.post("/v1/plans", {**base, "currency": "zzz"}), 400,
                     "currency_invalid")


class TestSubscriptionBilling:
    def test_in_advance_first_invoice_then_run_bills_usage_once(
            self, tenant: Tenant, db: Database) -> None:
        plan = metered_plan(tenant)
        start = now() - 10 * DAY
        sub = subscribe(tenant, plan["id"], start_date=start, seats=3)
        assert sub["status"] == "active"
        first = invoices_of(tenant, sub["id"])
        assert len(first) == 1
        assert first[0]["status"] == "open"
        assert first[0]["number"]
        assert [(x["type"], x["amount"]) for x in first[0]["lines"]["data"]] == [
            ("plan_base", 2000), ("feature_seats", 500)]
        usage(tenant, sub["customer"], [("e1", start + DAY, "1500"),
                                        ("e2", start + 2 * DAY, "1000")])
        upcoming = tenant.ok("GET", f"/v1/subscriptions/{sub['id']}/upcoming_invoice")
        by_type = lines_by_type(upcoming)
        overage = by_type["feature_overage"][0]
        assert (overage["used_quantity"], overage["included_quantity"],
                overage["overage_quantity"], overage["amount"]) == ("2500", "1000", "1500",
                                                                    625)
        assert [t["amount"] for t in overage["tiers"]] == [500, 125]
        assert upcoming["total"] == 2000 + 500 + 625
        boundary = sub["current_period_end"]
        summary = run_billing(db, boundary, accounts=[tenant.keys.account.id])
        assert summary.failures == []
        issued = invoices_of(tenant, sub["id"])
        assert len(issued) == 2
        second = issued[1]
        assert second["total"] == upcoming["total"]
        assert [(x["type"], x["amount"]) for x in second["lines"]["data"]] == [
            (x["type"], x["amount"]) for x in upcoming["lines"]["data"]]
        assert second["subscription"] == sub["id"]
        assert second["plan_name"] == "Pro"
        again = run_billing(db, boundary + 10, accounts=[tenant.keys.account.id])
        assert len(invoices_of(tenant, sub["id"])) == 2
        assert again.invoices == 0
        after = tenant.ok("GET", f"/v1/subscriptions/{sub['id']}")
        assert after["current_period_start"] == boundary

    def test_in_arrears_send_invoice_is_sent_with_due_date(self, tenant: Tenant,
                                                           db: Database) -> None:
        plan = metered_plan(tenant, timing="in_arrears")
        start = now() - 5 * DAY
        sub = subscribe(tenant, plan["id"], start_date=start, seats=1,
                        collection_method="send_invoice", days_until_due=14)
        assert invoices_of(tenant, sub["id"]) == []
        run_billing(db, sub["current_period_end"], accounts=[tenant.keys.account.id])
        (invoice,) = invoices_of(tenant, sub["id"])
        assert invoice["status"] == "open"
        assert invoice["sent_at"] == sub["current_period_end"]
        assert invoice["due_date"] == sub["current_period_end"] + 14 * DAY
        assert [(x["type"], x["amount"]) for x in invoice["lines"]["data"]] == [
            ("plan_base", 2000), ("feature_seats", 0), ("feature_overage", 0)]
