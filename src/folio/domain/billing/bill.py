"""Bill one period of a subscription: from a snapshot of plain values to the invoice's
line specs, which `domain.calculation` totals (discounts, tax) like any other lines.

An invoice issued at boundary k of a cycle covers (see `coverage`):
- the base price (and seats) of period k when billed in advance, of period k-1 in arrears;
- the metered usage of period k-1 (usage is always billed in arrears).
Periods that end inside the trial bill no base price.

Every line spec's `quantity x unit_amount` rounds to its `amount` under the invoice's
rounding mode, so `calculate(to_invoice_input(...))` reproduces each amount exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from enum import Enum

from folio.domain.billing.charges import ChargeModel, TierCharge, UsageCharge, price_usage
from folio.domain.billing.periods import BillingCycle, BillingTiming, Period
from folio.domain.billing.proration import ProrationLine
from folio.domain.calculation import DiscountSpec, InvoiceInput, LineInput, TaxRateSpec
from folio.domain.errors import InvalidInput
from folio.domain.money import MAX_AMOUNT, RoundingMode, format_decimal, round_minor

ONE = Decimal(1)
ZERO = Decimal(0)
PRECISION = 80


class LineKind(str, Enum):
    PLAN_BASE = "plan_base"
    USAGE = "usage"  # metered, nothing included: every unit is charged
    FEATURE_OVERAGE = "feature_overage"  # metered, beyond the units the plan includes
    FEATURE_SEATS = "feature_seats"
    PRORATION = "proration"


class FeatureKind(str, Enum):
    METERED = "metered"  # quantity from usage events, billed in arrears
    SEATS = "seats"  # quantity from the subscription, billed with the base price
    BOOLEAN = "boolean"  # on or off: never a line


@dataclass(frozen=True)
class PlanFeature:
    code: str
    name: str
    kind: FeatureKind
    charge: ChargeModel | None = None
    included: Decimal = ZERO

    def __post_init__(self) -> None:
        if self.kind is not FeatureKind.BOOLEAN and self.charge is None:
            raise InvalidInput(f"Feature '{self.code}' needs a charge model.",
                               param="features", code="charge_model_invalid")


@dataclass(frozen=True)
class PlanSpec:
    name: str
    base_amount: Decimal  # minor units per period and unit of quantity
    timing: BillingTiming = BillingTiming.IN_ADVANCE
    features: tuple[PlanFeature, ...] = ()


@dataclass(frozen=True)
class SubscriptionSnapshot:
    """Everything the bill of one invoice depends on, as plain values."""

    currency: str
    plan: PlanSpec
    base_period: Period | None  # None: no base price on this invoice
    usage_period: Period | None  # None: no usage on this invoice
    quantity: Decimal = ONE  # of the base price (seats of a per-seat plan)
    usage: Mapping[str, Decimal] = field(default_factory=dict)  # metered code -> aggregate
    seats: Mapping[str, Decimal] = field(default_factory=dict)  # seats code -> quantity
    prorations: tuple[ProrationLine, ...] = ()
    rounding: RoundingMode = RoundingMode.HALF_UP


@dataclass(frozen=True)
class LineSpec:
    kind: LineKind
    description: str
    quantity: Decimal
    unit_amount: Decimal
    amount: int
    period_start: int
    period_end: int
    feature_code: str | None = None
    feature_name: str | None = None
    included: Decimal | None = None
    used: Decimal | None = None
    overage: Decimal | None = None
    tiers: tuple[TierCharge, ...] = ()

    def to_line_input(self, tax_rates: tuple[TaxRateSpec, ...] = (),
                      discounts: tuple[DiscountSpec, ...] = ()) -> LineInput:
        return LineInput(quantity=self.quantity, unit_amount=self.unit_amount,
                         tax_rates=tax_rates, discounts=discounts)


@dataclass(frozen=True)
class Coverage:
    base_period: Period | None
    usage_period: Period | None


def coverage(cycle: BillingCycle, timing: BillingTiming, boundary: int, *,
             first_index: int = 0, last_index: int | None = None,
             trial_end: int | None = None) -> Coverage:
    """What the invoice issued at boundary `boundary` covers, for a subscription whose
    periods run from `first_index` to `last_index` (inclusive; None: still running)."""
    def live(k: int) -> bool:
        return k >= first_index and (last_index is None or k <= last_index)

    base_index = boundary if timing is BillingTiming.IN_ADVANCE else boundary - 1
    base = cycle.period(base_index) if live(base_index) else None
    if base is not None and trial_end is not None and base.end <= trial_end:
        base = None
    usage = cycle.period(boundary - 1) if live(boundary - 1) else None
    return Coverage(base_period=base, usage_period=usage)


def _presentable(quantity: Decimal, unit_amount: Decimal, amount: int,
                 rounding: RoundingMode) -> tuple[Decimal, Decimal]:
    """(quantity, unit amount) to show on the line: the natural pair when it rounds to
    the amount, else 1 x amount (tiered charges, flat fees)."""
    if quantity >= 0:
        with localcontext() as ctx:
            ctx.prec = PRECISION
            if round_minor(quantity * unit_amount, rounding) == amount:
                return quantity, unit_amount
    return ONE, Decimal(amount)


def _usage_line(feature: PlanFeature, usage: UsageCharge, period: Period,
                rounding: RoundingMode) -> LineSpec:
    if feature.kind is FeatureKind.SEATS:
        kind, text = LineKind.FEATURE_SEATS, f"{feature.name} (seats)"
    elif feature.included > 0:
        kind, text = LineKind.FEATURE_OVERAGE, (f"{feature.name} beyond "
                                                f"{format_decimal(feature.included)} included")
    else:
        kind, text = LineKind.USAGE, feature.name
    tiers = usage.charge.tiers
    single = tiers[0] if len(tiers) == 1 and tiers[0].flat_amount == 0 else None
    quantity, unit_amount = _presentable(
        single.quantity if single else usage.overage,
        single.unit_amount if single else ZERO, usage.amount, rounding)
    return LineSpec(kind=kind, description=text, quantity=quantity, unit_amount=unit_amount,
                    amount=usage.amount, period_start=period.start, period_end=period.end,
                    feature_code=feature.code, feature_name=feature.name,
                    included=usage.included, used=usage.used, overage=usage.overage,
                    tiers=tiers)


def bill_period(snapshot: SubscriptionSnapshot) -> tuple[LineSpec, ...]:
    """The lines of one subscription invoice, in a stable order: base price, seats,
    metered features (in plan order), prorations."""
    plan, rounding = snapshot.plan, snapshot.rounding
    if not snapshot.quantity.is_finite() or snapshot.quantity < 0:
        raise InvalidInput("quantity must be >= 0.", param="quantity", code="quantity_invalid")
    lines: list[LineSpec] = []
    base = snapshot.base_period
    if base is not None:
        with localcontext() as ctx:
            ctx.prec = PRECISION
            amount = round_minor(plan.base_amount * snapshot.quantity, rounding)
        if abs(amount) > MAX_AMOUNT:
            raise InvalidInput("The base price is too large.", code="amount_too_large")
        lines.append(LineSpec(
            kind=LineKind.PLAN_BASE, description=plan.name, quantity=snapshot.quantity,
            unit_amount=plan.base_amount, amount=amount, period_start=base.start,
            period_end=base.end))
        for feature in plan.features:
            if feature.kind is FeatureKind.SEATS and feature.charge is not None:
                seats = snapshot.seats.get(feature.code, ZERO)
                charged = price_usage(feature.charge, seats, feature.included, rounding)
                lines.append(_usage_line(feature, charged, base, rounding))
    usage_period = snapshot.usage_period
    if usage_period is not None:
        for feature in plan.features:
            if feature.kind is FeatureKind.METERED and feature.charge is not None:
                used = snapshot.usage.get(feature.code, ZERO)
                charged = price_usage(feature.charge, used, feature.included, rounding)
                lines.append(_usage_line(feature, charged, usage_period, rounding))
    for p in snapshot.prorations:
        lines.append(LineSpec(
            kind=LineKind.PRORATION, description=p.description, quantity=ONE,
            unit_amount=Decimal(p.amount), amount=p.amount, period_start=p.start,
            period_end=p.end))
    return tuple(lines)


def to_invoice_input(lines: tuple[LineSpec, ...], currency: str, *,
                     rounding: RoundingMode = RoundingMode.HALF_UP,
                     default_tax_rates: tuple[TaxRateSpec, ...] = (),
                     discounts: tuple[DiscountSpec, ...] = ()) -> InvoiceInput:
    """The calculation input of a billed period (the one calculation path)."""
    return InvoiceInput(currency=currency, lines=tuple(s.to_line_input() for s in lines),
                        rounding=rounding, discounts=discounts,
                        default_tax_rates=default_tax_rates)
