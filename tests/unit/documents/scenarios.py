"""A fixed set of invoices and credit notes over several currencies, tax mixes and
discounts: what the round-trip, XSD and business-rule tests run over."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from folio.documents.build import invoice_document
from folio.documents.build_credit import credit_note_document
from folio.documents.model import Document
from folio.documents.sources import StoredCreditLine, StoredInvoice, StoredTax
from folio.domain.calculation import DiscountSpec
from folio.domain.money import RoundingMode, round_minor
from tests.unit.documents.support import (
    SELLER,
    InvoiceSpec,
    LineSpec,
    q,
    rate,
    stored_credit_note,
    stored_invoice,
)

S19, S7, Z0, E0, AE0 = rate("S", "19"), rate("S", "7"), rate("Z", "0"), rate("E", "0"), \
    rate("AE", "0")
S19_INCL, S10, NOT_SUBJECT = rate("S", "19", inclusive=True), rate("S", "10"), rate("O", "0")
TEN_PERCENT = DiscountSpec(percent_off=q("10"))

INVOICES: dict[str, InvoiceSpec] = {
    # standard + zero + exempt + reverse charge, line and invoice discounts
    "eur_tax_mix": InvoiceSpec(
        lines=[LineSpec(q("3"), q("12000"), (S19,), (TEN_PERCENT,), unit_code="HUR"),
               LineSpec(q("2"), q("4999"), (S7,)),
               LineSpec(q("1"), q("25000"), (Z0,), description="Books"),
               LineSpec(q("1"), q("7000"), (E0,), description="Training (exempt)"),
               LineSpec(q("4"), q("1250"), (AE0,), description="Licences (reverse charge)")],
        discounts=(DiscountSpec(amount_off=1999), TEN_PERCENT)),
    # tax included in the prices, a credit line taking money off, a fractional unit price
    "eur_inclusive": InvoiceSpec(
        lines=[LineSpec(q("3"), q("1999"), (S19_INCL,), (TEN_PERCENT,)),
               LineSpec(q("0.000125"), q("1000000"), (S19,), description="API calls"),
               LineSpec(q("1"), q("-500"), (S19,), description="Goodwill credit"),
               LineSpec(q("7"), q("333"), (S19_INCL,))],
        discounts=(DiscountSpec(amount_off=100),), rounding=RoundingMode.HALF_EVEN),
    "jpy_mix": InvoiceSpec(
        currency="jpy",
        lines=[LineSpec(q("3"), q("1001"), (S10,)), LineSpec(q("1"), q("45000"), (Z0,)),
               LineSpec(q("2"), q("3333"), (rate("S", "8"),), (TEN_PERCENT,))],
        discounts=(DiscountSpec(amount_off=7),)),
    # three decimals whose amounts all end in 0: EN 16931 allows two decimals
    "kwd_whole": InvoiceSpec(
        currency="kwd", lines=[LineSpec(q("2"), q("12000"), (rate("S", "5"),)),
                               LineSpec(q("1"), q("7500"), (Z0,))]),
    # fils: exact in the XML, refused by the decimal rules (BR-DEC-…)
    "kwd_fils": InvoiceSpec(
        currency="kwd", lines=[LineSpec(q("3"), q("1234"), (rate("S", "5"),)),
                               LineSpec(q("1"), q("999"), (E0,))]),
    "not_subject": InvoiceSpec(
        lines=[LineSpec(q("1"), q("50000"), (NOT_SUBJECT,)),
               LineSpec(q("2"), q("1500"), (NOT_SUBJECT,))],
        extra={"seller": replace(SELLER, vat_id=None)}),
}

def invoice(name: str) -> StoredInvoice:
    src = stored_invoice(INVOICES[name])
    if name == "not_subject":  # no VAT ids at all (BR-O-02)
        src = replace(src, buyer=replace(src.buyer, vat_id=None))
    return src


def _share(amount: int, part: int, whole: int) -> int:
    """The credit note service's proportional tax (round half up)."""
    return round_minor(Decimal(amount) * part / whole, RoundingMode.HALF_UP)


def credit_notes() -> dict[str, Document]:
    """Credit notes as the credit note service stores them."""
    mix = invoice("eur_tax_mix")
    by_amount = 12345
    jpy = invoice("jpy_mix")
    first, second = mix.lines[0], mix.lines[2]
    gross = first.amount - first.discount_amount + first.tax_amount
    part = gross // 3  # one of three hours
    part_tax = _share(part, first.tax_amount, gross)
    chosen = StoredTax(rate_id="txr_s7", name="VAT 7%", percentage=q("7"), inclusive=True,
                       category="S", taxable_amount=935, amount=65)
    return {
        "eur_by_amount": credit_note_document(stored_credit_note(
            mix, by_amount, _share(by_amount, mix.tax_total, mix.total))),
        "eur_by_lines": credit_note_document(stored_credit_note(
            mix, part + 5000, part_tax, after_payment=True, lines=(
                StoredCreditLine(first.id, None, q("1"), part, part_tax),
                StoredCreditLine(second.id, "Returned books", None, 5000, 0)))),
        "eur_chosen_rate": credit_note_document(stored_credit_note(mix, 1000, 65, lines=(
            StoredCreditLine(None, None, None, 1000, 65, (chosen,)),))),
        "eur_zero_rated": credit_note_document(stored_credit_note(mix, 800, 0, lines=(
            StoredCreditLine(first.id, None, None, 800, 0, ()),))),
        "jpy_by_amount": credit_note_document(stored_credit_note(
            jpy, 5000, _share(5000, jpy.tax_total, jpy.total))),
    }


def invoice_documents() -> dict[str, Document]:
    return {name: invoice_document(invoice(name)) for name in INVOICES}
