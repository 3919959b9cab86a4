"""A Commet client's calls, end to end over Folio, cross-checked with the canonical /v1."""

from __future__ import annotations

from typing import Any

from folio.faces.commet.schemas import (
    CreatedInvoiceOut,
    CustomerOut,
    Envelope,
    InvoiceOut,
    ListEnvelope,
    SentOut,
    StatusOut,
)
from tests import factories as f
from tests.conftest import Tenant
from tests.faces.commet.helpers import (
    ISO,
    adjustment,
    check,
    commet,
    customer,
    error_of,
    validate_seed,
)


def test_customer_adjustment_send_paid_and_v1_agrees(tenant: Tenant) -> None:
    c = commet(tenant)
    cus = customer(c, externalId="acme-1", timezone="Europe/Berlin", metadata={"tier": "a"},
                   address={"line1": "Main St 1", "city": "Berlin", "postalCode": "10115",
                            "country": "DE"})
    check(Envelope[CustomerOut], {"success": True, "data": cus})
    assert (cus["email"], cus["fullName"], cus["externalId"], cus["timezone"]) == (
        "ada@example.com", "Ada Lovelace", "acme-1", "Europe/Berlin")

    created = adjustment(c, cus["id"], 12_345, metadata={"ticket": "42"})
    check(Envelope[CreatedInvoiceOut], {"success": True, "data": created})
    assert (created["status"], created["invoiceType"], created["total"]) == (
        "draft", "adjustment", 12_345)
    assert created["invoiceNumber"] is None
    assert created["issueDate"] is None

    draft = c.ok("GET", f"/invoices/{created['id']}")
    assert draft["lineItems"] == [{
        "lineType": "addon_base", "featureName": None, "description": "Onboarding fee",
        "quantity": 1, "unitAmount": 12_345, "amount": 12_345, "includedAmount": None,
        "usedAmount": None, "overageAmount": None, "discountType": None,
        "discountValue": None, "discountName": None, "chargeType": "standard"}]
    assert draft["metadata"] == {"ticket": "42"}

    sent = c.ok("POST", f"/invoices/{created['id']}/send")
    check(Envelope[SentOut], {"success": True, "data": sent})
    assert sent["sent"] is True
    assert ISO.match(sent["sentAt"])

    outstanding = c.ok("GET", f"/invoices/{created['id']}")
    assert outstanding["status"] == "outstanding"
    assert outstanding["invoiceNumber"]
    assert outstanding["issueDate"]
    assert outstanding["dueDate"]

    status = c.ok("PUT", f"/invoices/{created['id']}/status", {"status": "paid"})
    check(Envelope[StatusOut], {"success": True, "data": status})
    assert status["status"] == "paid"

    paid = c.ok("GET", f"/invoices/{created['id']}")
    validate_seed(200, {"success": True, "data": paid})
    assert paid["status"] == "paid"

    v1 = tenant.ok("GET", f"/v1/invoices/{created['id']}")
    assert (v1["status"], v1["total"], v1["amount_paid"], v1["amount_due"]) == (
        "paid", 12_345, 12_345, 0)
    assert (v1["customer"], v1["number"], v1["invoice_type"], v1["collection_method"]) == (
        cus["id"], paid["invoiceNumber"], "adjustment", "send_invoice")
    assert v1["metadata"] == paid["metadata"]
    v1_customer = tenant.ok("GET", f"/v1/customers/{cus['id']}")
    assert (v1_customer["external_id"], v1_customer["address"]["postal_code"]) == (
        "acme-1", "10115")


def test_patch_status_returns_the_invoice_and_void_is_final(tenant: Tenant) -> None:
    c = commet(tenant)
    inv = adjustment(c, customer(c)["id"])
    c.ok("POST", f"/invoices/{inv['id']}/send")
    data = c.ok("PATCH", f"/invoices/{inv['id']}/status", {"status": "void"})
    check(Envelope[InvoiceOut], {"success": True, "data": data})
    assert data["status"] == "void"
    for status in ("paid", "void"):
        error_of(c.put(f"/invoices/{inv['id']}/status", {"status": status}), 409,
                 "invoice_not_open")
    assert tenant.ok("GET", f"/v1/invoices/{inv['id']}")["status"] == "void"


def test_status_changes_only_from_outstanding(tenant: Tenant) -> None:
    c = commet(tenant)
    inv = adjustment(c, customer(c)["id"])
    error_of(c.put(f"/invoices/{inv['id']}/status", {"status": "paid"}), 409,
             "invoice_not_open")
    gone = f.open_invoice(tenant)
    tenant.ok("POST", f"/v1/invoices/{gone['id']}/mark_uncollectible")
    error_of(c.patch(f"/invoices/{gone['id']}/status", {"status": "paid"}), 409,
             "invoice_not_open")
    error_of(c.put(f"/invoices/{inv['id']}/status", {"status": "outstanding"}), 400,
             "validation_error")
    assert tenant.ok("GET", f"/v1/invoices/{inv['id']}")["status"] == "draft"
    assert tenant.ok("GET", f"/v1/invoices/{gone['id']}")["status"] == "uncollectible"


def test_send_of_a_charge_automatically_invoice_is_refused(tenant: Tenant) -> None:
    inv = f.draft(tenant)  # /v1 default collection: charge_automatically
    err = error_of(commet(tenant).post(f"/invoices/{inv['id']}/send"), 409,
                   "invoice_not_send_invoice")
    assert err["type"] == "conflict_error"
    assert tenant.ok("GET", f"/v1/invoices/{inv['id']}")["status"] == "draft"


def test_usage_lines_amounts_and_rounding(tenant: Tenant) -> None:
    inv = f.draft(tenant, subscription="sub_9", plan_name="Scale", lines=[
        {"type": "plan_base", "description": "Scale plan", "unit_amount": 10_000},
        {"type": "usage", "description": "Events", "feature_name": "events",
         "quantity": "2.5", "unit_amount_decimal": "100.5", "included_quantity": "10.4",
         "used_quantity": "12.5", "overage_quantity": "2.1",
         "discounts": [{"amount_off": 10}]},
        {"type": "discount", "description": "Loyalty", "unit_amount": -500},
        {"type": "credit", "description": "Goodwill", "unit_amount": -300},
        {"type": "one_off", "description": "Setup", "unit_amount": 700}],
        discounts=[{"percent_off": "10"}])
    data = commet(tenant).ok("GET", f"/invoices/{inv['id']}")
    base, usage, discount, credit, one_off = data["lineItems"]
    assert [x["lineType"] for x in data["lineItems"]] == [
        "plan_base", "feature_overage", "discount", "credit", "addon_base"]
    assert (usage["quantity"], usage["unitAmount"], usage["amount"]) == (3, 101, 251)
    assert (usage["includedAmount"], usage["usedAmount"], usage["overageAmount"]) == (
        10, 13, 2)
    assert (usage["featureName"], usage["discountType"], usage["discountValue"]) == (
        "events", "amount", 10)
    assert (discount["amount"], credit["amount"]) == (-500, -300)
    assert (data["invoiceType"], data["subscriptionId"], data["planName"]) == (
        "recurring", "sub_9", "Scale")
    v1 = tenant.ok("GET", f"/v1/invoices/{inv['id']}")
    assert data["subtotal"] == v1["subtotal"] + 500 + 300
    assert data["discountAmount"] == v1["total_discount_amount"] + 500
    assert data["creditApplied"] == 300
    assert data["total"] == v1["total"] == (
        data["subtotal"] - data["discountAmount"] - data["creditApplied"] + data["taxAmount"])
    assert base["amount"] + one_off["amount"] + usage["amount"] == data["subtotal"]


def test_invoice_type_defaults(tenant: Tenant) -> None:
    plain = f.draft(tenant)
    typed = f.draft(tenant, invoice_type="plan_change")
    c = commet(tenant)
    assert c.ok("GET", f"/invoices/{plain['id']}")["invoiceType"] == "adjustment"
    assert c.ok("GET", f"/invoices/{typed['id']}")["invoiceType"] == "plan_change"


def _ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    body = response.json()
    check(ListEnvelope[InvoiceOut], body)
    return [x["id"] for x in body["data"]]


def test_list_filters_and_cursor(tenant: Tenant) -> None:
    c = commet(tenant)
    ada, bob = customer(c)["id"], customer(c, email="bob@example.com")["id"]
    a1, a2, b1 = adjustment(c, ada), adjustment(c, ada), adjustment(c, bob)
    c.ok("POST", f"/invoices/{a2['id']}/send")
    sub = f.draft(tenant, subscription="sub_x")
    assert _ids(c.get("/invoices")) == [sub["id"], b1["id"], a2["id"], a1["id"]]
    assert _ids(c.get("/invoices", customerId=ada)) == [a2["id"], a1["id"]]
    assert _ids(c.get("/invoices", status="outstanding")) == [a2["id"]]
    assert _ids(c.get("/invoices", status="draft", customerId=ada)) == [a1["id"]]
    assert _ids(c.get("/invoices", subscriptionId="sub_x")) == [sub["id"]]
    first = c.get("/invoices", limit=3).json()
    assert first["hasMore"] is True
    assert first["nextCursor"] == a2["id"]
    rest = c.get("/invoices", limit=3, cursor=first["nextCursor"]).json()
    assert [x["id"] for x in rest["data"]] == [a1["id"]]
    assert rest["hasMore"] is False
    assert rest["nextCursor"] is None
    error_of(c.get("/invoices", limit=101), 400, "validation_error")
    error_of(c.get("/invoices", status="open"), 400, "validation_error")
    assert error_of(c.get("/invoices", cursor="in_nope"), 400)["param"] == "cursor"


def test_customers_create_get_list_update(tenant: Tenant) -> None:
    c = commet(tenant)
    first = customer(c, externalId="ext-1")
    again = customer(c, externalId="ext-1", fullName="Someone else")
    assert again["id"] == first["id"]
    assert again["fullName"] == "Ada Lovelace"
    own = customer(c, id="my-own-id", email="own@example.com")
    assert own["externalId"] == "my-own-id"
    assert own["id"].startswith("cus_")
    assert own["timezone"] == "UTC"
    assert c.ok("GET", "/customers/my-own-id")["id"] == own["id"]
    assert c.ok("GET", f"/customers/{first['id']}") == first
    body = c.get("/customers", externalId="ext-1").json()
    check(ListEnvelope[CustomerOut], body)
    assert [x["id"] for x in body["data"]] == [first["id"]]
    page = c.get("/customers", limit=1).json()
    assert page["hasMore"] is True
    assert page["nextCursor"] == own["id"]
    patched = c.ok("PATCH", f"/customers/{first['id']}",
                   {"fullName": "Ada King", "timezone": "Asia/Tokyo", "metadata": {"x": "1"}})
    assert (patched["fullName"], patched["timezone"], patched["email"]) == (
        "Ada King", "Asia/Tokyo", "ada@example.com")
    put = c.ok("PUT", f"/customers/{first['id']}", {"email": "ada@king.example"})
    assert (put["email"], put["fullName"], put["metadata"]) == (
        "ada@king.example", "Ada King", {"x": "1"})
    v1 = tenant.ok("GET", f"/v1/customers/{first['id']}")
    assert (v1["name"], v1["email"], v1["timezone"]) == (
        "Ada King", "ada@king.example", "Asia/Tokyo")
    inv = adjustment(c, "my-own-id")
    assert inv["customerId"] == own["id"]


def test_idempotency_key(tenant: Tenant) -> None:
    c = commet(tenant)
    cus = customer(c)["id"]
    body = {"customerId": cus, "amount": 500, "description": "Fee"}
    one = c.post("/invoices", body, **{"Idempotency-Key": "k-1"})
    two = c.post("/invoices", body, **{"Idempotency-Key": "k-1"})
    assert one.status_code == two.status_code == 201
    assert one.json() == two.json()
    assert two.headers["Idempotent-Replayed"] == "true"
    other = c.post("/invoices", {**body, "amount": 501}, **{"Idempotency-Key": "k-1"})
    assert error_of(other, 400, "idempotency_key_reused")["type"] == "idempotency_error"
    assert len(tenant.ok("GET", "/v1/invoices")["data"]) == 1
