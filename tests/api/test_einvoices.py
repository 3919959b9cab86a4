"""E-invoices over /v1: account seller details, tax categories, the UBL and CII export of
finalized invoices and issued credit notes, and accounts that require e-invoicing."""

from __future__ import annotations

from typing import Any

import pytest
from facturx import xml_check_xsd

from folio.db.engine import Database
from folio.services.context import Ctx
from folio.services.credit_notes import create_credit_note
from folio.services.inputs.payments import CreditNoteCreate
from tests.conftest import Tenant
from tests.unit.documents.xml_readers import read_cii, read_ubl

SELLER = {"legal_name": "Folio Test GmbH", "vat_id": "DE 136 695 976",
          "email": "billing@folio.test", "einvoice_address": "9930:DE136695976",
          "iban": "DE89 3704 0044 0532 0130 00", "bic": "COBADEFFXXX",
          "payment_terms": "Payable within 30 days.",
          "address": {"line1": "Hauptstrasse 1", "city": "Berlin", "postal_code": "10115",
                      "country": "de"}}
BUYER = {"name": "Acheteur SARL", "email": "compta@acheteur.test", "tax_id": "FR40303265045",
         "address": {"line1": "1 rue de la Paix", "city": "Paris", "postal_code": "75002",
                     "country": "FR"}}


def seller(t: Tenant, **fields: Any) -> dict[str, Any]:
    return t.ok("POST", "/v1/account", {**SELLER, **fields})


def buyer(t: Tenant, **fields: Any) -> str:
    return str(t.ok("POST", "/v1/customers", {**BUYER, **fields})["id"])


def tax_rate(t: Tenant, category: str, percentage: str, **fields: Any) -> str:
    return str(t.ok("POST", "/v1/tax_rates", {
        "display_name": f"VAT {category}", "percentage": percentage, "inclusive": False,
        "category": category, **fields})["id"])


def rates(t: Tenant) -> dict[str, str]:
    return {"S19": tax_rate(t, "S", "19"), "S7": tax_rate(t, "S", "7"),
            "Z": tax_rate(t, "Z", "0"),
            "E": tax_rate(t, "E", "0", exemption_reason="Exempt: Art. 132 VAT Directive"),
            "AE": tax_rate(t, "AE", "0", exemption_reason_code="VATEX-EU-AE")}


def finalized(t: Tenant, lines: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    body = {"customer": fields.pop("customer", None) or buyer(t), "currency": "eur",
            "collection_method": "send_invoice", "days_until_due": 30,
            "reference": "PO-4711", "lines": lines, **fields}
    draft = t.ok("POST", "/v1/invoices", body)
    return t.ok("POST", f"/v1/invoices/{draft['id']}/finalize")


def einvoice(t: Tenant, path: str, fmt: str) -> Any:
    return t.client.get(path, params={"format": fmt}, headers=t.headers())


def mixed_invoice(t: Tenant) -> dict[str, Any]:
    seller(t)
    r = rates(t)
    return finalized(t, [
        {"description": "Consulting", "quantity": "3", "unit_amount": 12000,
         "unit_code": "HUR", "tax_rates": [r["S19"]], "discounts": [{"percent_off": "10"}]},
        {"description": "Handbook", "quantity": "2", "unit_amount": 4999, "tax_rates": [r["S7"]]},
        {"description": "Books", "unit_amount": 25000, "tax_rates": [r["Z"]]},
        {"description": "Training", "unit_amount": 7000, "tax_rates": [r["E"]]},
        {"description": "Licences", "quantity": "4", "unit_amount": 1250,
         "tax_rates": [r["AE"]]},
    ], discounts=[{"amount_off": 1999}], po_number="ORDER-9")


def _check(content: bytes, fmt: str, credit: bool = False) -> Any:
    if fmt == "cii":
        assert xml_check_xsd(content, flavor="factur-x", level="en16931")
        return read_cii(content)[0]
    flavor = "ubl-2.1-creditnote" if credit else "ubl-2.1-invoice"
    assert xml_check_xsd(content, flavor=flavor)
    return read_ubl(content)[0]


class TestAccountSettings:
    def test_seller_details_are_validated_and_stored_compact(self, tenant: Tenant) -> None:
        account = seller(tenant)
        assert account["vat_id"] == "DE136695976"
        assert account["iban"] == "DE89370400440532013000"
        assert account["address"]["country"] == "DE"
        assert account["country"] == "DE"
        assert account["einvoice_required"] is False
        assert tenant.ok("GET", "/v1/account") == account
        event = tenant.ok("GET", "/v1/events?type=account.updated")["data"][0]
        assert event["data"]["object"]["legal_name"] == "Folio Test GmbH"
        # a VAT number without its prefix takes the address country's
        assert seller(tenant, vat_id="136695976")["vat_id"] == "DE136695976"

    @pytest.mark.parametrize(("field", "value", "status", "code"), [
        ("vat_id", "DE123", 400, "vat_id_invalid"),
        ("iban", "DE89370400440532013001", 400, "iban_invalid"),
        ("bic", "1234DEFF", 400, "bic_invalid"),
        ("einvoice_address", "no scheme", 400, "parameter_invalid"),
        ("address", {"country": "Germany"}, 400, "parameter_invalid"),
        ("einvoice_required", "sometimes", 400, "parameter_invalid"),
    ])
    def test_bad_values_change_nothing(self, tenant: Tenant, field: str, value: Any,
                                       status: int, code: str) -> None:
        before = seller(tenant)
        response = tenant.post("/v1/account", {field: value})
        assert response.status_code == status, response.text
        assert response.json()["error"]["code"] == code
        assert response.json()["error"]["param"].startswith(field)
        assert tenant.ok("GET", "/v1/account") == before

    def test_unprefixed_vat_id_without_a_country_is_refused(self, tenant: Tenant) -> None:
        response = tenant.post("/v1/account", {"vat_id": "136695976"})
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "vat_id_invalid"

    def test_customer_electronic_address(self, tenant: Tenant) -> None:
        customer = tenant.ok("POST", "/v1/customers", {**BUYER,
                                                       "einvoice_address": "0009:12345678900012"})
        assert customer["einvoice_address"] == "0009:12345678900012"
        bad = tenant.post(f"/v1/customers/{customer['id']}", {"einvoice_address": "x"})
        assert bad.status_code == 400
        assert bad.json()["error"]["param"] == "einvoice_address"


class TestTaxCategories:
    @pytest.mark.parametrize(("body", "code"), [
        ({"category": "Z", "percentage": "19"}, "tax_category_percentage_mismatch"),
        ({"category": "AE", "percentage": "7"}, "tax_category_percentage_mismatch"),
        ({"category": "S", "percentage": "19", "exemption_reason": "Why"},
         "tax_exemption_reason_not_allowed"),
        ({"category": "E", "percentage": "0", "exemption_reason_code": "vatex-eu-132"},
         "parameter_invalid"),
        ({"category": "X", "percentage": "0"}, "parameter_invalid"),
    ])
    def test_contradictions_are_refused(self, tenant: Tenant, body: dict[str, Any],
                                        code: str) -> None:
        response = tenant.post("/v1/tax_rates", {"display_name": "VAT", "inclusive": False,
                                                 **body})
        assert response.status_code == 400, response.text
        assert response.json()["error"]["code"] == code

    def test_category_and_exemption_can_be_corrected(self, tenant: Tenant) -> None:
        rate = tax_rate(tenant, "S", "0")
        updated = tenant.ok("POST", f"/v1/tax_rates/{rate}", {
            "category": "E", "exemption_reason": "Exempt", "exemption_reason_code": "VATEX-EU-F"})
        assert (updated["category"], updated["exemption_reason"],
                updated["exemption_reason_code"]) == ("E", "Exempt", "VATEX-EU-F")
        assert updated["percentage"] == "0"
        back = tenant.post(f"/v1/tax_rates/{rate}", {"category": "S"})
        assert back.status_code == 400
        assert back.json()["error"]["code"] == "tax_exemption_reason_not_allowed"
        standard = tax_rate(tenant, "S", "19")
        zero = tenant.post(f"/v1/tax_rates/{standard}", {"category": "Z"})
        assert zero.json()["error"]["code"] == "tax_category_percentage_mismatch"

    def test_exemption_is_frozen_on_the_invoice(self, tenant: Tenant) -> None:
        seller(tenant)
        rate = tax_rate(tenant, "E", "0", exemption_reason="Exempt: Art. 132")
        invoice = finalized(tenant, [{"description": "Training", "unit_amount": 7000,
                                      "tax_rates": [rate]}])
        tenant.ok("POST", f"/v1/tax_rates/{rate}", {"exemption_reason": "Changed later"})
        tax = tenant.ok("GET", f"/v1/invoices/{invoice['id']}")["total_taxes"][0]
        assert (tax["category"], tax["exemption_reason"]) == ("E", "Exempt: Art. 132")
        doc = read_cii(einvoice(tenant, f"/v1/invoices/{invoice['id']}/einvoice", "cii").content)
        assert doc[0].tax_breakdown[0].category.exemption_reason == "Exempt: Art. 132"


class TestExport:
    @pytest.mark.parametrize("fmt", ["ubl", "cii"])
    def test_mixed_invoice(self, tenant: Tenant, fmt: str) -> None:
        invoice = mixed_invoice(tenant)
        response = einvoice(tenant, f"/v1/invoices/{invoice['id']}/einvoice", fmt)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/xml")
        assert response.headers["content-disposition"] == (
            f'attachment; filename="{invoice["number"]}-{fmt}.xml"')
        doc = _check(response.content, fmt)
        assert doc.number == invoice["number"]
        assert doc.totals.payable == doc.totals.tax_inclusive == invoice["total"]
        assert doc.totals.tax_total == invoice["tax"]
        assert doc.totals.tax_exclusive == invoice["total_excluding_tax"]
        assert {s.category.code for s in doc.tax_breakdown} == {"S", "Z", "E", "AE"}
        assert len(doc.lines) == 5
        assert doc.lines[0].unit_code == "HUR"
        assert doc.seller.vat_id == "DE136695976"
        assert doc.buyer.vat_id == "FR40303265045"
        assert doc.payment is not None
        assert doc.payment.iban == "DE89370400440532013000"
        assert doc.order_reference == "ORDER-9"

    def test_default_format_is_ubl(self, tenant: Tenant) -> None:
        invoice = mixed_invoice(tenant)
        response = tenant.get(f"/v1/invoices/{invoice['id']}/einvoice")
        assert response.status_code == 200
        assert b"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" in response.content

    @pytest.mark.parametrize(("currency", "lines"), [
        ("jpy", [{"description": "Support", "quantity": "3", "unit_amount": 1001}]),
        ("kwd", [{"description": "Support", "quantity": "2", "unit_amount": 12000}]),
    ])
    def test_other_currencies(self, tenant: Tenant, currency: str,
                              lines: list[dict[str, Any]]) -> None:
        seller(tenant)
        rate = tax_rate(tenant, "S", "10" if currency == "jpy" else "5")
        invoice = finalized(tenant, lines, currency=currency, default_tax_rates=[rate])
        for fmt in ("ubl", "cii"):
            response = einvoice(tenant, f"/v1/invoices/{invoice['id']}/einvoice", fmt)
            assert response.status_code == 200, response.text
            doc = _check(response.content, fmt)
            assert doc.currency == currency.upper()
            assert doc.totals.payable == invoice["total"]
            assert doc.totals.tax_total == invoice["tax"]
            assert doc.payment is not None
            assert doc.payment.means_code == "30"  # a credit transfer, not SEPA

    def test_fils_are_refused_naming_the_decimal_rules(self, tenant: Tenant) -> None:
        seller(tenant)
        rate = tax_rate(tenant, "S", "5")
        invoice = finalized(tenant, [{"description": "x", "quantity": "3",
                                      "unit_amount": 1234}], currency="kwd",
                            default_tax_rates=[rate])
        response = einvoice(tenant, f"/v1/invoices/{invoice['id']}/einvoice", "cii")
        assert response.status_code == 422
        error = response.json()["error"]
        assert error["code"] == "einvoice_invalid"
        assert {f["rule"] for f in error["failures"]} >= {"BR-DEC-14", "BR-DEC-18"}

    @pytest.mark.parametrize("fmt", ["ubl", "cii"])
    def test_credit_notes(self, tenant: Tenant, fmt: str) -> None:
        invoice = mixed_invoice(tenant)
        by_amount = tenant.ok("POST", "/v1/credit_notes", {"invoice": invoice["id"],
                                                           "amount": 12345,
                                                           "reason": "order_change"})
        line = invoice["lines"]["data"][0]
        by_lines = tenant.ok("POST", "/v1/credit_notes", {
            "invoice": invoice["id"], "lines": [{"invoice_line": line["id"], "quantity": "1"}]})
        for note in (by_amount, by_lines):
            response = einvoice(tenant, f"/v1/credit_notes/{note['id']}/einvoice", fmt)
            assert response.status_code == 200, response.text
            doc = _check(response.content, fmt, credit=True)
            assert doc.type_code == "381"
            assert doc.number == note["number"]
            assert doc.corrects is not None
            assert doc.corrects.number == invoice["number"]
            assert doc.totals.payable == note["amount"]
            assert doc.totals.tax_total == note["tax_amount"]
            assert doc.totals.tax_exclusive == note["subtotal"]
        assert read_ubl(einvoice(tenant, f"/v1/credit_notes/{by_lines['id']}/einvoice",
                                 "ubl").content)[0].lines[0].unit_code == "HUR"

    def test_a_draft_has_no_einvoice(self, tenant: Tenant, db: Database) -> None:
        seller(tenant)
        draft = tenant.ok("POST", "/v1/invoices", {"customer": buyer(tenant), "lines": [
            {"description": "Work", "unit_amount": 100}]})
        response = einvoice(tenant, f"/v1/invoices/{draft['id']}/einvoice", "cii")
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "invoice_not_finalized"
        invoice = finalized(tenant, [{"description": "Work", "unit_amount": 100}])
        with db.transaction() as session:  # a draft credit note (the Dolfin flow)
            ctx = Ctx(session, account_id=tenant.keys.account.id, livemode=False)
            note = create_credit_note(ctx, CreditNoteCreate(invoice=invoice["id"], amount=10),
                                      draft=True).public_id
        response = einvoice(tenant, f"/v1/credit_notes/{note}/einvoice", "ubl")
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "credit_note_not_issued"

    def test_unknown_formats_are_refused(self, tenant: Tenant) -> None:
        invoice = mixed_invoice(tenant)  # Factur-X: tests/api/test_pdfs.py
        response = einvoice(tenant, f"/v1/invoices/{invoice['id']}/einvoice", "pdf")
        assert response.status_code == 400
        assert response.json()["error"]["param"] == "format"

    def test_an_invalid_document_names_every_failing_rule(self, tenant: Tenant) -> None:
        customer = tenant.ok("POST", "/v1/customers", {"name": "No Address Ltd"})["id"]
        invoice = finalized(tenant, [{"unit_amount": 100}], customer=customer, reference=None)
        response = einvoice(tenant, f"/v1/invoices/{invoice['id']}/einvoice", "ubl")
        assert response.status_code == 422
        error = response.json()["error"]
        assert error["code"] == "einvoice_invalid"
        found = {(f["rule"], f["field"]) for f in error["failures"]}
        assert {("BR-08", "seller.address"), ("BR-09", "seller.address.country"),
                ("BR-10", "buyer.address"), ("BR-11", "buyer.address.country"),
                ("BR-25", "lines[0].name"), ("BR-CO-04", "lines[0].tax"),
                ("BR-CO-26", "seller.vat_id"),
                ("PEPPOL-EN16931-R003", "buyer_reference")} <= found
        for rule, field in found:
            assert f"{rule} ({field})" in error["message"]

    def test_peppol_rules_apply_to_ubl_only(self, tenant: Tenant) -> None:
        seller(tenant)
        rate = tax_rate(tenant, "S", "19")
        invoice = finalized(tenant, [{"description": "Work", "unit_amount": 100}],
                            reference=None, default_tax_rates=[rate])
        assert einvoice(tenant, f"/v1/invoices/{invoice['id']}/einvoice", "cii"
                        ).status_code == 200
        ubl = einvoice(tenant, f"/v1/invoices/{invoice['id']}/einvoice", "ubl")
        assert ubl.status_code == 422
        assert [f["rule"] for f in ubl.json()["error"]["failures"]] == ["PEPPOL-EN16931-R003"]

    def test_the_document_never_changes_once_issued(self, tenant: Tenant) -> None:
        invoice = mixed_invoice(tenant)
        path = f"/v1/invoices/{invoice['id']}/einvoice"
        before = {fmt: einvoice(tenant, path, fmt).content for fmt in ("ubl", "cii")}
        seller(tenant, legal_name="Renamed GmbH", address={"city": "Hamburg", "country": "DE"})
        tenant.ok("POST", f"/v1/customers/{invoice['customer']}", {"name": "Renamed SARL"})
        tenant.ok("POST", "/v1/payments", {"invoice": invoice["id"], "amount": 1000})
        tenant.ok("POST", "/v1/credit_notes", {"invoice": invoice["id"], "amount": 500})
        after = {fmt: einvoice(tenant, path, fmt).content for fmt in ("ubl", "cii")}
        assert after == before

    def test_void_documents_were_issued_and_still_export(self, tenant: Tenant) -> None:
        invoice = mixed_invoice(tenant)
        note = tenant.ok("POST", "/v1/credit_notes", {"invoice": invoice["id"], "amount": 100})
        tenant.ok("POST", f"/v1/credit_notes/{note['id']}/void")
        tenant.ok("POST", f"/v1/invoices/{invoice['id']}/void")
        for path in (f"/v1/invoices/{invoice['id']}/einvoice",
                     f"/v1/credit_notes/{note['id']}/einvoice"):
            assert einvoice(tenant, path, "cii").status_code == 200

    def test_other_tenants_and_modes_get_404(self, tenant: Tenant, other_tenant: Tenant
                                             ) -> None:
        invoice = mixed_invoice(tenant)
        note = tenant.ok("POST", "/v1/credit_notes", {"invoice": invoice["id"], "amount": 100})
        for path in (f"/v1/invoices/{invoice['id']}/einvoice",
                     f"/v1/credit_notes/{note['id']}/einvoice"):
            for fmt in ("ubl", "cii", "facturx"):
                for headers in (other_tenant.headers(), tenant.headers(live=True)):
                    response = tenant.client.get(path, params={"format": fmt}, headers=headers)
                    assert response.status_code == 404, response.text
                    assert response.json()["error"]["code"] == "resource_missing"
                    assert "Acheteur" not in response.text


class TestRequiredEInvoicing:
    def test_finalize_refuses_and_changes_nothing(self, tenant: Tenant) -> None:
        seller(tenant, einvoice_required=True)
        rate = tax_rate(tenant, "S", "19")
        customer = tenant.ok("POST", "/v1/customers", {"name": "No Address Ltd"})["id"]
        draft = tenant.ok("POST", "/v1/invoices", {
            "customer": customer, "default_tax_rates": [rate],
            "lines": [{"description": "Work", "unit_amount": 10000},
                      {"unit_amount": 100, "unit_code": "HUR"}]})
        events = tenant.ok("GET", "/v1/events?limit=100")["data"]
        for action in ("finalize", "send"):
            if action == "send":
                tenant.ok("POST", f"/v1/invoices/{draft['id']}", {
                    "collection_method": "send_invoice", "days_until_due": 14})
                events = tenant.ok("GET", "/v1/events?limit=100")["data"]
            response = tenant.post(f"/v1/invoices/{draft['id']}/{action}")
            assert response.status_code == 422, response.text
            error = response.json()["error"]
            assert error["code"] == "einvoice_invalid"
            assert {(f["rule"], f["field"]) for f in error["failures"]} == {
                ("BR-10", "buyer.address"), ("BR-11", "buyer.address.country"),
                ("BR-25", "lines[1].name")}
            again = tenant.ok("GET", f"/v1/invoices/{draft['id']}")
            assert (again["status"], again["number"]) == ("draft", None)
            assert tenant.ok("GET", "/v1/events?limit=100")["data"] == events
        # fixed: the invoice is finalized with the first number of the series (no gap)
        tenant.ok("POST", f"/v1/customers/{customer}", {"address": BUYER["address"]})
        line = draft["lines"]["data"][1]["id"]
        tenant.ok("POST", f"/v1/invoices/{draft['id']}/lines/{line}", {"description": "Fee"})
        opened = tenant.ok("POST", f"/v1/invoices/{draft['id']}/finalize")
        assert opened["number"].endswith("-000001")

    def test_credit_notes_are_checked_too(self, tenant: Tenant) -> None:
        seller(tenant)
        customer = tenant.ok("POST", "/v1/customers", {"name": "No Address Ltd"})["id"]
        invoice = finalized(tenant, [{"description": "Work", "unit_amount": 10000}],
                            customer=customer)
        seller(tenant, einvoice_required=True)
        response = tenant.post("/v1/credit_notes", {"invoice": invoice["id"], "amount": 100})
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "einvoice_invalid"
        assert tenant.ok("GET", f"/v1/invoices/{invoice['id']}")["amount_credited"] == 0
        assert tenant.ok("GET", "/v1/credit_notes")["data"] == []

    def test_not_required_by_default(self, tenant: Tenant) -> None:
        customer = tenant.ok("POST", "/v1/customers", {"name": "No Address Ltd"})["id"]
        assert finalized(tenant, [{"unit_amount": 100}], customer=customer)["status"] == "open"
