"""Builds the document view model of a credit note (EN 16931 type 381). Pure.

A credit note corrects one invoice and carries its parties and references. Its amounts
are the stored ones (tax included, with the tax credited); EN 16931 wants them net and
per VAT category:
- credited lines: each becomes a line with the credited invoice line's VAT category (or
  the rate chosen for the credit, or zero rated), net = amount - tax;
- a credit by amount: the amount and its tax are split over the invoice's VAT categories
  in proportion to what the invoice charged in each (largest remainder, so the parts sum
  exactly to the stored amounts), one line per category.
"""

from __future__ import annotations

from decimal import Decimal, localcontext

from folio.documents.build import invoice_document, tax_breakdown, tax_category
from folio.documents.categories import ZERO_RATED
from folio.documents.model import (
    DEFAULT_UNIT_CODE,
    Document,
    DocumentKind,
    DocumentReference,
    Line,
    LineTax,
    TaxCategory,
    Totals,
)
from folio.documents.sources import StoredCreditLine, StoredCreditNote
from folio.domain.allocation import allocate
from folio.domain.money import format_decimal

ZERO = TaxCategory(code=ZERO_RATED, rate=Decimal(0))


def _credit_line(position: int, name: str, quantity: Decimal, unit_code: str,
                 category: TaxCategory | None, amount: int, tax: int,
                 source_line: str | None) -> Line:
    net = amount - tax
    taxes = () if category is None else (LineTax(
        name=_label(category), category=category, inclusive=True, taxable_amount=net,
        amount=tax),)
    return Line(
        id=str(position), name=name, unit_code=unit_code, quantity=quantity,
        unit_price=_per_unit(amount, quantity), amount=amount, discount_amount=0, taxes=taxes,
        tax_amount=tax, tax_inclusive=True,
        invoiced_quantity=quantity if net >= 0 else -quantity, net_price=Decimal(abs(net)),
        base_quantity=quantity, allowances=(), net_amount=net, source_line=source_line)


def _per_unit(amount: int, quantity: Decimal) -> Decimal:
    """The credited amount per unit, for people (six decimals of the minor unit)."""
    with localcontext() as context:
        context.prec = 80
        return (Decimal(amount) / quantity).quantize(Decimal("0.000001"))


def _label(category: TaxCategory) -> str:
    rate = f" {format_decimal(category.rate)}%" if category.rate is not None else ""
    return f"VAT {category.code}{rate}"


def _category_of(item: StoredCreditLine, credited: Line | None) -> TaxCategory | None:
    if item.taxes is not None:
        if not item.taxes:
            return ZERO
        return tax_category(item.taxes[0]) if len(item.taxes) == 1 else None
    return credited.tax if credited is not None else None


def _lines_by_item(src: StoredCreditNote, invoice: Document) -> tuple[Line, ...]:
    by_id = {x.source_line: x for x in invoice.lines}
    lines: list[Line] = []
    for i, item in enumerate(src.lines):
        credited = by_id.get(item.invoice_line) if item.invoice_line else None
        by_quantity = item.quantity is not None and credited is not None
        name = item.description or (credited.name if credited else None) \
            or f"Credit for invoice {invoice.number}"
        lines.append(_credit_line(
            i + 1, name, item.quantity if item.quantity is not None else Decimal(1),
            credited.unit_code if by_quantity and credited else DEFAULT_UNIT_CODE,
            _category_of(item, credited), item.amount, item.tax_amount, item.invoice_line))
    return tuple(lines)


def _lines_by_amount(src: StoredCreditNote, invoice: Document) -> tuple[Line, ...]:
    """The credited amount and its tax, split over the invoice's VAT categories."""
    groups: dict[tuple[str, Decimal | None] | None, tuple[TaxCategory | None, int, int]] = {}
    for line in invoice.lines:
        key = line.tax.key if line.tax is not None else None
        gross = line.amount - line.discount_amount + (0 if line.tax_inclusive
                                                      else line.tax_amount)
        _, charged, taxed = groups.get(key, (None, 0, 0))
        groups[key] = (line.tax, charged + gross, taxed + line.tax_amount)
    parts = list(groups.values())
    weights = [max(charged, 0) for _, charged, _ in parts]
    if sum(weights) == 0:
        weights = [1] + [0] * (len(weights) - 1)
    amounts = allocate(src.amount, weights)
    taxes = allocate(src.tax_amount, [taxed for _, _, taxed in parts]) \
        if any(taxed for _, _, taxed in parts) else [0] * len(parts)
    name = f"Credit for invoice {invoice.number}"
    lines: list[Line] = []
    for (category, _, _), amount, tax in zip(parts, amounts, taxes, strict=True):
        if amount == 0 and tax == 0:
            continue
        label = f"{name} ({_label(category)})" if len(parts) > 1 and category else name
        lines.append(_credit_line(len(lines) + 1, label, Decimal(1), DEFAULT_UNIT_CODE,
                                  category, amount, tax, None))
    return tuple(lines)


def _terms(src: StoredCreditNote, invoice: Document) -> str:
    if src.after_payment:
        return f"Owed back to the buyer for invoice {invoice.number}."
    return f"Deducted from what is due on invoice {invoice.number}."


def credit_note_document(src: StoredCreditNote) -> Document:
    invoice = invoice_document(src.invoice)
    lines = _lines_by_item(src, invoice) if src.lines else _lines_by_amount(src, invoice)
    net = src.amount - src.tax_amount
    notes = tuple(x for x in (src.memo, f"Reason: {src.reason.replace('_', ' ')}"
                              if src.reason else None) if x)
    return Document(
        kind=DocumentKind.CREDIT_NOTE, id=src.id, status=src.status, livemode=src.livemode,
        number=src.number, issue_date=src.issue_date, due_date=None,
        currency=src.currency.upper(), seller=invoice.seller, buyer=invoice.buyer,
        lines=lines, allowances=(), tax_breakdown=tax_breakdown(lines),
        totals=Totals(line_total=net, allowance_total=0, tax_exclusive=net,
                      tax_total=src.tax_amount, tax_inclusive=src.amount, paid=0,
                      payable=src.amount),
        balance=None, payment=None, payment_terms=_terms(src, invoice), notes=notes,
        buyer_reference=invoice.buyer_reference, order_reference=invoice.order_reference,
        corrects=DocumentReference(number=invoice.number, issue_date=invoice.issue_date,
                                   id=invoice.id),
    )
