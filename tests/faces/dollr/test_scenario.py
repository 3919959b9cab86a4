"""A Dollr client's whole flow against Folio: token, party, counterparty, invoice, items,
publish, payment (through the canonical /v1 API), receipt. Every body is checked against
the face's response models (written from vendors.md)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from folio.db.engine import Database
from folio.faces.dollr import schemas as s
from tests.conftest import Tenant
from tests.faces.dollr.support import BASE, Dollr, credentials, validate_seed_response


def _valid(model: type[BaseModel], body: Any) -> Any:
    model.model_validate(body)
    return body


def test_the_whole_flow(tenant: Tenant, db: Database) -> None:
    cred = credentials(db, tenant)
    assert cred.client_id.startswith("cli_")
    token = _valid(s.TokenOut, tenant.client.post(BASE + "/v1/jwt/client/obtain/token", json={
        "client_id": cred.client_id, "client_secret": cred.client_secret}).json())
    assert token["token_type"] == "bearer"
    assert token["expires_in"] == 60
    d = Dollr(tenant, token["access_token"])

    party = _valid(s.PartyOut, d.ok("POST", "/v1/parties/create", {
        "fullname": "Musu Kollie", "phone": "231770000001", "email": "musu@example.com",
        "country_code": "lr"}))
    assert party["country_code"] == "LR"
    assert _valid(s.PartyOut, d.ok("GET", f"/v1/parties/retrieve/{party['id']}")) == party
    assert [p["id"] for p in d.ok("GET", "/v1/parties/list", fullname="kolL")] == [party["id"]]
    assert d.ok("GET", "/v1/parties/list", fullname="nobody") == []

    cp = _valid(s.CounterpartyOut, d.ok("POST", "/v1/counterparties/create", {
        "relationship_type": "SUPPLIER", "party_id": party["id"]}))
    assert cp["party_id"] == party["id"]
    assert cp["relationship_type"] == "SUPPLIER"
    cp = _valid(s.CounterpartyOut, d.ok("PUT", f"/v1/counterparties/update/{cp['id']}",
                                        {"relationship_type": "CUSTOMER", "party_id": None}))
    full = _valid(s.CounterpartyWithPartyOut,
                  d.ok("GET", f"/v1/counterparties/retrieve/{cp['id']}"))
    assert full["relationship_type"] == "CUSTOMER"
    assert full["party"] == party
    listed = d.ok("GET", "/v1/counterparties/list", relationship_type="CUSTOMER")
    assert [c["id"] for c in listed] == [cp["id"]]
    assert d.ok("GET", "/v1/counterparties/list", relationship_type="DONOR") == []

    inv = _valid(s.InvoiceOut, d.ok("POST", "/v1/invoices/create", {
        "counterparty_id": cp["id"], "currency": "USD", "note": "March work",
        "fee_bearer": "PAYEE", "as_payment_link": True, "reference_id": "ref-1",
        "due_date": "2030-04-30T00:00:00Z"}))
    assert inv["status"] == "IDLE"
    assert inv["total_amount"] == 0
    assert inv["due_date"] == "2030-04-30T00:00:00+00:00"
    assert (inv["fee_bearer"], inv["as_payment_link"], inv["note"]) == ("PAYEE", True,
                                                                        "March work")
    path = f"/v1/invoices/{inv['id']}/items"
    a = _valid(s.ItemOut, d.ok("POST", f"{path}/add", {"name": "Design", "currency": "USD",
                                                       "qty": 2, "amount": 150.25}))
    b = _valid(s.ItemOut, d.ok("POST", f"{path}/add", {"name": "Typo", "currency": "USD",
                                                       "qty": 1, "amount": "0.01"}))
    c = d.ok("POST", f"{path}/add", {"name": "Hosting", "currency": "usd", "qty": 12,
                                     "amount": 9.99})
    changed = _valid(s.ItemOut, d.ok("PUT", f"{path}/{b['id']}/update",
                                     {"name": "Logo", "qty": 3, "amount": 99.5, "x": 1}))
    assert (changed["id"], changed["name"], changed["qty"], changed["amount"]) == (
        b["id"], "Logo", 3, 99.5)
    assert d.ok("DELETE", f"{path}/{c['id']}/remove") == {}
    inv = _valid(s.InvoiceOut, d.ok("PUT", f"/v1/invoices/update/{inv['id']}",
                                    {"note": "March design work", "reference_id": None}))
    assert inv["note"] == "March design work"
    assert inv["reference_id"] == "ref-1"

    response = d.call("GET", f"/v1/invoices/retrieve/{inv['id']}")
    validate_seed_response(f"/v1/invoices/retrieve/{inv['id']}", response)
    detail = response.json()
    assert [i["id"] for i in detail["invoice_items"]] == [a["id"], b["id"]]
    assert detail["total_amount"] == 2 * 150.25 + 3 * 99.5 == 599

    published = _valid(s.InvoiceOut, d.ok("PUT", f"/v1/invoices/publish/{inv['id']}"))
    assert published["status"] == "ACTIVE"
    number = published["invoice_number"]
    assert number.startswith("INV-")
    assert d.ok("GET", f"/v1/invoices/retrieve/number/{number}")["id"] == inv["id"]
    assert [x["id"] for x in d.ok("GET", "/v1/invoices/list", status="ACTIVE",
                                  currency="USD")] == [inv["id"]]
    assert d.ok("GET", "/v1/invoices/list", status="IDLE") == []
    assert d.ok("GET", "/v1/invoices/list", currency="EUR") == []

    # the money arrives outside Dollr's checkout: recorded through the canonical API
    canonical = tenant.get("/v1/invoices", status="open").json()["data"]
    assert [x["number"] for x in canonical] == [number]
    assert canonical[0]["total"] == 59900
    assert canonical[0]["memo"] == "March design work"
    assert canonical[0]["fee_bearer"] == "payee"
    assert canonical[0]["as_payment_link"] is True
    tenant.ok("POST", "/v1/payments", {"invoice": canonical[0]["id"], "amount": 59900,
                                       "method": "bank_transfer", "reference": "TX-9"})

    paid = d.ok("GET", f"/v1/invoices/retrieve/{inv['id']}")
    assert paid["status"] == "PAID"
    assert paid["paid_at"] is not None
    assert [x["id"] for x in d.ok("GET", "/v1/invoices/list", status="PAID")] == [inv["id"]]
    receipt = _valid(s.ReceiptOut, d.ok("GET", f"/v1/invoices/receipt/{inv['id']}"))
    assert receipt == _valid(s.ReceiptOut, d.ok("GET", f"/v1/invoices/receipt/number/{number}"))
    assert (receipt["invoice_id"], receipt["invoice_number"], receipt["status"]) == (
        inv["id"], number, "PAID")
    assert receipt["total_amount"] == receipt["payer_amount"] == 599
    assert receipt["payment_method"] == "bank_transfer"
    assert receipt["provider_transaction_id"] == "TX-9"
    assert receipt["counterparty_name"] == "Musu Kollie"
    assert receipt["gateway_fee"] is None
    assert receipt["fx_rate"] is None
    assert [(i["name"], i["qty"], i["amount"]) for i in receipt["items"]] == [
        ("Design", 2, 150.25), ("Logo", 3, 99.5)]


def test_cancel_an_active_invoice(tenant: Tenant) -> None:
    d = Dollr.with_key(tenant)
    inv = d.invoice()
    d.ok("PUT", f"/v1/invoices/publish/{inv['id']}")
    canceled = d.ok("DELETE", f"/v1/invoices/cancel/{inv['id']}")
    assert canceled["status"] == "CANCELED"
    assert d.ok("GET", f"/v1/invoices/retrieve/{inv['id']}")["status"] == "CANCELED"
    assert [x["id"] for x in d.ok("GET", "/v1/invoices/list", status="CANCELED")] == [inv["id"]]
    again = d.call("DELETE", f"/v1/invoices/cancel/{inv['id']}")
    assert again.status_code == 422


def test_uncollectible_reads_active(tenant: Tenant) -> None:
    d = Dollr.with_key(tenant)
    inv = d.invoice()
    d.ok("PUT", f"/v1/invoices/publish/{inv['id']}")
    public_id = tenant.ok("GET", "/v1/invoices")["data"][0]["id"]
    tenant.ok("POST", f"/v1/invoices/{public_id}/mark_uncollectible")
    assert d.ok("GET", f"/v1/invoices/retrieve/{inv['id']}")["status"] == "ACTIVE"
    assert [x["id"] for x in d.ok("GET", "/v1/invoices/list", status="ACTIVE")] == [inv["id"]]
    assert d.ok("GET", "/v1/invoices/list", status="PROCESSING") == []
    assert d.ok("DELETE", f"/v1/invoices/cancel/{inv['id']}")["status"] == "CANCELED"


def test_money_in_major_units_for_every_exponent(tenant: Tenant) -> None:
    d = Dollr.with_key(tenant)
    cp = d.counterparty()["id"]
    for currency, amount, total, total_minor in (("JPY", 1500, 3000, 3000),
                                                 ("KWD", 1.234, 2.468, 2468),
                                                 ("EUR", 0.1, 0.2, 20),
                                                 ("CLF", 1.2345, 2.469, 24690)):
        inv = d.invoice(currency, [("X", 2, amount)], counterparty_id=cp)
        assert inv["invoice_items"][0]["amount"] == amount
        assert inv["total_amount"] == total
        canonical = tenant.ok("GET", "/v1/invoices")["data"][0]
        assert canonical["currency"] == currency.lower()
        assert canonical["total"] == total_minor


def test_due_date_without_one_is_due_on_publish(tenant: Tenant) -> None:
    d = Dollr.with_key(tenant)
    inv = d.invoice()
    published = d.ok("PUT", f"/v1/invoices/publish/{inv['id']}")
    canonical = tenant.ok("GET", "/v1/invoices")["data"][0]
    assert canonical["collection_method"] == "send_invoice"
    assert canonical["due_date"] == canonical["finalized_at"]
    assert published["due_date"] == published["updated_at"]
