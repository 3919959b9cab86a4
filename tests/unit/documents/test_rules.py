"""The EN 16931 business rules, one broken at a time: each names its rule and field."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from folio.documents.build import invoice_document
from folio.documents.model import (
    Address,
    Allowance,
    Document,
    DocumentReference,
    ElectronicAddress,
    Line,
    LineTax,
    Party,
    PaymentInstructions,
    Period,
    TaxCategory,
    TaxSubtotal,
)
from folio.documents.rules import Profile, validate
from tests.unit.documents import scenarios
from tests.unit.documents.support import InvoiceSpec, LineSpec, q, rate, stored_invoice

MIX = scenarios.invoice_documents()["eur_tax_mix"]
S19 = TaxCategory("S", Decimal(19))


def rules(doc: Document, profile: Profile = Profile.EN16931) -> set[tuple[str, str]]:
    return {(f.rule, f.field) for f in validate(doc, profile)}


def single(category: str, percentage: str = "0", **extra: object) -> Document:
    spec = InvoiceSpec(lines=[LineSpec(q("1"), q("10000"), (rate(category, percentage),))],
                       extra=dict(extra))
    return invoice_document(stored_invoice(spec))


def retax(doc: Document, line: int, tax: TaxCategory) -> Document:
    lines = list(doc.lines)
    old = lines[line]
    lines[line] = replace(old, taxes=(replace(old.taxes[0], category=tax),))
    return replace(doc, lines=tuple(lines))


def test_valid_documents_have_no_failures() -> None:
    assert rules(MIX, Profile.PEPPOL) == set()


class TestMandatoryFields:
    def test_header(self) -> None:
        doc = replace(MIX, number=None, issue_date=None, currency="eur", lines=(),
                      tax_breakdown=())
        found = rules(doc)
        assert {("BR-02", "number"), ("BR-03", "issue_date"), ("BR-05", "currency"),
                ("BR-16", "lines")} <= found

    @pytest.mark.parametrize(("who", "name_rule", "address_rule", "country_rule"), [
        ("seller", "BR-06", "BR-08", "BR-09"), ("buyer", "BR-07", "BR-10", "BR-11")])
    def test_parties(self, who: str, name_rule: str, address_rule: str,
                     country_rule: str) -> None:
        empty = Party(name=None, address=Address())
        found = rules(replace(MIX, **{who: empty}))
        assert {(name_rule, f"{who}.name"), (address_rule, f"{who}.address"),
                (country_rule, f"{who}.address.country")} <= found
        bad_country = replace(getattr(MIX, who), address=Address(city="Paris", country="FRA"))
        assert (country_rule, f"{who}.address.country") in rules(replace(MIX, **{who: bad_country}))

    def test_seller_identifier_and_vat_prefix(self) -> None:
        anonymous = replace(MIX.seller, vat_id=None, legal_registration_id=None,
                            tax_registration_id="12/345/67890")
        assert ("BR-CO-26", "seller.vat_id") in rules(replace(MIX, seller=anonymous))
        unprefixed = replace(MIX.buyer, vat_id="40303265045")
        assert ("BR-CO-09", "buyer.vat_id") in rules(replace(MIX, buyer=unprefixed))
        greek = replace(MIX.buyer, vat_id="EL094259216")
        assert ("BR-CO-09", "buyer.vat_id") not in rules(replace(MIX, buyer=greek))

    def test_electronic_address_needs_its_scheme(self) -> None:
        seller = replace(MIX.seller, electronic_address=ElectronicAddress("", "x"))
        assert ("BR-62", "seller.electronic_address.scheme") in rules(replace(MIX, seller=seller))

    def test_lines(self) -> None:
        line = replace(MIX.lines[0], id="", unit_code="", name=None, net_price=Decimal(-1),
                       base_quantity=Decimal(0),
                       allowances=(Allowance(amount=1, reason="", reason_code=""),),
                       period=Period(date(2026, 2, 1), date(2026, 1, 1)))
        found = rules(replace(MIX, lines=(line, *MIX.lines[1:])))
        assert {("BR-21", "lines[0].id"), ("BR-23", "lines[0].unit_code"),
                ("BR-25", "lines[0].name"), ("BR-27", "lines[0].net_price"),
                ("BR-26", "lines[0].base_quantity"), ("BR-42", "lines[0].allowances[0].reason"),
                ("BR-30", "lines[0].period.end")} <= found
        assert ("BR-23", "lines[1].unit_code") in rules(replace(
            MIX, lines=(MIX.lines[0], replace(MIX.lines[1], unit_code="hour"), *MIX.lines[2:])))

    def test_line_needs_exactly_one_vat_category(self) -> None:
        untaxed = replace(MIX.lines[0], taxes=())
        stacked = replace(MIX.lines[1], taxes=MIX.lines[1].taxes * 2)
        found = rules(replace(MIX, lines=(untaxed, stacked, *MIX.lines[2:])))
        assert {("BR-CO-04", "lines[0].tax"), ("BR-CO-04", "lines[1].tax")} <= found

    def test_document_allowance_needs_category_and_reason(self) -> None:
        allowance = Allowance(amount=MIX.allowances[0].amount, reason="", reason_code="")
        found = rules(replace(MIX, allowances=(allowance, *MIX.allowances[1:])))
        assert {("BR-32", "allowances[0].tax"), ("BR-33", "allowances[0].reason")} <= found

    def test_invoicing_period(self) -> None:
        assert ("BR-29", "period.end") in rules(replace(
            MIX, period=Period(date(2026, 2, 1), date(2026, 1, 31))))
        assert ("BR-CO-19", "period") in rules(replace(MIX, period=Period(None, None)))

    def test_payment_and_terms(self) -> None:
        no_iban = PaymentInstructions(means_code="58")
        assert ("BR-61", "payment.iban") in rules(replace(MIX, payment=no_iban))
        assert ("BR-49", "payment.means_code") in rules(
            replace(MIX, payment=PaymentInstructions(means_code="")))
        assert ("BR-CO-25", "due_date") in rules(replace(MIX, due_date=None))
        assert rules(replace(MIX, due_date=None, payment_terms="30 days net")) == set()

    def test_preceding_invoice_number(self) -> None:
        found = rules(replace(MIX, corrects=DocumentReference(None, None)))
        assert ("BR-55", "corrects.number") in found


class TestCalculationRules:
    @pytest.mark.parametrize(("field", "rule"), [
        ("line_total", "BR-CO-10"), ("allowance_total", "BR-CO-11"),
        ("charge_total", "BR-CO-12"), ("tax_exclusive", "BR-CO-13"), ("tax_total", "BR-CO-14"),
        ("tax_inclusive", "BR-CO-15"), ("payable", "BR-CO-16")])
    def test_each_total(self, field: str, rule: str) -> None:
        totals = replace(MIX.totals, **{field: getattr(MIX.totals, field) + 1})
        assert (rule, f"totals.{field}") in rules(replace(MIX, totals=totals))

    def test_vat_category_tax_amount(self) -> None:
        sub = MIX.tax_breakdown[0]
        off = replace(sub, tax_amount=sub.tax_amount + 100)  # one euro
        found = rules(replace(MIX, tax_breakdown=(off, *MIX.tax_breakdown[1:])))
        assert ("BR-CO-17", "tax_breakdown[0].tax_amount") in found
        assert ("BR-S-09", "tax_breakdown[0].tax_amount") in found
        close = replace(sub, tax_amount=sub.tax_amount + 99)
        assert ("BR-CO-17", "tax_breakdown[0].tax_amount") not in rules(
            replace(MIX, tax_breakdown=(close, *MIX.tax_breakdown[1:])))

    def test_at_least_one_breakdown(self) -> None:
        assert ("BR-CO-18", "tax_breakdown") in rules(replace(MIX, tax_breakdown=()))

    def test_three_decimal_currency_needs_whole_cents(self) -> None:
        fils = scenarios.invoice_documents()["kwd_fils"]
        assert {rule for rule, _ in rules(fils)} >= {"BR-DEC-09", "BR-DEC-13", "BR-DEC-14",
                                                     "BR-DEC-18", "BR-DEC-23"}
        assert rules(scenarios.invoice_documents()["kwd_whole"]) == set()


class TestStandardRate:
    def test_needs_a_seller_vat_id_and_a_positive_rate(self) -> None:
        anonymous = replace(MIX.seller, vat_id=None)
        assert ("BR-S-02", "seller.vat_id") in rules(replace(MIX, seller=anonymous))
        with_registration = replace(anonymous, tax_registration_id="12/345/67890")
        assert ("BR-S-02", "seller.vat_id") not in rules(replace(MIX, seller=with_registration))
        found = rules(retax(MIX, 0, TaxCategory("S", Decimal(0))))
        assert ("BR-S-05", "lines[0].tax.rate") in found

    def test_allowance_rules(self) -> None:
        allowance = replace(MIX.allowances[0], tax=TaxCategory("S", Decimal(0)))
        found = rules(replace(MIX, allowances=(allowance, *MIX.allowances[1:]),
                              seller=replace(MIX.seller, vat_id=None)))
        assert {("BR-S-06", "allowances[0].tax.rate"), ("BR-S-03", "seller.vat_id")} <= found

    def test_taxable_amount_and_no_exemption_reason(self) -> None:
        sub = MIX.tax_breakdown[0]
        wrong = replace(sub, taxable_amount=sub.taxable_amount + 1,
                        category=replace(sub.category, exemption_reason="Why"))
        found = rules(replace(MIX, tax_breakdown=(wrong, *MIX.tax_breakdown[1:])))
        assert {("BR-S-08", "tax_breakdown[0].taxable_amount"),
                ("BR-S-10", "tax_breakdown[0].category.exemption_reason")} <= found

    def test_breakdown_present(self) -> None:
        without_s = tuple(s for s in MIX.tax_breakdown if s.category.code != "S")
        assert ("BR-S-01", "tax_breakdown") in rules(replace(MIX, tax_breakdown=without_s))


@pytest.mark.parametrize(("code", "prefix"), [("Z", "BR-Z"), ("E", "BR-E"), ("AE", "BR-AE")])
class TestZeroExemptReverse:
    def test_valid(self, code: str, prefix: str) -> None:
        assert rules(single(code)) == set()

    def test_rate_must_be_zero(self, code: str, prefix: str) -> None:
        doc = retax(single(code), 0, replace(single(code).lines[0].tax, rate=Decimal(5)))  # type: ignore[type-var]
        assert (f"{prefix}-05", "lines[0].tax.rate") in rules(doc)

    def test_tax_must_be_zero(self, code: str, prefix: str) -> None:
        doc = single(code)
        sub = replace(doc.tax_breakdown[0], tax_amount=1)
        assert (f"{prefix}-09", "tax_breakdown[0].tax_amount") in rules(
            replace(doc, tax_breakdown=(sub,)))

    def test_exemption_reason(self, code: str, prefix: str) -> None:
        doc = single(code)
        sub = doc.tax_breakdown[0]
        if code == "Z":  # zero rated takes none
            given = replace(sub, category=replace(sub.category, exemption_reason="x"))
            assert (f"{prefix}-10", "tax_breakdown[0].category.exemption_reason") in rules(
                replace(doc, tax_breakdown=(given,)))
        else:  # exempt and reverse charge need one
            missing = replace(sub, category=replace(sub.category, exemption_reason=None,
                                                    exemption_reason_code=None))
            assert (f"{prefix}-10", "tax_breakdown[0].category.exemption_reason") in rules(
                replace(doc, tax_breakdown=(missing,)))

    def test_one_breakdown(self, code: str, prefix: str) -> None:
        doc = single(code)
        assert (f"{prefix}-01", "tax_breakdown") in rules(
            replace(doc, tax_breakdown=doc.tax_breakdown * 2))

    def test_seller_vat_id(self, code: str, prefix: str) -> None:
        doc = single(code)
        assert (f"{prefix}-02", "seller.vat_id") in rules(
            replace(doc, seller=replace(doc.seller, vat_id=None)))


class TestReverseCharge:
    def test_needs_the_buyer_vat_id(self) -> None:
        doc = single("AE")
        assert ("BR-AE-02", "buyer.vat_id") in rules(
            replace(doc, buyer=replace(doc.buyer, vat_id=None)))
        registered = replace(doc.buyer, vat_id=None, legal_registration_id="RCS 123")
        assert ("BR-AE-02", "buyer.vat_id") not in rules(replace(doc, buyer=registered))

    def test_a_registration_number_is_not_enough_for_the_seller(self) -> None:
        doc = single("AE")
        seller = replace(doc.seller, vat_id=None, tax_registration_id="12/345/67890")
        assert ("BR-AE-02", "seller.vat_id") in rules(replace(doc, seller=seller))


class TestOtherCategories:
    def test_not_subject_to_vat(self) -> None:
        doc = scenarios.invoice_documents()["not_subject"]
        assert rules(doc) == set()
        assert doc.tax_breakdown[0].category.rate is None
        found = rules(replace(doc, seller=replace(doc.seller, vat_id="DE136695976")))
        assert ("BR-O-02", "seller.vat_id") in found
        mixed = replace(doc, lines=(*doc.lines, MIX.lines[0]),
                        tax_breakdown=(*doc.tax_breakdown, MIX.tax_breakdown[0]))
        assert {("BR-O-11", "tax_breakdown"), ("BR-O-12", "lines[2].tax.code")} <= rules(mixed)

    def test_export_and_intra_community(self) -> None:
        assert rules(single("G")) == set()
        found = rules(single("K"))
        assert {("BR-IC-11", "period"), ("BR-IC-12", "delivery.country")} <= found

    def test_unknown_category(self) -> None:
        doc = retax(MIX, 0, TaxCategory("X", Decimal(19)))
        assert ("BR-CO-04", "lines[0].tax.code") in rules(doc)


class TestPeppol:
    def test_needs_a_reference_and_electronic_addresses(self) -> None:
        doc = replace(MIX, buyer_reference=None, order_reference=None,
                      seller=replace(MIX.seller, electronic_address=None),
                      buyer=replace(MIX.buyer, electronic_address=None))
        assert rules(doc, Profile.PEPPOL) == {
            ("PEPPOL-EN16931-R003", "buyer_reference"),
            ("PEPPOL-EN16931-R010", "buyer.electronic_address"),
            ("PEPPOL-EN16931-R020", "seller.electronic_address")}
        assert rules(doc, Profile.EN16931) == set()
        assert rules(replace(doc, buyer_reference=None, order_reference="PO-1",
                             seller=MIX.seller, buyer=MIX.buyer), Profile.PEPPOL) == set()


def test_every_failure_names_a_rule_a_field_and_a_reason() -> None:
    broken = replace(MIX, number=None, seller=Party(name=None, address=Address()),
                     lines=(Line(id="1", name=None, unit_code="", quantity=Decimal(1),
                                 unit_price=Decimal(1), amount=1, discount_amount=0,
                                 taxes=(LineTax("x", S19, False, 1, 0),), tax_amount=0,
                                 tax_inclusive=False, invoiced_quantity=Decimal(1),
                                 net_price=Decimal(1), base_quantity=Decimal(1),
                                 allowances=(), net_amount=1),),
                     tax_breakdown=(TaxSubtotal(S19, 1, 0),))
    failures = validate(broken, Profile.PEPPOL)
    assert len(failures) >= 10
    for failure in failures:
        assert failure.rule.startswith(("BR-", "PEPPOL-"))
        assert failure.field
        assert failure.message.endswith(".")
