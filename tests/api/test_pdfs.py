"""PDFs over HTTP: /v1 invoice and credit note PDFs, Factur-X, account branding, the
hosted page's download, and Commet's signed download links."""

from __future__ import annotations

import base64
from io import BytesIO
from typing import Any
from urllib.parse import urlparse

import pytest
from facturx import get_facturx_xml_from_pdf, get_level, xml_check_xsd
from lxml import etree
from pypdf import PdfReader

from folio.db.engine import Database
from folio.services import pdf_links
from folio.services.pdf_links import LINK_LIFETIME
from tests.api.test_einvoices import buyer, finalized, mixed_invoice, seller
from tests.conftest import SECRET, Tenant
from tests.faces.commet.helpers import commet
from tests.unit.documents.pdf_support import declares_pdfa3b, png, text_of

SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="40" '
       b'height="20"><rect width="40" height="20" fill="#c00"/></svg>')


def pdf_of(response: Any) -> str:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert declares_pdfa3b(response.content)
    return text_of(response.content)


def credit_note(t: Tenant, invoice: dict[str, Any]) -> dict[str, Any]:
    return t.ok("POST", "/v1/credit_notes", {"invoice": invoice["id"], "amount": 1000,
                                             "reason": "order_change"})


class TestInvoicePdf:
    def test_a_finalized_invoice_in_its_customers_language(self, tenant: Tenant) -> None:
        seller(tenant)
        invoice = finalized(tenant, [{"description": "Beratung", "quantity": "2",
                                      "unit_amount": 12345}],
                            customer=buyer(tenant, locale="de"))
        response = tenant.get(f"/v1/invoices/{invoice['id']}/pdf")
        text = pdf_of(response)
        assert invoice["number"] in text
        assert "Rechnung" in text
        assert "Beratung" in text
        assert "246,90 €" in text
        assert "DE89 3704 0044 0532 0130 00" in text  # payment instructions
        assert f'filename="{invoice["number"]}.pdf"' in response.headers["content-disposition"]

    def test_a_draft_is_marked_as_a_draft(self, tenant: Tenant) -> None:
        seller(tenant)
        draft = tenant.ok("POST", "/v1/invoices", {"customer": buyer(tenant), "lines": [
            {"description": "Work", "unit_amount": 100}]})
        text = pdf_of(tenant.get(f"/v1/invoices/{draft['id']}/pdf"))
        assert "DRAFT" in text
        assert "not a valid invoice" in text

    def test_payments_show_on_the_pdf(self, tenant: Tenant) -> None:
        invoice = mixed_invoice(tenant)
        tenant.ok("POST", f"/v1/invoices/{invoice['id']}/pay")
        text = pdf_of(tenant.get(f"/v1/invoices/{invoice['id']}/pdf"))
        assert "PAID" in text
        assert "Amount paid" in text

    def test_customer_credit_applied_before_tax(self, tenant: Tenant) -> None:
        """An invoice drawing on the customer's credit balance has a PDF and valid
        e-invoices: the credit is a document-level allowance per VAT category."""
        seller(tenant)
        rate = tenant.ok("POST", "/v1/tax_rates", {"display_name": "VAT", "percentage": "19",
                                                   "inclusive": False, "category": "S"})["id"]
        customer = buyer(tenant)
        tenant.ok("POST", f"/v1/customers/{customer}/credit_grants",
                  {"amount": 5000, "currency": "eur"})
        draft = tenant.ok("POST", "/v1/invoices", {
            "customer": customer, "apply_credit_balance": True, "reference": "PO-1",
            "collection_method": "send_invoice", "days_until_due": 30,
            "lines": [{"description": "Consulting", "unit_amount": 12000,
                       "tax_rates": [rate]}]})
        invoice = tenant.ok("POST", f"/v1/invoices/{draft['id']}/finalize")
        assert invoice["credit_applied"] == 5000
        text = pdf_of(tenant.get(f"/v1/invoices/{invoice['id']}/pdf"))
        assert "Credit applied \u2212€50.00" in text
        assert "€83.30" in text  # (120 - 50) * 1.19
        for fmt, flavor in (("cii", "factur-x"), ("ubl", "ubl-2.1-invoice")):
            response = tenant.get(f"/v1/invoices/{invoice['id']}/einvoice", format=fmt)
            assert response.status_code == 200, response.text
            assert xml_check_xsd(response.content, flavor=flavor,
                                 **({"level": "en16931"} if fmt == "cii" else {}))
            assert b"Customer credit" in response.content

    def test_a_credit_note(self, tenant: Tenant) -> None:
        note = credit_note(tenant, mixed_invoice(tenant))
        text = pdf_of(tenant.get(f"/v1/credit_notes/{note['id']}/pdf"))
        assert "Credit note" in text
        assert note["number"] in text

    def test_another_tenants_documents_are_missing(self, tenant: Tenant,
                                                   other_tenant: Tenant) -> None:
        invoice = mixed_invoice(tenant)
        note = credit_note(tenant, invoice)
        for path in (f"/v1/invoices/{invoice['id']}/pdf", f"/v1/credit_notes/{note['id']}/pdf",
                     f"/v1/invoices/{invoice['id']}/einvoice?format=facturx"):
            assert other_tenant.get(path).status_code == 404
            assert tenant.get(path, live=True).status_code == 404  # the other mode
        assert tenant.get("/v1/invoices/in_missing/pdf").status_code == 404


class TestFacturX:
    def test_the_cii_is_embedded_in_the_pdfa3(self, tenant: Tenant) -> None:
        invoice = mixed_invoice(tenant)
        response = tenant.get(f"/v1/invoices/{invoice['id']}/einvoice", format="facturx")
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/pdf"
        assert declares_pdfa3b(response.content)
        _, xml = get_facturx_xml_from_pdf(response.content, check_xsd=False)
        assert xml_check_xsd(xml, flavor="factur-x", level="en16931")
        assert get_level(etree.fromstring(xml)) == "en16931"
        assert invoice["number"].encode() in xml
        assert "Amount due" in text_of(response.content)

    def test_a_credit_note_and_a_draft(self, tenant: Tenant, db: Database) -> None:
        invoice = mixed_invoice(tenant)
        note = credit_note(tenant, invoice)
        response = tenant.get(f"/v1/credit_notes/{note['id']}/einvoice", format="facturx")
        assert response.status_code == 200, response.text
        _, xml = get_facturx_xml_from_pdf(response.content, check_xsd=False)
        assert b"<ram:TypeCode>381</ram:TypeCode>" in xml
        draft = tenant.ok("POST", "/v1/invoices", {"customer": buyer(tenant), "lines": [
            {"description": "Work", "unit_amount": 100}]})
        response = tenant.get(f"/v1/invoices/{draft['id']}/einvoice", format="facturx")
        assert response.status_code == 409


class TestBranding:
    def test_logo_and_colour_are_stored_and_drawn(self, tenant: Tenant) -> None:
        logo = png(64, 32)
        account = seller(tenant, logo=base64.b64encode(logo).decode(), brand_color="#AA3300")
        assert account["logo"] == {"media_type": "image/png", "size": len(logo)}
        assert account["brand_color"] == "#aa3300"
        invoice = finalized(tenant, [{"description": "Work", "unit_amount": 100}])
        pdf = tenant.get(f"/v1/invoices/{invoice['id']}/pdf").content
        resources = PdfReader(BytesIO(pdf)).pages[0]["/Resources"]
        assert resources.get("/XObject")  # the logo
        account = seller(tenant, logo=base64.b64encode(SVG).decode())
        assert account["logo"]["media_type"] == "image/svg+xml"
        assert tenant.ok("POST", "/v1/account", {"logo": None})["logo"] is None

    @pytest.mark.parametrize(("fields", "code"), [
        ({"logo": "not base64!"}, "logo_invalid"),
        ({"logo": base64.b64encode(b"GIF89a....").decode()}, "logo_invalid"),
        ({"logo": base64.b64encode(b"<html><body/></html>").decode()}, "logo_invalid"),
        ({"logo": base64.b64encode(b"\x89PNG\r\n\x1a\nbroken").decode()}, "logo_invalid"),
        ({"logo": "A" * 400_000}, "parameter_invalid"),
        ({"logo": base64.b64encode(b"<svg xmlns='http://www.w3.org/2000/svg'>"
                                   + b" " * 262_144 + b"</svg>").decode()[:349_532]},
         "logo_too_large"),
        ({"brand_color": "red"}, "parameter_invalid"),
    ])
    def test_bad_branding_is_refused(self, tenant: Tenant, fields: dict[str, Any],
                                     code: str) -> None:
        response = tenant.post("/v1/account", fields)
        assert response.status_code == 400, response.text
        assert response.json()["error"]["code"] == code
        assert tenant.ok("GET", "/v1/account")["logo"] is None


class TestHostedPage:
    def test_the_page_links_its_pdf(self, tenant: Tenant) -> None:
        invoice = mixed_invoice(tenant)
        path = urlparse(invoice["hosted_invoice_url"]).path
        page = tenant.client.get(path)
        assert f'href="{path}/pdf"' in page.text
        text = pdf_of(tenant.client.get(f"{path}/pdf"))
        assert invoice["number"] in text
        assert tenant.client.get("/i/not-a-token/pdf").status_code == 404


class TestCommetDownloadLinks:
    def test_a_signed_link_serves_the_pdf_for_seven_days(self, tenant: Tenant,
                                                         db: Database) -> None:
        invoice = mixed_invoice(tenant)
        face = commet(tenant)
        for method, path in (("POST", f"/invoices/{invoice['id']}/download-links"),
                             ("GET", f"/invoices/{invoice['id']}/download")):
            data = face.ok(method, path)
            assert set(data) == {"url", "expiresAt", "object", "livemode"}
            assert data["object"] == "invoice"
            assert data["livemode"] is False
            url = urlparse(data["url"])
            assert invoice["number"] in pdf_of(tenant.client.get(url.path))
        token = url.path.rsplit("/", 1)[1]
        public_id, expires, _ = token.split(".")
        with db.transaction(write=False) as session:
            assert pdf_links.pdf_for_link(session, token, SECRET, int(expires) - 1)
            assert int(expires) - LINK_LIFETIME <= int(expires) - 1
            assert pdf_links.pdf_for_link(session, token, SECRET, int(expires)) is None
            assert pdf_links.pdf_for_link(session, token, "another secret", 0) is None
            longer = f"{public_id}.{int(expires) + 1}.{token.rsplit('.', 1)[1]}"
            assert pdf_links.pdf_for_link(session, longer, SECRET, 0) is None
        assert tenant.client.get(url.path[:-2] + "xx").status_code == 404
        for bad in ("%00.1.x", f"{public_id}%00.{expires}.{'a' * 43}", "a.b.c", "x" * 300):
            assert tenant.client.get(f"/pdf/{bad}").status_code == 404
            assert tenant.client.get(f"/i/{bad}/pdf").status_code == 404

    def test_another_tenants_invoice_is_missing(self, tenant: Tenant,
                                                other_tenant: Tenant) -> None:
        invoice = mixed_invoice(tenant)
        response = commet(other_tenant).post(f"/invoices/{invoice['id']}/download-links")
        assert response.status_code == 404
