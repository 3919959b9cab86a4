"""The whole invoice lifecycle over /v1, on a real database."""

from __future__ import annotations

from tests import factories as f
from tests.conftest import Tenant


class TestDraft:
    def test_create_draft_computes_totals(self, tenant: Tenant) -> None:
        rate = f.tax_rate(tenant, "19")
        inv = f.draft(tenant, default_tax_rates=[rate["id"]], lines=[
            {"description": "A", "quantity": "3", "unit_amount": 3333},
            {"description": "B", "quantity": "0.000125", "unit_amount_decimal": "1000000"},
        ])
        assert inv["status"] == "draft"
        assert inv["number"] is None
        assert [x["amount"] for x in inv["lines"]["data"]] == [9999, 125]
        assert inv["subtotal"] == 10124
        assert inv["tax"] == sum(x["tax_amount"] for x in inv["lines"]["data"]) == 1924
        assert inv["total"] == 12048
        assert inv["amount_due"] == 12048

    def test_price_line_and_coupon(self, tenant: Tenant) -> None:
        _, price = f.product_price(tenant, 2500)
        coupon = tenant.ok("POST", "/v1/coupons", {"percent_off": "10"})
        inv = f.draft(tenant, lines=[{"price": price["id"], "quantity": "4"}],
                      discounts=[{"coupon": coupon["id"]}])
        line = inv["lines"]["data"][0]
        assert line["price"] == price["id"]
        assert line["amount"] == 10000
        assert inv["total_discount_amount"] == 1000
        assert inv["total"] == 9000

    def test_lines_add_update_remove(self, tenant: Tenant) -> None:
        inv = f.draft(tenant)
        inv = tenant.ok("POST", f"/v1/invoices/{inv['id']}/lines",
                        {"lines": [{"description": "Extra", "unit_amount": 100}]})
        assert inv["subtotal"] == 10100
        extra = inv["lines"]["data"][1]["id"]
        inv = tenant.ok("POST", f"/v1/invoices/{inv['id']}/lines/{extra}", {"quantity": "5"})
        assert inv["subtotal"] == 10500
        r = tenant.delete(f"/v1/invoices/{inv['id']}/lines/{extra}")
        assert r.status_code == 200
        assert r.json()["subtotal"] == 10000

    def test_preview_writes_nothing(self, tenant: Tenant) -> None:
        cus = f.customer(tenant)
        before = tenant.ok("GET", "/v1/events")["data"]
        body = {"customer": cus["id"], "lines": [{"unit_amount": 700, "quantity": "3"}]}
        preview = tenant.ok("POST", "/v1/invoices/preview", body)
        assert preview["id"] is None
        assert preview["total"] == 2100
        assert tenant.ok("GET", "/v1/invoices")["data"] == []
        assert tenant.ok("GET", "/v1/events")["data"] == before
        created = tenant.ok("POST", "/v1/invoices", body)
        assert created["total"] == preview["total"]

    def test_send_invoice_needs_due(self, tenant: Tenant) -> None:
        cus = f.customer(tenant)
        r = tenant.post("/v1/invoices", {"customer": cus["id"],
                                         "collection_method": "send_invoice"})
        assert r.status_code == 400
        assert r.json()["error"]["code"] == "days_until_due_required"

    def test_delete_draft(self, tenant: Tenant) -> None:
        inv = f.draft(tenant)
        r = tenant.delete(f"/v1/invoices/{inv['id']}")
        assert r.json() == {"id": inv["id"], "object": "invoice", "deleted": True}
        assert tenant.get(f"/v1/invoices/{inv['id']}").status_code == 404


class TestFinalize:
    def test_finalize_assigns_number_and_freezes(self, tenant: Tenant) -> None:
        inv = f.open_invoice(tenant)
        assert inv["status"] == "open"
        assert inv["payment_state"] == "unpaid"
        assert inv["number"].startswith("INV-")
        assert inv["number"].endswith("000001")
        assert inv["finalized_at"] is not None
        r = tenant.post(f"/v1/invoices/{inv['id']}", {"memo": "late edit"})
        assert r.status_code == 409
        assert r.json()["error"]["code"] == "invoice_not_editable"
        r = tenant.post(f"/v1/invoices/{inv['id']}/lines", {"lines": [{"unit_amount": 1}]})
        assert r.status_code == 409
        r = tenant.post(f"/v1/invoices/{inv['id']}/finalize")
        assert r.status_code == 409

    def test_tax_rate_snapshot(self, tenant: Tenant) -> None:
        rate = f.tax_rate(tenant, "20")
        inv = f.open_invoice(tenant, default_tax_rates=[rate["id"]])
        tenant.ok("POST", f"/v1/tax_rates/{rate['id']}", {"display_name": "Renamed"})
        again = tenant.ok("GET", f"/v1/invoices/{inv['id']}")
        assert again["total_taxes"][0]["display_name"] == "VAT"
        assert again["total_taxes"][0]["percentage"] == "20"

    def test_numbers_are_sequential(self, tenant: Tenant) -> None:
        numbers = [f.open_invoice(tenant)["number"] for _ in range(3)]
        assert [n[-6:] for n in numbers] == ["000001", "000002", "000003"]

    def test_empty_invoice_cannot_finalize(self, tenant: Tenant) -> None:
        inv = f.draft(tenant, lines=[])
        r = tenant.post(f"/v1/invoices/{inv['id']}/finalize")
        assert r.status_code == 409
        assert r.json()["error"]["code"] == "invoice_no_lines"


class TestSettlement:
    def test_partial_payments_then_paid(self, tenant: Tenant) -> None:
        inv = f.open_invoice(tenant)
        p1 = tenant.ok("POST", "/v1/payments", {"invoice": inv["id"], "amount": 4000})
        assert p1["amount"] == 4000
        mid = tenant.ok("GET", f"/v1/invoices/{inv['id']}")
        assert mid["payment_state"] == "partially_paid"
        assert mid["amount_due"] == 6000
        r = tenant.post("/v1/payments", {"invoice": inv["id"], "amount": 6001})
        assert r.status_code == 422
        assert r.json()["error"]["code"] == "amount_exceeds_due"
        tenant.ok("POST", "/v1/payments", {"invoice": inv["id"], "amount": 6000})
        paid = tenant.ok("GET", f"/v1/invoices/{inv['id']}")
        assert paid["status"] == "paid"
        assert paid["amount_due"] == 0
        assert paid["payment_state"] == "paid"
        listed = tenant.ok("GET", f"/v1/payments?invoice={inv['id']}")
        assert len(listed["data"]) == 2
        assert tenant.post(f"/v1/invoices/{inv['id']}/void").status_code == 409

    def test_pay_endpoint(self, tenant: Tenant) -> None:
        inv = f.open_invoice(tenant)
        paid = tenant.ok("POST", f"/v1/invoices/{inv['id']}/pay")
        assert paid["status"] == "paid"
        assert paid["amount_paid"] == 10000

    def test_void_and_uncollectible(self, tenant: Tenant) -> None:
        inv = f.open_invoice(tenant)
        unc = tenant.ok("POST", f"/v1/invoices/{inv['id']}/mark_uncollectible")
        assert unc["status"] == "uncollectible"
        void = tenant.ok("POST", f"/v1/invoices/{inv['id']}/void")
        assert void["status"] == "void"
        r = tenant.post(f"/v1/invoices/{inv['id']}/pay")
        assert r.status_code == 409

    def test_send(self, tenant: Tenant) -> None:
        inv = f.draft(tenant, collection_method="send_invoice", days_until_due=14)
        sent = tenant.ok("POST", f"/v1/invoices/{inv['id']}/send")
        assert sent["status"] == "open"
        assert sent["sent_at"] is not None
        assert sent["due_date"] == sent["finalized_at"] + 14 * 86400


class TestCreditNotes:
    def test_pre_payment_credit_reduces_due(self, tenant: Tenant) -> None:
        inv = f.open_invoice(tenant)
        cn = tenant.ok("POST", "/v1/credit_notes", {"invoice": inv["id"], "amount": 2500})
        assert cn["type"] == "pre_payment"
        assert cn["number"].startswith("CN-")
        after = tenant.ok("GET", f"/v1/invoices/{inv['id']}")
        assert after["amount_due"] == 7500
        assert after["amount_credited"] == 2500
        r = tenant.post("/v1/credit_notes", {"invoice": inv["id"], "amount": 7501})
        assert r.status_code == 422
        tenant.ok("POST", "/v1/credit_notes", {"invoice": inv["id"], "amount": 7500})
        done = tenant.ok("GET", f"/v1/invoices/{inv['id']}")
        assert done["status"] == "paid"
        assert done["payment_state"] == "credited"

    def test_credit_by_lines_and_void(self, tenant: Tenant) -> None:
        rate = f.tax_rate(tenant, "10")
        inv = f.open_invoice(tenant, default_tax_rates=[rate["id"]])
        line = inv["lines"]["data"][0]
        cn = tenant.ok("POST", "/v1/credit_notes", {
            "invoice": inv["id"], "lines": [{"invoice_line": line["id"], "quantity": "1"}]})
        assert cn["amount"] == 5500
        assert cn["tax_amount"] == 500
        voided = tenant.ok("POST", f"/v1/credit_notes/{cn['id']}/void")
        assert voided["status"] == "void"
        assert tenant.ok("GET", f"/v1/invoices/{inv['id']}")["amount_due"] == 11000

    def test_post_payment_credit(self, tenant: Tenant) -> None:
        inv = f.open_invoice(tenant)
        tenant.ok("POST", f"/v1/invoices/{inv['id']}/pay")
        cn = tenant.ok("POST", "/v1/credit_notes", {"invoice": inv["id"], "amount": 10000})
        assert cn["type"] == "post_payment"
        r = tenant.post("/v1/credit_notes", {"invoice": inv["id"], "amount": 1})
        assert r.status_code == 422

    def test_draft_cannot_be_credited(self, tenant: Tenant) -> None:
        inv = f.draft(tenant)
        r = tenant.post("/v1/credit_notes", {"invoice": inv["id"], "amount": 1})
        assert r.status_code == 409


class TestEvents:
    def test_every_change_writes_an_event(self, tenant: Tenant) -> None:
        inv = f.open_invoice(tenant)
        tenant.ok("POST", f"/v1/invoices/{inv['id']}/pay")
        types = [e["type"] for e in tenant.ok("GET", f"/v1/events?object_id={inv['id']}")["data"]]
        assert types == ["invoice.paid", "invoice.payment_succeeded", "invoice.finalized",
                         "invoice.created"]
        event = tenant.ok("GET", "/v1/events?type=invoice.paid")["data"][0]
        assert tenant.ok("GET", f"/v1/events/{event['id']}")["data"]["object"]["status"] == "paid"
