"""How the view model represents Folio's invoices in EN 16931 terms."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from folio.documents.build import invoice_document
from folio.documents.build_credit import credit_note_document
from folio.documents.model import DocumentKind
from folio.domain.calculation import DiscountSpec
from folio.domain.errors import Conflict
from tests.unit.documents import scenarios
from tests.unit.documents.support import (
    InvoiceSpec,
    LineSpec,
    q,
    rate,
    stored_credit_note,
    stored_invoice,
)


def test_discounts_split_into_line_and_document_allowances() -> None:
    src = scenarios.invoice("eur_tax_mix")
    doc = invoice_document(src)
    line_level = sum(a.amount for x in doc.lines for a in x.allowances)
    assert line_level == 3600  # 10 % of 3 x 120.00
    assert line_level + doc.totals.allowance_total == src.discount_total
    # one document allowance per VAT category and rate the invoice discounts touched
    keys = [a.tax.key for a in doc.allowances if a.tax]
    assert len(keys) == len(set(keys)) == 5
    for line, stored in zip(doc.lines, src.lines, strict=True):
        assert (line.amount, line.discount_amount, line.tax_amount) == (
            stored.amount, stored.discount_amount, stored.tax_amount)
        assert line.net_amount == line.amount - sum(a.amount for a in line.allowances)
    first = doc.lines[0]
    assert first.unit_code == "HUR"
    assert doc.lines[1].unit_code == "C62"
    assert first.allowances[0].percent == Decimal(10)


def test_inclusive_line_is_net_of_tax_exactly() -> None:
    doc = invoice_document(scenarios.invoice("eur_inclusive"))
    line = doc.lines[0]
    assert line.tax_inclusive
    assert line.allowances == ()
    assert line.net_amount == line.amount - line.discount_amount - line.tax_amount
    assert line.invoiced_quantity * line.net_price / line.base_quantity == line.net_amount
    assert line.taxes[0].taxable_amount == line.net_amount


def test_a_line_taking_money_off_has_a_negative_quantity_and_a_positive_price() -> None:
    doc = invoice_document(scenarios.invoice("eur_inclusive"))
    credit = doc.lines[2]
    assert credit.unit_price == -500
    assert credit.invoiced_quantity == -1
    assert credit.net_price == 500
    assert credit.net_amount == -500


def test_stored_amounts_that_differ_from_their_calculation_are_refused() -> None:
    src = scenarios.invoice("eur_tax_mix")
    tampered = replace(src, lines=(replace(src.lines[0], amount=src.lines[0].amount + 1),
                                   *src.lines[1:]))
    with pytest.raises(Conflict) as caught:
        invoice_document(tampered)
    assert caught.value.code == "document_inconsistent"


def test_charged_automatically_is_due_when_issued() -> None:
    src = replace(scenarios.invoice("eur_tax_mix"), due_date=None, collected_automatically=True)
    doc = invoice_document(src)
    assert doc.due_date == doc.issue_date


def test_credit_by_amount_splits_over_the_invoice_categories() -> None:
    notes = scenarios.credit_notes()
    doc = notes["eur_by_amount"]
    assert doc.kind is DocumentKind.CREDIT_NOTE
    assert doc.type_code == "381"
    assert sum(x.net_amount for x in doc.lines) == doc.totals.tax_exclusive
    assert {x.tax.code for x in doc.lines if x.tax} == {"S", "Z", "E", "AE"}
    assert doc.payment is None
    assert doc.payment_terms == "Deducted from what is due on invoice INV-2026-000001."
    assert doc.notes == ("Two hours less than invoiced.", "Reason: order change")
    assert notes["eur_by_lines"].payment_terms.startswith("Owed back")  # type: ignore[union-attr]


def test_credited_lines_keep_their_invoice_line() -> None:
    doc = scenarios.credit_notes()["eur_by_lines"]
    invoice = invoice_document(scenarios.invoice("eur_tax_mix"))
    first, books = doc.lines
    assert first.name == invoice.lines[0].name
    assert first.unit_code == "HUR"  # credited by quantity: the line's unit
    assert first.tax == invoice.lines[0].tax
    assert books.name == "Returned books"
    assert books.tax == invoice.lines[2].tax
    zero = scenarios.credit_notes()["eur_zero_rated"].lines[0]
    assert zero.tax is not None
    assert (zero.tax.code, zero.tax.rate) == ("Z", 0)


def test_credit_of_an_untaxed_invoice_line_has_no_category() -> None:
    src = stored_invoice(InvoiceSpec(lines=[LineSpec(q("1"), q("1000"))]))
    note = credit_note_document(stored_credit_note(src, 500, 0))
    assert note.lines[0].tax is None


def test_invoice_discount_on_inclusive_lines_stays_in_their_net_amount() -> None:
    spec = InvoiceSpec(lines=[LineSpec(q("1"), q("11900"), (rate("S", "19", True),))],
                       discounts=(DiscountSpec(amount_off=1190),))
    doc = invoice_document(stored_invoice(spec))
    assert doc.allowances == ()
    assert doc.lines[0].net_amount == 9000
    assert doc.totals.tax_total == 1710
    assert doc.totals.payable == 10710
