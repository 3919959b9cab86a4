"""Stored invoices and credit notes made the way Folio makes them: the amounts come from the
one calculation path (domain.calculation), so the documents built from them are what an
invoice of the same inputs would give."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from folio.documents.model import (
    Address,
    Balance,
    ElectronicAddress,
    Party,
    PaymentInstructions,
)
from folio.documents.sources import (
    StoredCreditLine,
    StoredCreditNote,
    StoredInvoice,
    StoredLine,
    StoredTax,
)
from folio.domain.calculation import (
    DiscountSpec,
    InvoiceInput,
    LineInput,
    TaxRateSpec,
    calculate,
)
from folio.domain.money import RoundingMode

SELLER = Party(
    name="Folio Test GmbH", trading_name="Folio Test",
    address=Address(line1="Hauptstrasse 1", city="Berlin", postal_code="10115", country="DE"),
    vat_id="DE136695976", legal_registration_id="HRB 12345", email="billing@folio.test",
    electronic_address=ElectronicAddress("9930", "DE136695976"))
BUYER = Party(
    name="Acheteur SARL", address=Address(line1="1 rue de la Paix", city="Paris",
                                          postal_code="75002", country="FR"),
    vat_id="FR40303265045", email="compta@acheteur.test",
    electronic_address=ElectronicAddress("EM", "compta@acheteur.test"))
PAYMENT = PaymentInstructions(means_code="58", iban="DE89370400440532013000",
                              bic="COBADEFFXXX", account_name="Folio Test GmbH",
                              remittance="INV-1")

EXEMPTION = {"E": ("Exempt under Article 132 of Directive 2006/112/EC", "VATEX-EU-132"),
             "AE": ("Reverse charge", "VATEX-EU-AE"), "G": ("Export", "VATEX-EU-G"),
             "O": ("Not subject to VAT", "VATEX-EU-O"),
             "K": ("Intra-community supply", "VATEX-EU-IC")}


def rate(category: str = "S", percentage: str = "19", inclusive: bool = False,
         rate_id: str | None = None) -> TaxRateSpec:
    reason, code = EXEMPTION.get(category, (None, None))
    return TaxRateSpec(id=rate_id or f"txr_{category}_{percentage}_{int(inclusive)}",
                       percentage=Decimal(percentage), inclusive=inclusive,
                       display_name=f"VAT {category} {percentage}%", category=category,
                       exemption_reason=reason, exemption_reason_code=code)


@dataclass(frozen=True)
class LineSpec:
    quantity: Decimal
    unit_amount: Decimal
    rates: tuple[TaxRateSpec, ...] = ()
    discounts: tuple[DiscountSpec, ...] = ()
    description: str | None = "Consulting"
    unit_code: str | None = None


@dataclass
class InvoiceSpec:
    lines: list[LineSpec]
    currency: str = "eur"
    discounts: tuple[DiscountSpec, ...] = ()
    rounding: RoundingMode = RoundingMode.HALF_UP
    extra: dict[str, object] = field(default_factory=dict)
    credit_balance: int = 0  # customer credit offered (applied up to what the total holds)


def stored_invoice(spec: InvoiceSpec, number: str = "INV-2026-000001") -> StoredInvoice:
    totals = calculate(InvoiceInput(
        currency=spec.currency, rounding=spec.rounding, discounts=spec.discounts,
        credit_balance=spec.credit_balance,
        lines=tuple(LineInput(quantity=x.quantity, unit_amount=x.unit_amount, tax_rates=x.rates,
                              discounts=x.discounts) for x in spec.lines)))
    lines = tuple(
        StoredLine(
            id=f"il_{i}", description=x.description, quantity=x.quantity,
            unit_amount=x.unit_amount, unit_code=x.unit_code, amount=r.amount,
            discount_amount=r.discount_amount, tax_amount=r.tax_amount, discounts=x.discounts,
            taxes=tuple(StoredTax(rate_id=t.rate.id, name=t.rate.display_name,
                                  percentage=t.rate.percentage, inclusive=t.rate.inclusive,
                                  category=t.rate.category, taxable_amount=t.taxable_amount,
                                  amount=t.amount, exemption_reason=t.rate.exemption_reason,
                                  exemption_reason_code=t.rate.exemption_reason_code)
                        for t in r.taxes), credit_amount=r.credit_amount)
        for i, (x, r) in enumerate(zip(spec.lines, totals.lines, strict=True)))
    invoice = StoredInvoice(
        id="in_test", status="open", livemode=False, number=number,
        issue_date=date(2026, 11, 22), due_date=date(2026, 12, 22), currency=spec.currency,
        rounding=spec.rounding, seller=SELLER, buyer=BUYER, lines=lines,
        subtotal=totals.subtotal, discount_total=totals.discount_total,
        tax_total=totals.tax_total, total=totals.total,
        balance=Balance(amount_paid=0, amount_credited=0, amount_due=totals.total),
        discounts=spec.discounts, payment=PAYMENT, buyer_reference="PO-4711",
        notes=("Thank you for your business.",), credit_applied=totals.credit_applied)
    return replace(invoice, **spec.extra)  # type: ignore[arg-type]


def stored_credit_note(invoice: StoredInvoice, amount: int, tax_amount: int,
                       lines: tuple[StoredCreditLine, ...] = (), after_payment: bool = False,
                       ) -> StoredCreditNote:
    return StoredCreditNote(
        id="cn_test", status="issued", livemode=False, number="CN-2026-000001",
        issue_date=date(2026, 11, 23), currency=invoice.currency, amount=amount,
        tax_amount=tax_amount, after_payment=after_payment, invoice=invoice, lines=lines,
        reason="order_change", memo="Two hours less than invoiced.")


def q(text: str) -> Decimal:
    return Decimal(text)
