"""A Dolfin client's whole day against Folio: set up, invoice, send, pay, credit."""

from __future__ import annotations

from typing import Any

from folio.faces.dolfin.schemas import (
    CreditNoteOut,
    CustomerOut,
    PaymentOut,
    ProductOut,
    TaxRateOut,
)
from tests.conftest import Tenant, make_tenant
from tests.faces.dolfin.helpers import Dolfin, assert_model, assert_seed
from tests.faces.dolfin.schemas_out import check_list


def test_full_scenario_to_credited(tenant: Tenant) -> None:
    d = Dolfin(tenant)
    customer = d.customer()
    assert_model(CustomerOut, customer)
    product = d.product("125.50")
    assert_model(ProductOut, product)
    assert product["unitPrice"] == "125.50"
    assert product["type"] == "Service"
    rate = d.tax_rate("20")
    assert_model(TaxRateOut, rate)

    inv = d.ok("POST", "/invoices", {
        "customerId": customer["id"], "currency": "GBP", "dueDate": "2030-02-01T00:00:00Z",
        "memo": "March work",
        "lineItems": [{"productId": product["id"], "quantity": 2, "taxRateId": rate["id"]}]})
    assert_seed("InvoiceResponse", inv)
    assert inv["status"] == "Draft"
    assert inv["documentNumber"] is None
    assert (inv["subTotal"], inv["taxAmount"], inv["totalAmount"]) == \
        ("251.00", "50.20", "301.20")
    line = inv["lineItems"][0]
    assert line["taxRateSnapshot"] is None
    assert line["taxRateId"] == rate["id"]
    assert line["productId"] == product["id"]
    assert inv["recurringScheduleId"] is None
    assert inv["recurringOccurrenceNumber"] is None
    assert inv["customer"]["name"] == "Acme Ltd"

    read = d.ok("GET", f"/invoices/{inv['id']}")
    assert read == inv

    sent = d.ok("POST", f"/invoices/{inv['id']}/send", {"tone": "Friendly"})
    assert sent["status"] == "Sent"
    assert sent["documentNumber"]
    snap = sent["lineItems"][0]["taxRateSnapshot"]
    assert snap["code"] == "GB-STD"
    assert snap["rate"] == "20"
    assert snap["sourceId"] == rate["id"]
    assert snap["snapshottedAt"] is not None
    again = d.ok("GET", f"/invoices/{inv['id']}")
    assert again["lineItems"][0]["taxRateSnapshot"] == snap

    pay = d.ok("POST", f"/invoices/{inv['id']}/payments",
               {"amount": 100.2, "paidAt": "2030-01-10T12:00:00Z", "notes": "BACS"}, 201)
    assert_model(PaymentOut, pay)
    assert pay["amount"] == "100.20"
    assert pay["notes"] == "BACS"
    assert pay["provider"] == "Manual"
    partly = d.ok("GET", f"/invoices/{inv['id']}")
    assert partly["status"] == "PartiallyPaid"
    assert (partly["amountPaid"], partly["outstanding"]) == ("100.20", "201.00")

    cn = d.ok("POST", f"/invoices/{inv['id']}/credit-notes",
              {"amount": "201.00", "reason": "Goodwill",
               "invoiceLineItemId": line["id"]})
    assert_model(CreditNoteOut, cn)
    assert cn["status"] == "Draft"
    assert cn["documentNumber"] is None
    assert cn["invoiceLineItemId"] == line["id"]
    assert cn["taxRateSnapshot"] == snap  # inherits the line's frozen rate
    assert cn["taxAmount"] == "33.50"
    assert cn["netAmount"] == "167.50"
    still = d.ok("GET", f"/invoices/{inv['id']}")
    assert still["status"] == "PartiallyPaid"
    assert still["amountCredited"] == "0.00"

    issued = d.ok("POST", f"/invoices/{inv['id']}/credit-notes/{cn['id']}/issue")
    assert issued["status"] == "Issued"
    assert issued["documentNumber"]
    assert issued["issuedAt"] is not None
    final = d.ok("GET", f"/invoices/{inv['id']}")
    assert_seed("InvoiceResponse", final)
    assert final["status"] == "Credited"
    assert (final["amountPaid"], final["amountCredited"], final["outstanding"]) == \
        ("100.20", "201.00", "0.00")

    payments = d.ok("GET", f"/invoices/{inv['id']}/payments")
    assert [p["id"] for p in payments] == [pay["id"]]
    notes = d.ok("GET", f"/invoices/{inv['id']}/credit-notes")
    assert [n["id"] for n in notes] == [cn["id"]]
    listed = d.ok("GET", "/credit-notes")
    check_list(listed)
    assert [n["id"] for n in listed["data"]] == [cn["id"]]

    # the canonical API reads the same ledger
    canonical = tenant.ok("GET", "/v1/invoices")["data"][0]
    assert canonical["uuid"] == inv["id"]
    assert canonical["total"] == 30120
    assert canonical["amount_due"] == 0
    assert canonical["status"] == "paid"


def test_payment_in_full_is_paid_and_overpayment_refused(tenant: Tenant) -> None:
    d = Dolfin(tenant)
    inv = d.invoice()
    d.ok("POST", f"/invoices/{inv['id']}/send")
    r = d.post(f"/invoices/{inv['id']}/payments", {"amount": "240.01"})
    assert r.status_code == 400
    assert r.json()["code"] == "Payment.AmountExceedsOutstanding"
    d.ok("POST", f"/invoices/{inv['id']}/payments", {"amount": "240"}, 201)
    assert d.ok("GET", f"/invoices/{inv['id']}")["status"] == "Paid"


def test_credit_note_tax_override_and_zero_rated(tenant: Tenant) -> None:
    d = Dolfin(tenant)
    inv = d.invoice()
    d.ok("POST", f"/invoices/{inv['id']}/send")
    reduced = d.tax_rate("5", code="GB-RED")
    cn = d.ok("POST", f"/invoices/{inv['id']}/credit-notes",
              {"amount": "21.00", "taxRateId": reduced["id"]})
    assert cn["taxRateId"] == reduced["id"]
    assert cn["taxAmount"] == "1.00"
    assert cn["taxRateSnapshot"]["code"] == "GB-RED"
    zero = d.ok("POST", f"/invoices/{inv['id']}/credit-notes", {"amount": "10"})
    assert zero["taxRateSnapshot"] is None
    assert zero["taxAmount"] == "0.00"
    over = d.post(f"/invoices/{inv['id']}/credit-notes", {"amount": "240.01"})
    assert over.status_code == 400
    assert over.json()["code"] == "CreditNote.AmountExceedsOutstanding"
    d.ok("POST", f"/invoices/{inv['id']}/credit-notes/{cn['id']}/issue")
    r = d.post(f"/invoices/{inv['id']}/credit-notes/{cn['id']}/issue")
    assert r.status_code == 409
    assert r.json()["code"] == "CreditNote.NotDraft"
    got = d.ok("GET", f"/invoices/{inv['id']}")
    assert (got["status"], got["amountCredited"], got["outstanding"]) == \
        ("PartiallyPaid", "21.00", "219.00")


def test_patch_draft_only_and_delete_voids(tenant: Tenant) -> None:
    d = Dolfin(tenant)
    inv = d.invoice()
    product = d.product("10")
    patched = d.ok("PATCH", f"/invoices/{inv['id']}", {
        "memo": "New memo", "dueDate": "2031-01-01T00:00:00Z",
        "lineItems": [{"productId": product["id"], "quantity": "3", "unitPrice": "7.25",
                       "description": "Custom"}]})
    assert patched["memo"] == "New memo"
    assert patched["dueDate"] == "2031-01-01T00:00:00Z"
    assert [x["description"] for x in patched["lineItems"]] == ["Custom"]
    assert patched["totalAmount"] == "21.75"
    assert patched["lineItems"][0]["productId"] == product["id"]
    assert d.delete(f"/invoices/{inv['id']}").status_code == 204
    voided = d.ok("GET", f"/invoices/{inv['id']}")
    assert voided["status"] == "Void"
    assert voided["documentNumber"] is None
    r = d.patch(f"/invoices/{inv['id']}", {"memo": "x"})
    assert r.status_code == 409
    assert r.json()["code"] == "Invoice.NotDraft"
    assert d.ok("GET", f"/invoices/{inv['id']}")["memo"] == "New memo"
    # the canonical API still refuses to void a draft (it deletes drafts instead)
    draft = d.invoice()
    canonical_id = tenant.ok("GET", "/v1/invoices")["data"][0]["id"]
    assert tenant.ok("GET", f"/v1/invoices/{canonical_id}")["uuid"] == draft["id"]
    assert tenant.post(f"/v1/invoices/{canonical_id}/void").status_code == 409


def test_lists_filters_and_cursor(tenant: Tenant) -> None:
    d = Dolfin(tenant)
    a = d.customer(name="A")
    first = d.invoice(customerId=a["id"])
    second = d.invoice()
    d.ok("POST", f"/invoices/{second['id']}/send")
    page1 = d.ok("GET", "/invoices?Limit=1")
    check_list(page1)
    assert [x["id"] for x in page1["data"]] == [second["id"]]
    nxt = page1["meta"]["cursors"]["next"]
    page2 = d.ok("GET", f"/invoices?Limit=1&Cursor={nxt}")
    assert [x["id"] for x in page2["data"]] == [first["id"]]
    assert page2["meta"]["cursors"]["next"] is None
    assert [x["id"] for x in d.ok("GET", "/invoices?Status=Sent")["data"]] == [second["id"]]
    assert [x["id"] for x in d.ok("GET", "/invoices?Status=Draft")["data"]] == [first["id"]]
    by_customer = d.ok("GET", f"/invoices?CustomerId={a['id']}")["data"]
    assert [x["id"] for x in by_customer] == [first["id"]]
    assert d.ok("GET", "/invoices?IssueDateFrom=2999-01-01T00:00:00Z")["data"] == []
    assert len(d.ok("GET", "/invoices?IssueDateTo=2999-01-01T00:00:00Z")["data"]) == 2
    rates = d.ok("GET", "/tax-rates?Code=GB-STD")
    check_list(rates)
    assert {r["code"] for r in rates["data"]} == {"GB-STD"}
    for path in ("/customers", "/products", "/tax-rates"):
        listed = d.ok("GET", path)
        check_list(listed)
        assert len(listed["data"]) >= 2


def test_connected_account_by_organisation_id(db: Any, client: Any) -> None:
    platform = make_tenant(db, client, "Platform")
    connected = make_tenant(db, client, "Shop", platform=platform.id)
    as_platform = Dolfin(platform, org=connected.keys.account.uuid)
    inv = as_platform.invoice()
    assert inv["organisationId"] == connected.keys.account.uuid
    assert Dolfin(connected).ok("GET", f"/invoices/{inv['id']}")["id"] == inv["id"]
    r = Dolfin(connected, org=platform.keys.account.uuid).get(f"/invoices/{inv['id']}")
    assert r.status_code == 403
    assert r.json()["code"] == "Organisation.Forbidden"
