"""Builds the document view model of an invoice from its stored values. Pure.

The invoice's amounts are taken as stored; the calculation is run once more over the
stored inputs (quantities, unit amounts, discounts, the frozen tax-rate snapshots) only to
learn what each of a line's own discounts took and the line's share of the invoice-level
discounts, which the stored line keeps as one sum. The rerun must reproduce every stored
amount, or the document is refused: a document never disagrees with its invoice.

EN 16931 view of a line (net of VAT):
- exclusive tax (or none): net amount = amount - the line's own discounts, which become
  line allowances; the invoice-level discounts become one document-level allowance per
  VAT category and rate.
- inclusive tax: the line's net amount is its taxable amount (every discount and the tax
  taken out), expressed exactly as net price = net amount per base quantity = quantity.
A line that takes money off (negative unit amount) gets a negative invoiced quantity and
a positive net price (BR-27).
Customer credit applied before tax (ADR 8) is treated like an invoice-level discount: one
document-level allowance per VAT category ("Customer credit", code 95), folded into the
net amount of tax-inclusive lines.
"""

from __future__ import annotations

from decimal import Decimal

from folio.documents.categories import NOT_SUBJECT
from folio.documents.model import (
    CREDIT_REASON,
    DEFAULT_UNIT_CODE,
    Allowance,
    Document,
    DocumentKind,
    Line,
    LineTax,
    TaxCategory,
    TaxSubtotal,
    Totals,
)
from folio.documents.sources import StoredInvoice, StoredLine, StoredTax
from folio.domain.calculation import (
    InvoiceInput,
    LineInput,
    LineResult,
    TaxRateSpec,
    calculate,
)
from folio.domain.errors import Conflict

TaxKey = tuple[str, Decimal | None] | None


def tax_category(tax: StoredTax) -> TaxCategory:
    return TaxCategory(code=tax.category,
                       rate=None if tax.category == NOT_SUBJECT else tax.percentage,
                       exemption_reason=tax.exemption_reason,
                       exemption_reason_code=tax.exemption_reason_code)


def _spec(tax: StoredTax) -> TaxRateSpec:
    return TaxRateSpec(id=tax.rate_id, percentage=tax.percentage, inclusive=tax.inclusive,
                       display_name=tax.name, category=tax.category)


def _recalculate(src: StoredInvoice) -> tuple[LineResult, ...]:
    totals = calculate(InvoiceInput(
        currency=src.currency, rounding=src.rounding, discounts=src.discounts,
        credit_balance=src.credit_applied,
        lines=tuple(LineInput(quantity=x.quantity, unit_amount=x.unit_amount,
                              tax_rates=tuple(_spec(t) for t in x.taxes), discounts=x.discounts)
                    for x in src.lines)))
    same = (totals.subtotal, totals.discount_total, totals.tax_total, totals.total,
            totals.credit_applied) == (src.subtotal, src.discount_total, src.tax_total,
                                       src.total, src.credit_applied) and all(
        (r.amount, r.discount_amount, r.tax_amount, r.credit_amount) == (
            x.amount, x.discount_amount, x.tax_amount, x.credit_amount)
        for r, x in zip(totals.lines, src.lines, strict=True))
    if not same:
        raise Conflict(f"Invoice {src.id}'s stored amounts differ from their calculation; "
                       "no document can be made of it.", code="document_inconsistent")
    return totals.lines


def _line(position: int, src: StoredLine, result: LineResult) -> Line:
    taxes = tuple(LineTax(name=t.name, category=tax_category(t), inclusive=t.inclusive,
                          taxable_amount=t.taxable_amount, amount=t.amount) for t in src.taxes)
    inclusive = any(t.inclusive for t in src.taxes)
    own = tuple(Allowance(amount=taken, percent=spec.percent_off, coupon=spec.coupon)
                for spec, taken in zip(src.discounts, result.line_discount_amounts, strict=True)
                if taken != 0)
    if inclusive:
        net = src.amount - src.discount_amount - src.credit_amount - src.tax_amount
        allowances: tuple[Allowance, ...] = ()
        quantity = src.quantity if net >= 0 else -src.quantity
        price, base = Decimal(abs(net)), src.quantity
    else:
        net = src.amount - sum(a.amount for a in own)
        allowances = own
        quantity = src.quantity if src.unit_amount >= 0 else -src.quantity
        price, base = abs(src.unit_amount), Decimal(1)
    return Line(
        id=str(position), name=src.description, unit_code=src.unit_code or DEFAULT_UNIT_CODE,
        quantity=src.quantity, unit_price=src.unit_amount, amount=src.amount,
        discount_amount=src.discount_amount, taxes=taxes, tax_amount=src.tax_amount,
        tax_inclusive=inclusive, invoiced_quantity=quantity, net_price=price,
        base_quantity=base, allowances=allowances, net_amount=net, period=src.period,
        item_id=src.product, source_line=src.id)


def _key(line: Line) -> TaxKey:
    tax = line.tax
    return tax.key if tax is not None else None


def _per_category(lines: tuple[Line, ...], amounts: list[int]
                  ) -> list[tuple[TaxCategory | None, int]]:
    """Amounts of the tax-exclusive lines summed per VAT category and rate."""
    sums: dict[TaxKey, tuple[TaxCategory | None, int]] = {}
    for line, amount in zip(lines, amounts, strict=True):
        if line.tax_inclusive or amount == 0:
            continue
        _, total = sums.get(_key(line), (None, 0))
        sums[_key(line)] = (line.tax, total + amount)
    return [(tax, amount) for tax, amount in sums.values() if amount != 0]


def _document_allowances(src: StoredInvoice, lines: tuple[Line, ...],
                         results: tuple[LineResult, ...]) -> tuple[Allowance, ...]:
    """The invoice-level discounts, then the customer credit applied before tax: each one
    allowance per VAT category and rate of the (tax-exclusive) lines it was allocated to
    (on tax-inclusive lines both are folded into the line's net amount)."""
    only = src.discounts[0] if len(src.discounts) == 1 else None
    discounts = tuple(Allowance(amount=amount, tax=tax,
                                percent=only.percent_off if only else None,
                                coupon=only.coupon if only else None)
                      for tax, amount in _per_category(
                          lines, [r.invoice_discount_amount for r in results]))
    credits = tuple(Allowance(amount=amount, tax=tax, reason=CREDIT_REASON)
                    for tax, amount in _per_category(lines, [x.credit_amount
                                                             for x in src.lines]))
    return discounts + credits


def tax_breakdown(lines: tuple[Line, ...]) -> tuple[TaxSubtotal, ...]:
    """One subtotal per VAT category and rate, in order of first appearance."""
    groups: dict[tuple[str, Decimal | None], TaxSubtotal] = {}
    for line in lines:
        for tax in line.taxes:
            key = tax.category.key
            seen = groups.get(key)
            if seen is None:
                groups[key] = TaxSubtotal(category=tax.category, taxable_amount=tax.taxable_amount,
                                          tax_amount=tax.amount, names=(tax.name,))
            else:
                names = seen.names if tax.name in seen.names else (*seen.names, tax.name)
                groups[key] = TaxSubtotal(category=seen.category,
                                          taxable_amount=seen.taxable_amount + tax.taxable_amount,
                                          tax_amount=seen.tax_amount + tax.amount, names=names)
    return tuple(groups.values())


def invoice_document(src: StoredInvoice) -> Document:
    results = _recalculate(src)
    lines = tuple(_line(i + 1, x, r) for i, (x, r) in enumerate(zip(src.lines, results,
                                                                      strict=True)))
    allowances = _document_allowances(src, lines, results)
    line_total = sum(x.net_amount for x in lines)
    allowance_total = sum(a.amount for a in allowances)
    tax_exclusive = line_total - allowance_total
    due_date = src.due_date
    if due_date is None and src.collected_automatically:
        due_date = src.issue_date  # charged when issued
    return Document(
        kind=DocumentKind.INVOICE, id=src.id, status=src.status, livemode=src.livemode,
        number=src.number, issue_date=src.issue_date, due_date=due_date,
        currency=src.currency.upper(), seller=src.seller, buyer=src.buyer, lines=lines,
        allowances=allowances, tax_breakdown=tax_breakdown(lines),
        totals=Totals(line_total=line_total, allowance_total=allowance_total,
                      tax_exclusive=tax_exclusive, tax_total=src.tax_total,
                      tax_inclusive=tax_exclusive + src.tax_total, paid=0,
                      payable=tax_exclusive + src.tax_total),
        balance=src.balance, payment=src.payment, payment_terms=src.payment_terms,
        notes=src.notes, footer=src.footer, buyer_reference=src.buyer_reference,
        order_reference=src.order_reference, period=src.period,
        credit_applied=src.credit_applied,
    )
