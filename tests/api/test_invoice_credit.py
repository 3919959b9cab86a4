"""Invoices and the credit balance over /v1: credit applied before tax at finalization,
negative totals turned into credit, credit given back when an invoice is voided."""

from __future__ import annotations

from typing import Any

from tests import factories as f
from tests.api.test_conventions import assert_error
from tests.conftest import Tenant


def grants_path(customer_id: str) -> str:
    return f"/v1/customers/{customer_id}/credit_grants"


def grant(t: Tenant, customer_id: str, amount: int, currency: str = "eur",
          **fields: Any) -> dict[str, Any]:
    return t.ok("POST", grants_path(customer_id), {"amount": amount, "currency": currency,
                                                   **fields})


def balance(t: Tenant, customer_id: str) -> dict[str, int]:
    return t.ok("GET", f"/v1/customers/{customer_id}")["credit_balance"]  # type: ignore[no-any-return]


def reconciles(inv: dict[str, Any]) -> None:
    lines = inv["lines"]["data"]
    assert sum(x["amount"] for x in lines) == inv["subtotal"]
    assert sum(x["discount_amount"] for x in lines) == inv["total_discount_amount"]
    assert sum(x["credit_amount"] for x in lines) == inv["credit_applied"]
    assert sum(x["tax_amount"] for x in lines) == inv["tax"]
    exclusive = sum(t["amount"] for t in inv["total_taxes"] if not t["inclusive"])
    assert inv["total"] == (inv["subtotal"] - inv["total_discount_amount"]
                            - inv["credit_applied"] + exclusive)
    assert inv["amount_due"] == (inv["total"] - inv["amount_paid"] - inv["amount_credited"]
                                 + inv["credit_granted"])


class TestCreditApplied:
    def test_applied_before_tax_oldest_first(self, tenant: Tenant) -> None:
        cus = f.customer(tenant)["id"]
        old = grant(tenant, cus, 2_000)
        new = grant(tenant, cus, 5_000)
        grant(tenant, cus, 9_999, "usd")
        rate = f.tax_rate(tenant, "20")
        inv = f.draft(tenant, customer=cus, apply_credit_balance=True,
                      default_tax_rates=[rate["id"]], discounts=[{"amount_off": 1_000}],
                      lines=[{"description": "Plan", "unit_amount": 6_000},
                             {"description": "Seats", "quantity": "2", "unit_amount": 1_500}])
        assert (inv["apply_credit_balance"], inv["credit_applied"], inv["total"]) == (
            True, 0, 9_600)  # a draft takes no credit: it is drawn on at finalization
        done = tenant.ok("POST", f"/v1/invoices/{inv['id']}/finalize")
        reconciles(done)
        # 9000 - 1000 discount = 8000 before credit; 2000 + 5000 of credit; tax on 1000
        assert (done["subtotal"], done["total_discount_amount"], done["credit_applied"],
                done["tax"], done["total"], done["amount_due"]) == (
            9_000, 1_000, 7_000, 200, 1_200, 1_200)
        assert [x["credit_amount"] for x in done["lines"]["data"]] == [4_666, 2_334]
        assert done["total_taxes"][0]["taxable_amount"] == 1_000
        got = {g["id"]: g for g in tenant.ok("GET", grants_path(cus))["data"]}
        assert (got[old["id"]]["remaining"], got[old["id"]]["status"]) == (0, "exhausted")
        assert (got[new["id"]]["remaining"], got[new["id"]]["applied"]) == (0, 5_000)
        assert [(a["invoice"], a["amount"]) for a in got[new["id"]]["applications"]] == [
            (inv["id"], 5_000)]
        assert balance(tenant, cus) == {"usd": 9_999}
        events = tenant.ok("GET", "/v1/events?limit=100")["data"]
        applied = [e for e in events if e["type"] == "credit_grant.applied"]
        assert {e["data"]["object"]["id"] for e in applied} == {old["id"], new["id"]}
        finalized = next(e for e in events if e["type"] == "invoice.finalized")
        assert finalized["data"]["object"]["credit_applied"] == 7_000

    def test_partial_use_and_an_invoice_fully_covered(self, tenant: Tenant) -> None:
        cus = f.customer(tenant)["id"]
        made = grant(tenant, cus, 15_000)
        inv = f.open_invoice(tenant, customer=cus, apply_credit_balance=True)  # 10000
        reconciles(inv)
        assert (inv["credit_applied"], inv["total"], inv["status"], inv["payment_state"]) == (
            10_000, 0, "paid", "paid")
        assert balance(tenant, cus) == {"eur": 5_000}
        second = f.open_invoice(tenant, customer=cus, apply_credit_balance=True)
        assert (second["credit_applied"], second["total"], second["status"]) == (
            5_000, 5_000, "open")
        assert balance(tenant, cus) == {}
        assert tenant.ok("GET", f"{grants_path(cus)}/{made['id']}")["applied"] == 15_000

    def test_only_invoices_that_ask_for_it(self, tenant: Tenant) -> None:
        cus = f.customer(tenant)["id"]
        grant(tenant, cus, 1_000)
        plain = f.open_invoice(tenant, customer=cus)
        assert (plain["apply_credit_balance"], plain["credit_applied"], plain["total"]) == (
            False, 0, 10_000)
        draft = f.draft(tenant, customer=cus)
        draft = tenant.ok("POST", f"/v1/invoices/{draft['id']}", {"apply_credit_balance": True})
        assert draft["apply_credit_balance"] is True
        preview = tenant.ok("POST", "/v1/invoices/preview", {
            "customer": cus, "apply_credit_balance": True,
            "lines": [{"unit_amount": 500}]})
        assert (preview["credit_applied"], preview["total"]) == (0, 500)
        done = tenant.ok("POST", f"/v1/invoices/{draft['id']}/finalize")
        assert (done["credit_applied"], done["total"]) == (1_000, 9_000)

    def test_send_finalizes_with_credit_and_credit_notes_respect_it(self, tenant: Tenant
                                                                    ) -> None:
        cus = f.customer(tenant)["id"]
        grant(tenant, cus, 4_000)
        inv = f.draft(tenant, customer=cus, apply_credit_balance=True,
                      collection_method="send_invoice", days_until_due=30)
        sent = tenant.ok("POST", f"/v1/invoices/{inv['id']}/send")
        assert (sent["credit_applied"], sent["amount_due"]) == (4_000, 6_000)
        line = sent["lines"]["data"][0]["id"]
        # the line now adds 6000 to the total: it cannot be credited beyond that
        assert_error(tenant.post("/v1/credit_notes", {"invoice": inv["id"], "lines": [
            {"invoice_line": line, "amount": 6_001}]}), 400, "parameter_invalid")
        note = tenant.ok("POST", "/v1/credit_notes", {"invoice": inv["id"], "lines": [
            {"invoice_line": line, "quantity": "2"}]})
        assert note["amount"] == 6_000
        after = tenant.ok("GET", f"/v1/invoices/{inv['id']}")
        assert (after["status"], after["payment_state"], after["amount_due"]) == (
            "paid", "credited", 0)

    def test_void_gives_the_credit_back(self, tenant: Tenant) -> None:
        cus = f.customer(tenant)["id"]
        grant(tenant, cus, 1_000, expires_at=4_000_000_000)
        grant(tenant, cus, 2_000, expires_at=4_100_000_000)
        inv = f.open_invoice(tenant, customer=cus, apply_credit_balance=True)
        assert inv["credit_applied"] == 3_000
        assert balance(tenant, cus) == {}
        voided = tenant.ok("POST", f"/v1/invoices/{inv['id']}/void")
        assert (voided["status"], voided["credit_applied"]) == ("void", 3_000)
        assert balance(tenant, cus) == {"eur": 3_000}
        returned = tenant.ok("GET", grants_path(cus))["data"][0]
        assert (returned["amount"], returned["source_invoice"], returned["expires_at"]) == (
            3_000, inv["id"], 4_100_000_000)
        assert returned["reason"] == f"Credit returned by voided invoice {inv['number']}"
        # the applications stay as history on the grants they came from
        spent = tenant.ok("GET", grants_path(cus))["data"][1:]
        assert all(g["status"] == "exhausted" and g["applications"] for g in spent)


class TestNegativeTotal:
    def test_a_negative_invoice_becomes_credit(self, tenant: Tenant) -> None:
        cus = f.customer(tenant)["id"]
        draft = f.draft(tenant, customer=cus, description="Refund for the outage", lines=[
            {"description": "Fee", "unit_amount": 1_000},
            {"type": "credit", "description": "Outage", "unit_amount": -3_500}])
        assert (draft["status"], draft["total"], draft["amount_due"]) == ("draft", -2_500,
                                                                        -2_500)
        done = tenant.ok("POST", f"/v1/invoices/{draft['id']}/finalize")
        reconciles(done)
        assert (done["status"], done["payment_state"], done["total"], done["amount_due"],
                done["credit_granted"], done["amount_paid"]) == (
            "paid", "paid", -2_500, 0, 2_500, 0)
        assert done["number"] is not None
        assert done["paid_at"] is not None
        [made] = tenant.ok("GET", grants_path(cus))["data"]
        assert (made["amount"], made["remaining"], made["currency"], made["source_invoice"],
                made["reason"], made["expires_at"]) == (
            2_500, 2_500, "eur", draft["id"], "Refund for the outage", None)
        assert balance(tenant, cus) == {"eur": 2_500}
        types = [e["type"] for e in tenant.ok("GET", "/v1/events?limit=100")["data"]]
        assert types[:3] == ["invoice.paid", "invoice.finalized", "credit_grant.created"]
        # nothing is owed: no payment, no credit note, no void
        assert_error(tenant.post("/v1/payments", {"invoice": draft["id"], "amount": 1}), 409,
                     "invoice_not_payable")
        assert_error(tenant.post("/v1/credit_notes", {"invoice": draft["id"], "amount": 1}),
                     422, "credit_exceeds_creditable")
        assert_error(tenant.post(f"/v1/invoices/{draft['id']}/void"), 409)
        # the credit pays part of the customer's next recurring invoice
        nxt = f.open_invoice(tenant, customer=cus, apply_credit_balance=True)
        assert (nxt["credit_applied"], nxt["amount_due"]) == (2_500, 7_500)

    def test_reason_names_the_invoice_without_a_description(self, tenant: Tenant) -> None:
        cus = f.customer(tenant)["id"]
        inv = f.open_invoice(tenant, customer=cus, lines=[
            {"type": "discount", "description": "Goodwill", "unit_amount": -100}])
        [made] = tenant.ok("GET", grants_path(cus))["data"]
        assert made["reason"] == f"Credit from invoice {inv['number']}"
        assert inv["credit_granted"] == 100

    def test_a_zero_total_is_paid_and_grants_nothing(self, tenant: Tenant) -> None:
        cus = f.customer(tenant)["id"]
        inv = f.open_invoice(tenant, customer=cus, lines=[
            {"description": "Fee", "unit_amount": 100},
            {"type": "credit", "description": "Waived", "unit_amount": -100}])
        assert (inv["status"], inv["total"], inv["credit_granted"]) == ("paid", 0, 0)
        assert tenant.ok("GET", grants_path(cus))["data"] == []

    def test_a_negative_invoice_takes_no_credit(self, tenant: Tenant) -> None:
        cus = f.customer(tenant)["id"]
        grant(tenant, cus, 1_000)
        inv = f.open_invoice(tenant, customer=cus, apply_credit_balance=True, lines=[
            {"type": "credit", "description": "Back", "unit_amount": -300}])
        assert (inv["credit_applied"], inv["credit_granted"]) == (0, 300)
        assert balance(tenant, cus) == {"eur": 1_300}
