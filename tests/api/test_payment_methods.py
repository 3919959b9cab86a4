"""Saved payment methods over /v1, and finalize charging charge_automatically invoices."""

from __future__ import annotations

from typing import Any

from tests import factories as f
from tests.conftest import Tenant

DAY = 86_400


def attach(t: Tenant, customer: str, **body: Any) -> dict[str, Any]:
    return t.ok("POST", f"/v1/customers/{customer}/payment_methods", body)


def events_of(t: Tenant, object_id: str) -> list[str]:
    data = t.get("/v1/events", object_id=object_id, limit=100).json()["data"]
    return [e["type"] for e in reversed(data)]


class TestAttach:
    def test_token_becomes_default_and_stores_only_card_details(self, tenant: Tenant) -> None:
        cus = f.customer(tenant)["id"]
        pm = attach(tenant, cus, token="pm_card_visa")
        assert pm["object"] == "payment_method"
        assert pm["card"] == {"brand": "visa", "last4": "4242", "exp_month": 12,
                              "exp_year": 2034}
        assert pm["customer"] == cus
        assert pm["default"] is True
        assert tenant.ok("GET", f"/v1/customers/{cus}")["default_payment_method"] == pm["id"]
        second = attach(tenant, cus, token="pm_card_mastercard")
        assert second["default"] is False
        second = tenant.ok("POST", f"/v1/customers/{cus}/payment_methods/{second['id']}"
                                   "/default")
        assert second["default"] is True
        listed = tenant.ok("GET", f"/v1/customers/{cus}/payment_methods")["data"]
        assert [x["id"] for x in listed] == [second["id"], pm["id"]]

    def test_test_card_number_is_saved_as_its_token(self, tenant: Tenant) -> None:
        cus = f.customer(tenant)["id"]
        pm = attach(tenant, cus, card={"number": "4000 0000 0000 0002", "exp_month": 3,
                                       "exp_year": 2099, "cvc": "123"})
        assert pm["card"]["last4"] == "0002"
        assert pm["card"]["exp_year"] == 2099
        assert "number" not in str(pm)

    def test_detach_clears_the_default(self, tenant: Tenant) -> None:
        cus = f.customer(tenant)["id"]
        pm = attach(tenant, cus, token="pm_card_visa")
        gone = tenant.ok("POST", f"/v1/customers/{cus}/payment_methods/{pm['id']}/detach")
        assert gone["customer"] is None
        assert gone["detached_at"] is not None
        assert tenant.ok("GET", f"/v1/customers/{cus}")["default_payment_method"] is None
        assert tenant.get(f"/v1/customers/{cus}/payment_methods/{pm['id']}").status_code == 404
        assert tenant.ok("GET", f"/v1/customers/{cus}/payment_methods")["data"] == []
        assert events_of(tenant, pm["id"]) == ["payment_method.attached",
                                               "payment_method.detached"]

    def test_invalid_input(self, tenant: Tenant) -> None:
        cus = f.customer(tenant)["id"]
        path = f"/v1/customers/{cus}/payment_methods"
        for body, code in [({"token": "pm_card_unknown"}, "payment_method_token_invalid"),
                           ({}, "parameter_missing"),
                           ({"token": "pm_card_visa", "card": {
                               "number": "4242424242424242", "exp_month": 1,
                               "exp_year": 2099, "cvc": "123"}}, "parameter_invalid"),
                           ({"card": {"number": "4242424242424241", "exp_month": 1,
                                      "exp_year": 2099, "cvc": "123"}},
                            "invalid_card_number"),
                           ({"card": {"number": "4111111111111111", "exp_month": 1,
                                      "exp_year": 2099, "cvc": "123"}},
                            "test_card_required"),
                           ({"card": {"number": "4242424242424242", "exp_month": 1,
                                      "exp_year": 2001, "cvc": "123"}}, "invalid_expiry")]:
            r = tenant.post(path, body)
            assert r.status_code == 400, (body, r.text)
            assert r.json()["error"]["code"] == code, r.text
        assert tenant.ok("GET", path)["data"] == []

    def test_unknown_customer_and_other_tenant(self, tenant: Tenant,
                                               other_tenant: Tenant) -> None:
        r = tenant.post("/v1/customers/cus_nope/payment_methods", {"token": "pm_card_visa"})
        assert r.status_code == 404
        cus = f.customer(tenant)["id"]
        pm = attach(tenant, cus, token="pm_card_visa")
        assert other_tenant.get(f"/v1/customers/{cus}/payment_methods").status_code == 404
        assert other_tenant.post(f"/v1/customers/{cus}/payment_methods/{pm['id']}/detach"
                                 ).status_code == 404
        other_cus = f.customer(other_tenant)["id"]
        assert other_tenant.get(f"/v1/customers/{other_cus}/payment_methods/{pm['id']}"
                                ).status_code == 404
        # test mode and live mode are apart too
        assert tenant.get(f"/v1/customers/{cus}/payment_methods", live=True).status_code == 404


class TestFinalizeCharges:
    def test_success_pays_with_the_api_events(self, tenant: Tenant) -> None:
        cus = f.customer(tenant)["id"]
        attach(tenant, cus, token="pm_card_visa")
        inv = f.draft(tenant, customer=cus)
        paid = tenant.ok("POST", f"/v1/invoices/{inv['id']}/finalize")
        assert paid["status"] == "paid"
        assert paid["amount_paid"] == paid["total"] == 10000
        assert paid["attempt_count"] == 1
        assert paid["attempted"] is True
        assert paid["next_payment_attempt"] is None
        assert events_of(tenant, inv["id"]) == [
            "invoice.created", "invoice.finalized", "invoice.payment_succeeded",
            "invoice.paid"]
        payments = tenant.ok("GET", "/v1/payments")["data"]
        assert [(p["amount"], p["method"]) for p in payments] == [(10000, "card")]
        assert tenant.ok("GET", f"/v1/invoices/{inv['id']}") == paid

    def test_decline_leaves_it_open_with_the_next_attempt(self, tenant: Tenant) -> None:
        cus = f.customer(tenant)["id"]
        attach(tenant, cus, token="pm_card_chargeDeclined")
        inv = tenant.ok("POST", f"/v1/invoices/{f.draft(tenant, customer=cus)['id']}/finalize")
        assert inv["status"] == "open"
        assert inv["attempt_count"] == 1
        assert inv["next_payment_attempt"] == inv["finalized_at"] + DAY
        failed = tenant.get("/v1/events", type="invoice.payment_failed").json()["data"]
        assert failed[0]["data"]["object"]["last_payment_error"]["code"] == "card_declined"

    def test_no_payment_method_awaits_payment(self, tenant: Tenant) -> None:
        inv = tenant.ok("POST", f"/v1/invoices/{f.draft(tenant)['id']}/finalize")
        assert inv["status"] == "open"
        assert inv["attempt_count"] == 0
        assert inv["next_payment_attempt"] is None
        assert tenant.get("/v1/events", type="invoice.payment_failed").json()["data"] == []

    def test_send_invoice_is_never_charged(self, tenant: Tenant) -> None:
        cus = f.customer(tenant)["id"]
        attach(tenant, cus, token="pm_card_visa")
        inv = f.draft(tenant, customer=cus, collection_method="send_invoice",
                      days_until_due=30)
        inv = tenant.ok("POST", f"/v1/invoices/{inv['id']}/finalize")
        assert inv["status"] == "open"
        assert inv["attempt_count"] == 0


class TestDunningSettings:
    def test_account_settings(self, tenant: Tenant) -> None:
        account = tenant.ok("GET", "/v1/account")
        assert account["dunning_retry_days"] == [1, 3, 5, 7]
        assert account["dunning_final_action"] == "mark_uncollectible"
        account = tenant.ok("POST", "/v1/account", {"dunning_retry_days": [2, 4],
                                                    "dunning_final_action": "leave_open"})
        assert account["dunning_retry_days"] == [2, 4]
        assert account["dunning_final_action"] == "leave_open"
        r = tenant.post("/v1/account", {"dunning_retry_days": [3, 2]})
        assert r.status_code == 400
        assert r.json()["error"]["code"] == "dunning_schedule_invalid"
        assert tenant.ok("POST", "/v1/account", {"dunning_retry_days": []}
                         )["dunning_retry_days"] == []
