"""Charge models for metered features and seats: per unit, graduated tiers, volume tiers
and package. Each prices a Decimal quantity to an exact integer amount in minor units and
says how it got there, tier by tier.

Rounding: each tier's unit part is rounded once, with the invoice's rounding mode; its flat
amount (already in minor units) is added; the charge is the sum of its tiers. So the
breakdown always sums exactly to the amount.

Flat amounts: a tier's flat amount is charged when at least one unit falls in it (graduated)
or when it is the tier the whole quantity falls in (volume). Zero units cost nothing.

Included units: `price_usage` gives away the first `included` units of a period and prices
only the overage. Tiers count from the first overage unit; to tier over the whole usage,
include nothing and make the first tier free.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal, localcontext

from folio.domain.errors import InvalidInput
from folio.domain.money import MAX_AMOUNT, RoundingMode, round_minor

ZERO = Decimal(0)
# as domain.calculation: every product is exact before its one rounding
PRECISION = 80


@dataclass(frozen=True)
class Tier:
    """Units up to and including `up_to` (None: no upper bound; only the last tier)."""

    up_to: Decimal | None
    unit_amount: Decimal = ZERO  # minor units per unit; fractions allowed
    flat_amount: int = 0  # minor units


@dataclass(frozen=True)
class TierCharge:
    """How one tier priced its part of the quantity."""

    tier: int  # position in the model's tiers, from 0
    from_quantity: Decimal  # exclusive lower bound
    up_to: Decimal | None  # inclusive upper bound
    quantity: Decimal  # units priced here (packages, for the package model)
    unit_amount: Decimal
    flat_amount: int
    amount: int  # round(quantity x unit_amount) + flat_amount


@dataclass(frozen=True)
class ChargeResult:
    amount: int
    tiers: tuple[TierCharge, ...]


def _check_quantity(quantity: Decimal) -> None:
    if not quantity.is_finite() or quantity < 0:
        raise InvalidInput("A charged quantity must be a finite number >= 0.",
                           param="quantity", code="quantity_invalid")


def _capped(amount: int) -> int:
    if abs(amount) > MAX_AMOUNT:
        raise InvalidInput(f"A charge may not exceed {MAX_AMOUNT} minor units.",
                           code="amount_too_large")
    return amount


def _check_unit_amount(value: Decimal, param: str) -> None:
    if not value.is_finite() or value < 0:
        raise InvalidInput(f"{param} must be a finite amount >= 0.", param=param,
                           code="charge_model_invalid")


def _check_tiers(tiers: Sequence[Tier]) -> None:
    if not tiers:
        raise InvalidInput("A tiered charge needs at least one tier.", param="tiers",
                           code="charge_model_invalid")
    if tiers[-1].up_to is not None:
        raise InvalidInput("The last tier must have no upper bound (up_to: null).",
                           param="tiers", code="charge_model_invalid")
    previous = ZERO
    for i, tier in enumerate(tiers):
        _check_unit_amount(tier.unit_amount, f"tiers[{i}].unit_amount")
        if tier.flat_amount < 0:
            raise InvalidInput("A flat amount must be >= 0.", param=f"tiers[{i}].flat_amount",
                               code="charge_model_invalid")
        if i < len(tiers) - 1:
            if tier.up_to is None or not tier.up_to.is_finite() or tier.up_to <= previous:
                raise InvalidInput("Tier bounds must increase strictly from above 0; only "
                                   "the last tier is unbounded.", param=f"tiers[{i}].up_to",
                                   code="charge_model_invalid")
            previous = tier.up_to


@dataclass(frozen=True)
class PerUnit:
    """Every unit at one price."""

    unit_amount: Decimal

    def __post_init__(self) -> None:
        _check_unit_amount(self.unit_amount, "unit_amount")

    def price(self, quantity: Decimal, rounding: RoundingMode) -> ChargeResult:
        _check_quantity(quantity)
        with localcontext() as ctx:
            ctx.prec = PRECISION
            amount = _capped(round_minor(quantity * self.unit_amount, rounding))
        part = TierCharge(0, ZERO, None, quantity, self.unit_amount, 0, amount)
        return ChargeResult(amount, (part,))


@dataclass(frozen=True)
class Graduated:
    """Each unit at the price of the tier it falls in (the first 100 at 10, the next 900
    at 8, ...)."""

    tiers: tuple[Tier, ...]

    def __post_init__(self) -> None:
        _check_tiers(self.tiers)

    def price(self, quantity: Decimal, rounding: RoundingMode) -> ChargeResult:
        _check_quantity(quantity)
        parts: list[TierCharge] = []
        lower = ZERO
        with localcontext() as ctx:
            ctx.prec = PRECISION
            for i, tier in enumerate(self.tiers):
                if quantity <= lower:
                    break
                upper = quantity if tier.up_to is None else min(quantity, tier.up_to)
                units = upper - lower
                amount = round_minor(units * tier.unit_amount, rounding) + tier.flat_amount
                parts.append(TierCharge(i, lower, tier.up_to, units, tier.unit_amount,
                                        tier.flat_amount, amount))
                if tier.up_to is None:
                    break
                lower = tier.up_to
        return ChargeResult(_capped(sum(p.amount for p in parts)), tuple(parts))


@dataclass(frozen=True)
class Volume:
    """All units at the price of the one tier the whole quantity falls in."""

    tiers: tuple[Tier, ...]

    def __post_init__(self) -> None:
        _check_tiers(self.tiers)

    def tier_for(self, quantity: Decimal) -> int:
        for i, tier in enumerate(self.tiers):
            if tier.up_to is None or quantity <= tier.up_to:
                return i
        raise AssertionError("the last tier is unbounded")  # pragma: no cover

    def price(self, quantity: Decimal, rounding: RoundingMode) -> ChargeResult:
        _check_quantity(quantity)
        if quantity == 0:
            return ChargeResult(0, ())
        i = self.tier_for(quantity)
        tier = self.tiers[i]
        lower = ZERO if i == 0 else self.tiers[i - 1].up_to or ZERO
        with localcontext() as ctx:
            ctx.prec = PRECISION
            amount = _capped(round_minor(quantity * tier.unit_amount, rounding)
                             + tier.flat_amount)
        part = TierCharge(i, lower, tier.up_to, quantity, tier.unit_amount, tier.flat_amount,
                          amount)
        return ChargeResult(amount, (part,))


@dataclass(frozen=True)
class Package:
    """A price per started package of `size` units (size 100: 101 units are 2 packages)."""

    size: Decimal
    package_amount: int

    def __post_init__(self) -> None:
        if not self.size.is_finite() or self.size <= 0:
            raise InvalidInput("A package size must be > 0.", param="package_size",
                               code="charge_model_invalid")
        if self.package_amount < 0:
            raise InvalidInput("A package amount must be >= 0.", param="package_amount",
                               code="charge_model_invalid")

    def packages(self, quantity: Decimal) -> int:
        with localcontext() as ctx:
            ctx.prec = PRECISION
            return int((quantity / self.size).to_integral_value(rounding=ROUND_CEILING))

    def price(self, quantity: Decimal, rounding: RoundingMode) -> ChargeResult:
        _check_quantity(quantity)
        count = self.packages(quantity)
        if count == 0:
            return ChargeResult(0, ())
        amount = _capped(count * self.package_amount)
        part = TierCharge(0, ZERO, None, Decimal(count), Decimal(self.package_amount), 0,
                          amount)
        return ChargeResult(amount, (part,))


ChargeModel = PerUnit | Graduated | Volume | Package


@dataclass(frozen=True)
class UsageCharge:
    """A period's usage of one feature: what was used, what the plan includes, what is
    charged beyond it and how."""

    used: Decimal
    included: Decimal
    overage: Decimal
    charge: ChargeResult

    @property
    def amount(self) -> int:
        return self.charge.amount


def price_usage(model: ChargeModel, used: Decimal, included: Decimal,
                rounding: RoundingMode) -> UsageCharge:
    """The first `included` units are free; the overage is priced by `model`. Negative
    usage (a sum of corrections) charges nothing."""
    if not used.is_finite():
        raise InvalidInput("Usage must be finite.", param="usage", code="quantity_invalid")
    if not included.is_finite() or included < 0:
        raise InvalidInput("Included units must be >= 0.", param="included",
                           code="charge_model_invalid")
    with localcontext() as ctx:
        ctx.prec = PRECISION
        overage = max(used - included, ZERO)
    return UsageCharge(used=used, included=included, overage=overage,
                       charge=model.price(overage, rounding))
