"""Bad input through the Dolfin face: problem+json with a fitting status, never a 500,
and nothing changes."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Tenant, make_tenant
from tests.faces.dolfin.helpers import BASE, Dolfin, assert_problem

NO_SUCH = "00000000-0000-4000-8000-000000000000"


def test_auth_errors(tenant: Tenant) -> None:
    d = Dolfin(tenant)
    client = tenant.client
    assert_problem(client.get(f"{BASE}/invoices"), 401, "Auth.MissingApiKey")
    wrong = {"x-dolfin-api-key": "sk_test_wrong", "x-dolfin-organisation-id": NO_SUCH}
    assert_problem(client.get(f"{BASE}/invoices", headers=wrong), 401, "Auth.InvalidApiKey")
    for org in (NO_SUCH, "not-a-uuid"):
        headers = {**d.headers, "x-dolfin-organisation-id": org}
        assert_problem(client.get(f"{BASE}/invoices", headers=headers), 403,
                       "Organisation.Forbidden")
    # a Bearer Folio key is accepted too; without the organisation header the key's own
    r = client.get(f"{BASE}/invoices",
                   headers={"Authorization": f"Bearer {tenant.keys.test_key}"})
    assert r.status_code == 200


def test_other_tenant_organisation_is_forbidden(db: Any, client: Any, tenant: Tenant) -> None:
    other = make_tenant(db, client, "Other")
    r = Dolfin(tenant, org=other.keys.account.uuid).get("/invoices")
    assert_problem(r, 403, "Organisation.Forbidden")


def test_unknown_route_and_method(tenant: Tenant) -> None:
    d = Dolfin(tenant)
    assert_problem(d.get("/nope"), 404, "General.RouteNotFound")
    assert_problem(d.client.put(f"{BASE}/invoices", headers=d.headers), 405)


@pytest.mark.parametrize(("path", "body", "status", "code"), [
    ("/customers", {}, 400, "Customer.MissingName"),
    ("/customers", {"name": "A", "email": "not-an-email"}, 400, "General.Validation"),
    ("/products", {"currency": "GBP"}, 400, "Product.MissingName"),
    ("/products", {"name": "P", "currency": "XXZ", "unitPrice": 1}, 400, "Currency.Invalid"),
    ("/products", {"name": "P", "currency": "GBP", "unitPrice": "abc"}, 400,
     "General.Validation"),
    ("/tax-rates", {"name": "VAT", "rate": 20}, 400, "TaxRate.MissingCode"),
    ("/tax-rates", {"code": "X", "rate": 20}, 400, "TaxRate.MissingName"),
    ("/tax-rates", {"code": "X", "name": "X", "rate": 101}, 400, "General.Validation"),
    ("/invoices", {}, 400, "General.Validation"),
    ("/invoices", {"customerId": NO_SUCH}, 404, "Customer.NotFound"),
    ("/invoices", {"customerId": "x", "lineItems": "nope"}, 400, "General.Validation"),
])
def test_bad_creates_change_nothing(tenant: Tenant, path: str, body: Any, status: int,
                                    code: str) -> None:
    d = Dolfin(tenant)
    assert_problem(d.post(path, body), status, code)
    assert_problem(d.client.post(BASE + path, content=b"{not json", headers=d.headers), 400)
    assert tenant.ok("GET", "/v1/events")["data"] == []


def test_bad_invoice_lines_and_ids(tenant: Tenant) -> None:
    d = Dolfin(tenant)
    customer = d.customer()
    product = d.product(unit_price=None, name="No price")
    before = tenant.ok("GET", "/v1/events")["data"]
    base = {"customerId": customer["id"], "currency": "GBP"}
    cases = [
        ({**base, "lineItems": [{"productId": NO_SUCH}]}, 404, "Product.NotFound"),
        ({**base, "lineItems": [{"productId": product["id"]}]}, 400,
         "Product.MissingUnitPrice"),
        ({**base, "lineItems": [{"productId": product["id"], "unitPrice": 1,
                                 "taxRateId": NO_SUCH}]}, 404, "TaxRate.NotFound"),
        ({**base, "lineItems": [{"productId": product["id"], "unitPrice": 1,
                                 "quantity": -1}]}, 400, "General.Validation"),
        ({**base, "currency": "GBPX"}, 400, "General.Validation"),
    ]
    for body, status, code in cases:
        assert_problem(d.post("/invoices", body), status, code)
    assert tenant.ok("GET", "/v1/events")["data"] == before
    assert d.ok("GET", "/invoices")["data"] == []


def test_wrong_states(tenant: Tenant) -> None:
    d = Dolfin(tenant)
    inv = d.invoice()
    iid = inv["id"]
    assert_problem(d.post(f"/invoices/{iid}/payments", {"amount": 1}), 409,
                   "Invoice.NotPayable")
    assert_problem(d.post(f"/invoices/{iid}/credit-notes", {"amount": 1}), 409,
                   "Invoice.NotCreditable")
    d.ok("POST", f"/invoices/{iid}/send")
    assert_problem(d.post(f"/invoices/{iid}/payments", {"amount": 0}), 400)
    assert_problem(d.post(f"/invoices/{iid}/payments", {"amount": "0.001"}), 400)
    assert_problem(d.post(f"/invoices/{iid}/payments", {}), 400, "General.Validation")
    assert_problem(d.post(f"/invoices/{iid}/credit-notes",
                          {"amount": 1, "invoiceLineItemId": NO_SUCH}), 404,
                   "InvoiceLineItem.NotFound")
    assert_problem(d.post(f"/invoices/{iid}/credit-notes/{NO_SUCH}/issue"), 404,
                   "CreditNote.NotFound")
    d.ok("POST", f"/invoices/{iid}/payments", {"amount": 1}, 201)
    assert_problem(d.delete(f"/invoices/{iid}"), 409, "Invoice.HasPayments")
    assert d.ok("GET", f"/invoices/{iid}")["status"] == "PartiallyPaid"
    for method, path in (("GET", "/payments"), ("GET", "/credit-notes"), ("POST", "/send")):
        r = d.get(f"/invoices/{NO_SUCH}{path}") if method == "GET" \
            else d.post(f"/invoices/{NO_SUCH}{path}")
        assert_problem(r, 404, "Invoice.NotFound")
    assert_problem(d.delete(f"/invoices/{NO_SUCH}"), 404, "Invoice.NotFound")
    assert_problem(d.patch(f"/invoices/{NO_SUCH}", {}), 404, "Invoice.NotFound")
    assert_problem(d.get("/invoices", Status="Open"), 400)
    assert_problem(d.get("/invoices", Limit=0), 400)
    assert_problem(d.get("/invoices", Cursor="in_nope"), 400)


def test_credit_note_of_another_invoice_is_not_found(tenant: Tenant) -> None:
    d = Dolfin(tenant)
    a, b = d.invoice(), d.invoice()
    for inv in (a, b):
        d.ok("POST", f"/invoices/{inv['id']}/send")
    cn = d.ok("POST", f"/invoices/{a['id']}/credit-notes", {"amount": 5})
    assert_problem(d.post(f"/invoices/{b['id']}/credit-notes/{cn['id']}/issue"), 404,
                   "CreditNote.NotFound")
    assert d.ok("GET", f"/invoices/{a['id']}")["amountCredited"] == "0.00"


def test_isolation_of_lists_and_writes(db: Any, client: Any, tenant: Tenant) -> None:
    d = Dolfin(tenant)
    inv = d.invoice()
    d.ok("POST", f"/invoices/{inv['id']}/send")
    other = Dolfin(make_tenant(db, client, "Other"))
    live = Dolfin(tenant, live=True)
    for spy in (other, live):
        for path in ("/invoices", "/customers", "/products", "/tax-rates", "/credit-notes"):
            assert spy.ok("GET", path)["data"] == []
        assert_problem(spy.post(f"/invoices/{inv['id']}/payments", {"amount": 1}), 404,
                       "Invoice.NotFound")
        assert_problem(spy.delete(f"/invoices/{inv['id']}"), 404, "Invoice.NotFound")
        assert_problem(spy.post("/invoices", {"customerId": inv["customerId"]}), 404,
                       "Customer.NotFound")
    got = d.ok("GET", f"/invoices/{inv['id']}")
    assert (got["status"], got["amountPaid"]) == ("Sent", "0.00")
