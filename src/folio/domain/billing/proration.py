"""Proration: what a mid-period change of plan (or of quantity), or a cancellation, is
worth, as a credit line and a debit line.

The unit is the second: the fraction of a period is (seconds affected) / (seconds in the
period), both real elapsed time, so a DST change or a short month needs no special case
and a change at noon is worth half a day.

How the lines relate to the regular `plan_base` line of the period:
- billed in advance, the old price was paid for the whole period at its start. A change
  at t credits the old price for [t, end) and debits the new price for [t, end);
- billed in arrears, the regular line at the period's end bills the price in force at the
  end for the whole period. A change at t debits the old price for [start, t) and credits
  the new price for [start, t);
- a cancellation at t credits the old price for [t, end) either way (in arrears, against
  the final invoice's whole-period line).

Exactness: the net is the exact price difference times the fraction, rounded once; the
credit is its own exact value rounded once; the debit is the net minus the credit. So the
two lines always net exactly to the rounded difference, and each is within one minor
unit of its exact value.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, localcontext

from folio.domain.billing.periods import BillingTiming, Period
from folio.domain.errors import InvalidInput
from folio.domain.money import RoundingMode, round_minor

PRECISION = 80


@dataclass(frozen=True)
class ProrationLine:
    """A signed amount (credit < 0 < debit) for part of a period."""

    description: str
    amount: int
    start: int
    end: int
    fraction: Decimal  # of the period, exact to 80 digits
    period_amount: Decimal  # the whole-period price this line is a fraction of


@dataclass(frozen=True)
class Proration:
    credit: ProrationLine
    debit: ProrationLine | None

    @property
    def net(self) -> int:
        return self.credit.amount + (self.debit.amount if self.debit else 0)

    @property
    def lines(self) -> tuple[ProrationLine, ...]:
        return (self.credit,) if self.debit is None else (self.credit, self.debit)


def _fraction(period: Period, start: int, end: int) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return Decimal(end - start) / Decimal(period.seconds)


def _check(period: Period, at: int, *amounts: Decimal) -> None:
    if not period.start <= at <= period.end:
        raise InvalidInput("The change must fall within the period.", param="at",
                           code="proration_outside_period")
    for amount in amounts:
        if not amount.is_finite() or amount < 0:
            raise InvalidInput("A period price must be a finite amount >= 0.",
                               param="amount", code="amount_invalid")


def prorate_change(period: Period, at: int, old_amount: Decimal, new_amount: Decimal,
                   timing: BillingTiming, rounding: RoundingMode, *,
                   old_label: str = "old plan", new_label: str = "new plan") -> Proration:
    """A change at `at` from a whole-period price `old_amount` to `new_amount` (minor
    units; base price x quantity)."""
    _check(period, at, old_amount, new_amount)
    if timing is BillingTiming.IN_ADVANCE:
        start, end = at, period.end
        credit_amount, debit_amount = old_amount, new_amount
        credit_text, debit_text = (f"Unused time on {old_label}",
                                   f"Remaining time on {new_label}")
    else:
        start, end = period.start, at
        credit_amount, debit_amount = new_amount, old_amount
        credit_text, debit_text = (f"Time before the change, {new_label}",
                                   f"Time used on {old_label}")
    fraction = _fraction(period, start, end)
    with localcontext() as ctx:
        ctx.prec = PRECISION
        net = round_minor((debit_amount - credit_amount) * fraction, rounding)
        credit = -round_minor(credit_amount * fraction, rounding)
    return Proration(
        credit=ProrationLine(credit_text, credit, start, end, fraction, credit_amount),
        debit=ProrationLine(debit_text, net - credit, start, end, fraction, debit_amount),
    )


def prorate_cancellation(period: Period, at: int, amount: Decimal, rounding: RoundingMode,
                         *, label: str = "plan") -> Proration:
    """A cancellation at `at`: the unused rest of the period, credited."""
    _check(period, at, amount)
    fraction = _fraction(period, at, period.end)
    with localcontext() as ctx:
        ctx.prec = PRECISION
        credit = -round_minor(amount * fraction, rounding)
    return Proration(
        credit=ProrationLine(f"Unused time on {label}", credit, at, period.end, fraction,
                             amount),
        debit=None,
    )
