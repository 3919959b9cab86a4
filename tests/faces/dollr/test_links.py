"""Dollr's payment links: GET /v1/links/pay and /v1/links/receipt lead to Folio's hosted
invoice page, which pays through the same ledger."""

from __future__ import annotations

from tests.conftest import Tenant
from tests.faces.dollr.support import Dollr


def test_pay_link_of_a_published_invoice_opens_the_hosted_page(tenant: Tenant) -> None:
    d = Dollr.with_key(tenant)
    inv = d.invoice()
    idle = d.call("GET", "/v1/links/pay", source_type="INVOICE", source_number="nope")
    assert idle.status_code == 404
    published = d.ok("PUT", f"/v1/invoices/publish/{inv['id']}")
    number = published["invoice_number"]
    url = d.ok("GET", "/v1/links/pay", source_type="INVOICE", source_number=number)["url"]
    path = "/i/" + url.rsplit("/i/", 1)[1]
    page = tenant.client.get(path)
    assert page.status_code == 200
    assert f"Invoice {number}" in page.text

    not_paid = d.call("GET", "/v1/links/receipt", source_type="INVOICE", source_number=number)
    assert not_paid.status_code == 422
    paid = tenant.client.post(f"{path}/pay", follow_redirects=False, data={
        "card_number": "4242424242424242", "card_exp": "12/39", "card_cvc": "123",
        "attempt": "dollr-1"})
    assert paid.headers["location"].endswith("payment=succeeded")
    assert d.ok("GET", f"/v1/invoices/retrieve/{inv['id']}")["status"] == "PAID"
    receipt = d.ok("GET", "/v1/links/receipt", source_type="INVOICE", source_number=number)
    assert receipt["url"] == url


def test_links_refuse_other_source_types_and_canceled_invoices(tenant: Tenant) -> None:
    d = Dollr.with_key(tenant)
    inv = d.invoice()
    number = d.ok("PUT", f"/v1/invoices/publish/{inv['id']}")["invoice_number"]
    order = d.call("GET", "/v1/links/pay", source_type="ORDER", source_number=number)
    assert order.status_code == 422
    d.ok("DELETE", f"/v1/invoices/cancel/{inv['id']}")
    canceled = d.call("GET", "/v1/links/pay", source_type="INVOICE", source_number=number)
    assert canceled.status_code == 422
    assert "CANCELED" in canceled.text
