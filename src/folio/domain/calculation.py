"""The one calculation path for invoice amounts: used by preview, draft updates and
finalization alike. Works on plain values, never on stored objects.

Order of operations (all amounts in integer minor units):
1. line amount = round(quantity x unit_amount)  (unit amounts may be fractional minor units)
2. line discounts, in order, on what remains of the line; then invoice discounts,
   each allocated across positive lines by largest remainder (never below zero)
3. customer credit (from the credit balance, when the invoice applies it): an allowance
   before tax, allocated across the positive lines like an invoice discount, never more
   than the balance offered nor more than leaves the total at zero
4. tax per rate group on the discounted and credited amounts, allocated back to the lines
5. subtotal = sum(line amounts); total = subtotal - discounts - credit + exclusive tax
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, localcontext

from folio.domain.allocation import allocate
from folio.domain.errors import InvalidInput
from folio.domain.money import MAX_AMOUNT, RoundingMode, round_minor

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class TaxRateSpec:
    """A tax rate as it applies to a calculation (and as it is snapshotted at finalize)."""

    id: str
    percentage: Decimal
    inclusive: bool
    display_name: str = "Tax"
    category: str = "S"
    country: str | None = None
    # EN 16931 BT-120 / BT-121, for categories that are exempt from VAT (E, AE, K, G, O)
    exemption_reason: str | None = None
    exemption_reason_code: str | None = None


@dataclass(frozen=True)
class DiscountSpec:
    """Exactly one of percent_off (0-100] or amount_off (minor units, > 0)."""

    percent_off: Decimal | None = None
    amount_off: int | None = None
    coupon: str | None = None

    def __post_init__(self) -> None:
        if (self.percent_off is None) == (self.amount_off is None):
            raise InvalidInput("A discount needs exactly one of percent_off or amount_off.",
                               param="discounts")
        if self.percent_off is not None and not (0 < self.percent_off <= HUNDRED):
            raise InvalidInput("percent_off must be in (0, 100].", param="discounts")
        if self.amount_off is not None and self.amount_off <= 0:
            raise InvalidInput("amount_off must be positive.", param="discounts")


@dataclass(frozen=True)
class LineInput:
    quantity: Decimal
    unit_amount: Decimal
    tax_rates: tuple[TaxRateSpec, ...] = ()
    discounts: tuple[DiscountSpec, ...] = ()


@dataclass(frozen=True)
class InvoiceInput:
    currency: str
    lines: tuple[LineInput, ...]
    rounding: RoundingMode = RoundingMode.HALF_UP
    discounts: tuple[DiscountSpec, ...] = ()
    default_tax_rates: tuple[TaxRateSpec, ...] = ()
    # the most customer credit that may be applied (minor units of `currency`, >= 0)
    credit_balance: int = 0


@dataclass(frozen=True)
class LineTax:
    rate: TaxRateSpec
    taxable_amount: int
    amount: int


@dataclass(frozen=True)
class LineResult:
    amount: int
    discount_amount: int  # every discount on the line: its own and its share of the invoice's
    taxes: tuple[LineTax, ...]
    credit_amount: int = 0  # this line's share of the customer credit applied
    line_discount_amounts: tuple[int, ...] = ()  # what each of the line's own discounts took

    @property
    def invoice_discount_amount(self) -> int:
        """The line's share of the invoice-level discounts."""
        return self.discount_amount - sum(self.line_discount_amounts)

    @property
    def tax_amount(self) -> int:
        return sum(t.amount for t in self.taxes)

    @property
    def exclusive_tax(self) -> int:
        return sum(t.amount for t in self.taxes if not t.rate.inclusive)


@dataclass(frozen=True)
class TaxGroup:
    rate: TaxRateSpec
    taxable_amount: int  # net of tax, after discounts
    amount: int


@dataclass(frozen=True)
class InvoiceTotals:
    currency: str
    rounding: RoundingMode
    lines: tuple[LineResult, ...]
    tax_groups: tuple[TaxGroup, ...]
    subtotal: int
    discount_total: int
    tax_total: int
    exclusive_tax: int
    total: int
    invoice_discount_amounts: tuple[int, ...] = field(default=())
    credit_applied: int = 0  # customer credit applied before tax

    @property
    def total_excluding_tax(self) -> int:
        return self.total - self.tax_total


def _apply_discount(remaining: int, spec: DiscountSpec, rounding: RoundingMode) -> int:
    """Discount amount taken from `remaining` (never more than remaining)."""
    if remaining <= 0:
        return 0
    if spec.percent_off is not None:
        wanted = round_minor(Decimal(remaining) * spec.percent_off / HUNDRED, rounding)
    else:
        assert spec.amount_off is not None
        wanted = spec.amount_off
    return min(wanted, remaining)


def _line_rates(line: LineInput, defaults: tuple[TaxRateSpec, ...]) -> tuple[TaxRateSpec, ...]:
    rates = line.tax_rates or defaults
    if any(r.inclusive for r in rates) and len(rates) > 1:
        raise InvalidInput(
            "An inclusive tax rate cannot be combined with other tax rates on one line.",
            param="tax_rates",
            code="tax_rates_incompatible",
        )
    if len({r.id for r in rates}) != len(rates):
        raise InvalidInput("A tax rate is listed twice on one line.", param="tax_rates")
    return rates


def _group_tax(base: int, rate: TaxRateSpec, rounding: RoundingMode) -> int:
    if rate.inclusive:
        return round_minor(Decimal(base) * rate.percentage / (HUNDRED + rate.percentage), rounding)
    return round_minor(Decimal(base) * rate.percentage / HUNDRED, rounding)


# Enough digits that quantity x unit amount (12 + 24 digits) and every ratio is exact
# before the one explicit rounding.
PRECISION = 80


def calculate(invoice: InvoiceInput) -> InvoiceTotals:
    if invoice.credit_balance < 0:
        raise InvalidInput("The credit balance offered cannot be negative.",
                           param="credit_balance")
    with localcontext() as context:
        context.prec = PRECISION
        plain = _calculate(invoice, 0)
        if invoice.credit_balance == 0 or plain.total <= 0:
            return plain
        return _with_credit(invoice, plain)


def _with_credit(invoice: InvoiceInput, plain: InvoiceTotals) -> InvoiceTotals:
    """The most credit, up to the balance offered, that keeps the total at zero or above.

    Credit is capped at the amount left after discounts (so at most the whole pre-tax
    amount is credited). Only when negative lines carry a higher tax rate than the
    positive lines they offset can that still leave a negative total; then the largest
    credit that does not is found by bisection (every step keeps a credit whose total is
    non-negative, so the result is always a valid one)."""
    cap = min(invoice.credit_balance, plain.subtotal - plain.discount_total)
    if cap <= 0:
        return plain
    totals = _calculate(invoice, cap)
    if totals.total >= 0:
        return totals
    best, low, high = plain, 0, cap  # total(low) >= 0 > total(high)
    while high - low > 1:
        middle = (low + high) // 2
        candidate = _calculate(invoice, middle)
        if candidate.total >= 0:
            best, low = candidate, middle
        else:
            high = middle
    return best


def _line_amount(line: LineInput, rounding: RoundingMode) -> int:
    amount = round_minor(line.quantity * line.unit_amount, rounding)
    if abs(amount) > MAX_AMOUNT:
        raise InvalidInput(f"A line amount may not exceed {MAX_AMOUNT} minor units.",
                           param="lines", code="amount_too_large")
    return amount


def _calculate(invoice: InvoiceInput, credit: int) -> InvoiceTotals:
    rounding = invoice.rounding
    amounts = [_line_amount(line, rounding) for line in invoice.lines]

    # 2. discounts: line-level first, then invoice-level across positive lines
    remaining = list(amounts)
    discounts = [0 for _ in amounts]
    line_discount_amounts: list[list[int]] = [[] for _ in amounts]
    for i, line in enumerate(invoice.lines):
        for spec in line.discounts:
            taken = _apply_discount(remaining[i], spec, rounding)
            line_discount_amounts[i].append(taken)
            discounts[i] += taken
            remaining[i] -= taken
    invoice_discount_amounts: list[int] = []
    for spec in invoice.discounts:
        weights = [max(r, 0) for r in remaining]
        base = sum(weights)
        taken = _apply_discount(base, spec, rounding)
        invoice_discount_amounts.append(taken)
        if taken == 0:
            continue
        for i, part in enumerate(allocate(taken, weights)):
            discounts[i] += part
            remaining[i] -= part

    # 3. customer credit: an allowance before tax over the positive lines (never below zero)
    credits = [0 for _ in amounts]
    if credit:
        weights = [max(r, 0) for r in remaining]
        if credit > sum(weights):
            raise InvalidInput("More credit than the invoice's positive lines hold.",
                               param="credit_balance")
        for i, part in enumerate(allocate(credit, weights)):
            credits[i] = part
            remaining[i] -= part

    # 4. tax per rate group, allocated back to lines by their taxable amounts
    line_rates = [_line_rates(line, invoice.default_tax_rates) for line in invoice.lines]
    groups: dict[str, tuple[TaxRateSpec, list[int]]] = {}
    for i, rates in enumerate(line_rates):
        for rate in rates:
            groups.setdefault(rate.id, (rate, []))[1].append(i)
    line_taxes: list[list[LineTax]] = [[] for _ in amounts]
    tax_groups: list[TaxGroup] = []
    for rate, members in groups.values():
        weights = [remaining[i] for i in members]
        base = sum(weights)
        tax = _group_tax(base, rate, rounding)
        parts = allocate(tax, weights) if base != 0 else [0 for _ in members]
        for i, part in zip(members, parts, strict=True):
            taxable = remaining[i] - part if rate.inclusive else remaining[i]
            line_taxes[i].append(LineTax(rate=rate, taxable_amount=taxable, amount=part))
        taxable_group = base - tax if rate.inclusive else base
        tax_groups.append(TaxGroup(rate=rate, taxable_amount=taxable_group, amount=tax))

    lines = tuple(
        LineResult(amount=amounts[i], discount_amount=discounts[i], taxes=tuple(line_taxes[i]),
                   credit_amount=credits[i],
                   line_discount_amounts=tuple(line_discount_amounts[i]))
        for i in range(len(amounts))
    )
    subtotal = sum(amounts)
    discount_total = sum(discounts)
    tax_total = sum(g.amount for g in tax_groups)
    exclusive_tax = sum(g.amount for g in tax_groups if not g.rate.inclusive)
    return InvoiceTotals(
        currency=invoice.currency,
        rounding=rounding,
        lines=lines,
        tax_groups=tuple(tax_groups),
        subtotal=subtotal,
        discount_total=discount_total,
        tax_total=tax_total,
        exclusive_tax=exclusive_tax,
        total=subtotal - discount_total - credit + exclusive_tax,
        invoice_discount_amounts=tuple(invoice_discount_amounts),
        credit_applied=credit,
    )


def check_reconciles(totals: InvoiceTotals) -> list[str]:
    """The reconciliation invariants; returns the broken ones (empty when all hold)."""
    broken: list[str] = []
    if sum(line.amount for line in totals.lines) != totals.subtotal:
        broken.append("sum(line amounts) != subtotal")
    if sum(line.tax_amount for line in totals.lines) != totals.tax_total:
        broken.append("sum(line tax) != tax")
    if sum(line.discount_amount for line in totals.lines) != totals.discount_total:
        broken.append("sum(line discounts) != discounts")
    if sum(line.credit_amount for line in totals.lines) != totals.credit_applied:
        broken.append("sum(line credit) != credit applied")
    if totals.total != (totals.subtotal - totals.discount_total - totals.credit_applied
                        + totals.exclusive_tax):
        broken.append("total != subtotal - discounts - credit + exclusive tax")
    if totals.credit_applied and totals.total < 0:
        broken.append("credit applied to a negative total")
    return broken


def amount_due(total: int, amount_paid: int, amount_credited: int,
               credit_granted: int = 0) -> int:
    """What is still owed. `credit_granted` is the negative total of an invoice moved to
    the customer's credit balance at finalization (so such an invoice owes zero)."""
    return total - amount_paid - amount_credited + credit_granted

