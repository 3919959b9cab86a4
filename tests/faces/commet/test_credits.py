"""Commet customer credits over Folio's credit balance: grant, list, revoke; a negative
adjustment invoice becomes credit; recurring invoices show the credit applied before tax."""

from __future__ import annotations

from typing import Any

from folio.faces.commet.schemas import (
    CreatedInvoiceOut,
    CreditOut,
    CreditRevocationOut,
    Envelope,
    InvoiceOut,
    ListEnvelope,
)
from tests import factories as f
from tests.conftest import Tenant
from tests.faces.commet.helpers import (
    ISO,
    Commet,
    adjustment,
    check,
    commet,
    customer,
    validate_seed,
)


def grant(c: Commet, customer_id: str, amount: int, currency: str = "eur",
          reason: str = "Service recovery credit", **fields: Any) -> dict[str, Any]:
    body = {"amount": amount, "currency": currency, "reason": reason, **fields}
    data = c.ok("POST", f"/customers/{customer_id}/credits", body, status=201)
    check(Envelope[CreditOut], {"success": True, "data": data})
    return data  # type: ignore[no-any-return]


def credits(c: Commet, customer_id: str, **params: Any) -> list[dict[str, Any]]:
    response = c.get(f"/customers/{customer_id}/credits", **params)
    assert response.status_code == 200, response.text
    check(ListEnvelope[CreditOut], response.json())
    return response.json()["data"]  # type: ignore[no-any-return]


def balance(t: Tenant, customer_id: str) -> dict[str, int]:
    return t.ok("GET", f"/v1/customers/{customer_id}")["credit_balance"]  # type: ignore[no-any-return]


def test_grant_list_and_balance(tenant: Tenant) -> None:
    c = commet(tenant)
    cus = customer(c, externalId="acme")
    made = grant(c, "acme", 2_500, expiresAt="2099-01-31T12:00:00Z")  # the caller's own id
    assert (made["customerId"], made["amount"], made["remainingAmount"], made["appliedAmount"],
            made["currency"], made["status"]) == (cus["id"], 2_500, 2_500, 0, "eur", "active")
    assert made["id"].startswith("ccg_")
    assert (made["expiresAt"], made["revokedAt"], made["sourceInvoiceId"]) == (
        "2099-01-31T12:00:00Z", None, None)
    assert made["reason"] == "Service recovery credit"
    assert ISO.match(made["createdAt"])
    grant(c, cus["id"], 900, currency="jpy")
    listed = credits(c, cus["id"])
    assert [x["currency"] for x in listed] == ["jpy", "eur"]  # newest first
    assert balance(tenant, cus["id"]) == {"eur": 2_500, "jpy": 900}
    v1 = tenant.ok("GET", f"/v1/customers/{cus['id']}/credit_grants/{made['id']}")
    assert (v1["amount"], v1["remaining"], v1["expires_at"]) == (2_500, 2_500, 4_073_544_000)


def test_negative_adjustment_becomes_credit(tenant: Tenant) -> None:
    c = commet(tenant)
    cus = customer(c)["id"]
    created = adjustment(c, cus, -500, "Goodwill for the outage", metadata={"ticket": "7"})
    check(Envelope[CreatedInvoiceOut], {"success": True, "data": created})
    # issued at once: numbered, paid, and the amount put on the customer's credit balance
    assert (created["status"], created["invoiceType"], created["total"], created["subtotal"]) \
        == ("paid", "adjustment", -500, 0)
    assert created["invoiceNumber"]
    assert created["issueDate"]
    read = c.get(f"/invoices/{created['id']}")
    validate_seed(200, read.json())
    invoice = read.json()["data"]
    assert (invoice["creditApplied"], invoice["discountAmount"], invoice["taxAmount"]) == (
        500, 0, 0)
    assert invoice["lineItems"][0]["lineType"] == "credit"
    [credit] = credits(c, cus)
    assert (credit["amount"], credit["remainingAmount"], credit["sourceInvoiceId"],
            credit["reason"], credit["status"]) == (
        500, 500, created["id"], "Goodwill for the outage", "active")
    v1 = tenant.ok("GET", f"/v1/invoices/{created['id']}")
    assert (v1["status"], v1["payment_state"], v1["total"], v1["amount_due"],
            v1["credit_granted"], v1["amount_paid"]) == ("paid", "paid", -500, 0, 500, 0)
    assert balance(tenant, cus) == {"eur": 500}
    # a paid invoice is final: neither its status nor its credit can be undone here
    assert c.put(f"/invoices/{created['id']}/status", {"status": "void"}).status_code == 409


def test_recurring_invoice_shows_the_credit_applied_before_tax(tenant: Tenant) -> None:
    c = commet(tenant)
    cus = customer(c)["id"]
    first = grant(c, cus, 2_500)
    adjustment(c, cus, -500, "Goodwill")  # a second, newer grant of 500
    grant(c, cus, 700, currency="usd")  # another currency: never applied to eur
    rate = f.tax_rate(tenant, "20")
    inv = f.draft(tenant, customer=cus, subscription="sub_1", plan_name="Pro",
                  apply_credit_balance=True, default_tax_rates=[rate["id"]],
                  lines=[{"type": "plan_base", "description": "Pro", "unit_amount": 10_000}])
    tenant.ok("POST", f"/v1/invoices/{inv['id']}/finalize")
    data = c.ok("GET", f"/invoices/{inv['id']}")
    check(Envelope[InvoiceOut], {"success": True, "data": data})
    assert (data["invoiceType"], data["subtotal"], data["discountAmount"],
            data["creditApplied"], data["taxAmount"], data["total"]) == (
        "recurring", 10_000, 0, 3_000, 1_400, 8_400)
    by_currency_and_amount = {(x["currency"], x["amount"]): x for x in credits(c, cus)}
    assert by_currency_and_amount[("eur", 2_500)]["id"] == first["id"]
    for key in (("eur", 2_500), ("eur", 500)):
        assert by_currency_and_amount[key]["remainingAmount"] == 0
        assert by_currency_and_amount[key]["appliedAmount"] == key[1]
        assert by_currency_and_amount[key]["status"] == "exhausted"
    assert by_currency_and_amount[("usd", 700)]["remainingAmount"] == 700
    assert balance(tenant, cus) == {"usd": 700}


def test_revoke_keeps_what_was_applied(tenant: Tenant) -> None:
    c = commet(tenant)
    cus = customer(c)["id"]
    made = grant(c, cus, 1_000)
    inv = f.draft(tenant, customer=cus, apply_credit_balance=True,
                  lines=[{"description": "Seat", "unit_amount": 400}])
    tenant.ok("POST", f"/v1/invoices/{inv['id']}/finalize")
    revoked = c.ok("POST", f"/customers/{cus}/credits/{made['id']}/revoke")
    check(Envelope[CreditRevocationOut], {"success": True, "data": revoked})
    assert (revoked["id"], revoked["revokedAmount"], revoked["appliedAmount"]) == (
        made["id"], 600, 400)
    assert ISO.match(revoked["revokedAt"])
    [after] = credits(c, cus)
    assert (after["status"], after["remainingAmount"], after["appliedAmount"]) == (
        "revoked", 0, 400)
    assert balance(tenant, cus) == {}
    assert c.ok("GET", f"/invoices/{inv['id']}")["creditApplied"] == 400


def test_idempotent_grant_and_revoke(tenant: Tenant) -> None:
    c = commet(tenant)
    cus = customer(c)["id"]
    body = {"amount": 2_500, "currency": "usd", "reason": "Service recovery credit"}
    key = {"Idempotency-Key": "credit-acme-2026-08-16"}
    one = c.post(f"/customers/{cus}/credits", body, **key)
    two = c.post(f"/customers/{cus}/credits", body, **key)
    assert one.status_code == two.status_code == 201
    assert one.json() == two.json()
    assert two.headers["Idempotent-Replayed"] == "true"
    assert balance(tenant, cus) == {"usd": 2_500}
    credit_id = one.json()["data"]["id"]
    revoke_key = {"Idempotency-Key": "revoke-credit-acme"}
    first = c.post(f"/customers/{cus}/credits/{credit_id}/revoke", **revoke_key)
    again = c.post(f"/customers/{cus}/credits/{credit_id}/revoke", **revoke_key)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert balance(tenant, cus) == {}


def test_list_pages(tenant: Tenant) -> None:
    c = commet(tenant)
    cus = customer(c)["id"]
    made = [grant(c, cus, amount) for amount in (100, 200, 300)]
    page = c.get(f"/customers/{cus}/credits", limit=2).json()
    assert [x["id"] for x in page["data"]] == [made[2]["id"], made[1]["id"]]
    assert (page["hasMore"], page["nextCursor"]) == (True, made[1]["id"])
    rest = credits(c, cus, limit=2, cursor=page["nextCursor"])
    assert [x["id"] for x in rest] == [made[0]["id"]]
