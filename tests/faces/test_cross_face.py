"""One ledger, five faces: an invoice made through Dollr reads with the same amounts and a
consistent status through the canonical API, ChatDash, Commet and Dolfin, at every step
of its life."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from folio.db.engine import Database
from folio.db.models import Account, Invoice
from tests.conftest import Tenant
from tests.faces.dollr.support import Dollr


def _ids(db: Database, tenant: Tenant, dollr_id: int) -> tuple[str, str, str]:
    with db.transaction(write=False) as session:
        inv = session.scalars(select(Invoice).where(Invoice.id == dollr_id)).one()
        account = session.get(Account, inv.account_id)
        assert account is not None
        return inv.public_id, inv.uuid, account.uuid


def _read_all(tenant: Tenant, dollr: Dollr, dollr_id: int, public_id: str, uuid: str,
              org: str) -> dict[str, Any]:
    key = tenant.keys.test_key
    c = tenant.client
    views: dict[str, Any] = {"v1": tenant.ok("GET", f"/v1/invoices/{public_id}")}
    r = c.get(f"/compat/chatdash/stripe/connect/accounts/{tenant.id}/invoices/{public_id}",
              headers={"Authorization": key})
    assert r.status_code == 200, r.text
    views["chatdash"] = r.json()
    r = c.get(f"/compat/commet/invoices/{public_id}", headers={"x-api-key": key})
    assert r.status_code == 200, r.text
    views["commet"] = r.json()["data"]
    views["dollr"] = dollr.ok("GET", f"/v1/invoices/retrieve/{dollr_id}")
    r = c.get(f"/compat/dolfin/invoices/{uuid}",
              headers={"x-dolfin-api-key": key, "x-dolfin-organisation-id": org})
    assert r.status_code == 200, r.text
    views["dolfin"] = r.json()
    return views


EXPECTED_STATUS = {
    # canonical (status, payment_state) -> each face's word
    ("draft", None): {"chatdash": "draft", "commet": "draft", "dollr": "IDLE",
                      "dolfin": "Draft"},
    ("open", "unpaid"): {"chatdash": "open", "commet": "outstanding", "dollr": "ACTIVE",
                         "dolfin": "Sent"},
    ("open", "partially_paid"): {"chatdash": "open", "commet": "outstanding",
                                 "dollr": "ACTIVE", "dolfin": "PartiallyPaid"},
    ("paid", "paid"): {"chatdash": "paid", "commet": "paid", "dollr": "PAID",
                       "dolfin": "Paid"},
}


def _check(views: dict[str, Any]) -> None:
    v1 = views["v1"]
    total = v1["total"]
    assert views["commet"]["total"] == total
    assert views["commet"]["subtotal"] - views["commet"]["discountAmount"] \
        + views["commet"]["taxAmount"] == total
    assert Decimal(str(views["dollr"]["total_amount"])) == Decimal(total).scaleb(-2)
    assert views["chatdash"]["amount"] == v1["amount_due"] + v1["amount_paid"]
    dolfin = views["dolfin"]
    assert Decimal(str(dolfin["totalAmount"])) == Decimal(total).scaleb(-2)
    assert Decimal(str(dolfin["amountPaid"])) == Decimal(v1["amount_paid"]).scaleb(-2)
    assert Decimal(str(dolfin["outstanding"])) == Decimal(v1["amount_due"]).scaleb(-2)
    expected = EXPECTED_STATUS[(v1["status"], v1["payment_state"])]
    assert {face: views[face]["status"] for face in expected} == expected
    numbers = {v1["number"], views["chatdash"]["number"], views["commet"]["invoiceNumber"],
               views["dollr"]["invoice_number"] or None, dolfin["documentNumber"]}
    assert len(numbers - {None, ""}) <= 1


def test_an_invoice_reads_the_same_through_every_face(tenant: Tenant, db: Database) -> None:
    dollr = Dollr.with_key(tenant)
    made = dollr.invoice(currency="EUR", items=[("Design", 3, "120.50"), ("Hosting", 1, "9.99")],
                         due_date="2030-01-31T00:00:00Z")
    public_id, uuid, org = _ids(db, tenant, made["id"])

    views = _read_all(tenant, dollr, made["id"], public_id, uuid, org)
    assert views["v1"]["total"] == 3 * 12050 + 999
    _check(views)

    dollr.ok("PUT", f"/v1/invoices/publish/{made['id']}")
    _check(_read_all(tenant, dollr, made["id"], public_id, uuid, org))

    tenant.ok("POST", "/v1/payments", {"invoice": public_id, "amount": 10000})
    _check(_read_all(tenant, dollr, made["id"], public_id, uuid, org))

    tenant.ok("POST", f"/v1/invoices/{public_id}/pay")
    views = _read_all(tenant, dollr, made["id"], public_id, uuid, org)
    _check(views)
    assert views["v1"]["status"] == "paid"


def _read_by_public_id(tenant: Tenant, dollr: Dollr, db: Database, public_id: str
                       ) -> dict[str, Any]:
    with db.transaction(write=False) as session:
        inv = session.scalars(select(Invoice).where(Invoice.public_id == public_id)).one()
        account = session.get(Account, inv.account_id)
        assert account is not None
        dollr_id, uuid, org = inv.id, inv.uuid, account.uuid
    return _read_all(tenant, dollr, dollr_id, public_id, uuid, org)


def _check_credit(views: dict[str, Any]) -> None:
    """The amounts every face shows for an invoice touched by the credit balance."""
    v1, commet = views["v1"], views["commet"]
    assert commet["total"] == v1["total"]
    assert commet["subtotal"] - commet["discountAmount"] - commet["creditApplied"] \
        + commet["taxAmount"] == v1["total"]
    assert views["chatdash"]["amount"] == v1["amount_due"] + v1["amount_paid"]
    assert Decimal(str(views["dollr"]["total_amount"])) == Decimal(v1["total"]).scaleb(-2)
    assert Decimal(str(views["dolfin"]["totalAmount"])) == Decimal(v1["total"]).scaleb(-2)
    assert Decimal(str(views["dolfin"]["outstanding"])) == Decimal(v1["amount_due"]).scaleb(-2)
    expected = EXPECTED_STATUS[(v1["status"], v1["payment_state"])]
    assert {face: views[face]["status"] for face in expected} == expected


def test_credit_reads_the_same_through_every_face(tenant: Tenant, db: Database) -> None:
    """A Commet negative adjustment (credit for the customer), then an invoice that draws
    on that credit, read through the canonical API and all four faces."""
    dollr = Dollr.with_key(tenant)
    headers = {"x-api-key": tenant.keys.test_key}
    c = tenant.client
    cus = c.post("/compat/commet/customers", json={"email": "ada@example.com"},
                 headers=headers).json()["data"]["id"]
    made = c.post("/compat/commet/invoices", headers=headers, json={
        "customerId": cus, "amount": -1_250, "description": "Goodwill"})
    assert made.status_code == 201, made.text
    credit_invoice = made.json()["data"]["id"]
    views = _read_by_public_id(tenant, dollr, db, credit_invoice)
    _check_credit(views)
    assert (views["v1"]["status"], views["v1"]["amount_due"], views["chatdash"]["amount"],
            views["commet"]["creditApplied"]) == ("paid", 0, 0, 1_250)

    drawn = tenant.ok("POST", "/v1/invoices", {
        "customer": cus, "currency": "eur", "apply_credit_balance": True,
        "subscription": "sub_1", "lines": [{"type": "plan_base", "unit_amount": 5_000}]})
    tenant.ok("POST", f"/v1/invoices/{drawn['id']}/finalize")
    views = _read_by_public_id(tenant, dollr, db, drawn["id"])
    _check_credit(views)
    assert (views["v1"]["credit_applied"], views["v1"]["total"],
            views["commet"]["creditApplied"], views["commet"]["subtotal"]) == (
        1_250, 3_750, 1_250, 5_000)
