"""Charge models: per unit, graduated, volume and package; included units and overage."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from folio.domain.billing.charges import (
    ChargeModel,
    Graduated,
    Package,
    PerUnit,
    Tier,
    Volume,
    price_usage,
)
from folio.domain.errors import InvalidInput
from folio.domain.money import RoundingMode

SETTINGS = settings(max_examples=300, deadline=None)
HALF_UP, HALF_EVEN = RoundingMode.HALF_UP, RoundingMode.HALF_EVEN
D = Decimal

quantities = st.decimals(min_value=0, max_value=10**7, places=3, allow_nan=False,
                         allow_infinity=False)
unit_amounts = st.decimals(min_value=0, max_value=10_000, places=4, allow_nan=False,
                           allow_infinity=False)
roundings = st.sampled_from([HALF_UP, HALF_EVEN])


@st.composite
def tier_lists(draw: st.DrawFn) -> tuple[Tier, ...]:
    bounds = sorted(set(draw(st.lists(st.integers(min_value=1, max_value=10**6),
                                      min_size=0, max_size=4))))
    ups: list[Decimal | None] = [D(b) for b in bounds]
    ups.append(None)
    return tuple(Tier(up_to=u, unit_amount=draw(unit_amounts),
                      flat_amount=draw(st.integers(min_value=0, max_value=10_000)))
                 for u in ups)


models = st.one_of(
    st.builds(PerUnit, unit_amount=unit_amounts),
    st.builds(Graduated, tiers=tier_lists()),
    st.builds(Volume, tiers=tier_lists()),
    st.builds(Package, size=st.integers(min_value=1, max_value=1000).map(D),
              package_amount=st.integers(min_value=0, max_value=10**6)),
)


def rounded(value: Fraction, mode: RoundingMode) -> int:
    """Reference rounding on exact fractions (half up away from zero / half even)."""
    floor = math.floor(value)
    rest = value - floor
    if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and (mode is HALF_UP or floor % 2)):
        return floor + 1
    return floor


class TestGraduated:
    @SETTINGS
    @given(tiers=tier_lists(), quantity=quantities, mode=roundings)
    def test_breakdown_sums_to_the_amount_and_the_quantity(
            self, tiers: tuple[Tier, ...], quantity: Decimal, mode: RoundingMode) -> None:
        result = Graduated(tiers).price(quantity, mode)
        assert sum(t.amount for t in result.tiers) == result.amount
        assert sum(t.quantity for t in result.tiers) == quantity
        for part in result.tiers:
            assert part.quantity > 0
            assert part.amount == rounded(Fraction(part.quantity) * Fraction(part.unit_amount),
                                          mode) + part.flat_amount
            if part.up_to is not None:
                assert part.quantity <= part.up_to - part.from_quantity

    @SETTINGS
    @given(tiers=tier_lists(), quantity=quantities)
    def test_tiers_fill_in_order(self, tiers: tuple[Tier, ...], quantity: Decimal) -> None:
        parts = Graduated(tiers).price(quantity, HALF_UP).tiers
        assert [p.tier for p in parts] == list(range(len(parts)))
        for full in parts[:-1]:  # every tier but the last one reached is full
            assert full.up_to is not None
            assert full.quantity == full.up_to - full.from_quantity

    def test_example(self) -> None:
        model = Graduated((Tier(D(1000), D(0)), Tier(D(10_000), D("0.5"), flat_amount=200),
                           Tier(None, D("0.25"))))
        result = model.price(D(12_001), HALF_UP)
        assert [(t.quantity, t.amount) for t in result.tiers] == [
            (D(1000), 0), (D(9000), 4700), (D(2001), 500)]  # 500.25 rounds to 500
        assert result.amount == 5200
        assert model.price(D(0), HALF_UP).amount == 0
        assert model.price(D(1001), HALF_UP).amount == 201  # the flat fee starts with the tier


class TestVolume:
    @SETTINGS
    @given(tiers=tier_lists(), quantity=quantities, mode=roundings)
    def test_all_units_at_one_tier(self, tiers: tuple[Tier, ...], quantity: Decimal,
                                   mode: RoundingMode) -> None:
        result = Volume(tiers).price(quantity, mode)
        if quantity == 0:
            assert result.amount == 0
            assert result.tiers == ()
            return
        (part,) = result.tiers
        assert part.quantity == quantity
        tier = tiers[part.tier]
        assert tier.up_to is None or quantity <= tier.up_to
        assert part.tier == 0 or quantity > tiers[part.tier - 1].up_to  # type: ignore[operator]
        assert result.amount == rounded(Fraction(quantity) * Fraction(tier.unit_amount),
                                        mode) + tier.flat_amount

    def test_example_and_not_monotonic_by_nature(self) -> None:
        model = Volume((Tier(D(100), D(100)), Tier(None, D(50))))
        assert model.price(D(100), HALF_UP).amount == 10_000
        assert model.price(D(101), HALF_UP).amount == 5_050  # more units, less money
        assert model.price(D("100.5"), HALF_UP).tiers[0].tier == 1


class TestPackage:
    @SETTINGS
    @given(size=st.integers(min_value=1, max_value=1000), price=st.integers(0, 10**6),
           quantity=quantities)
    def test_rounds_up_to_whole_packages(self, size: int, price: int,
                                         quantity: Decimal) -> None:
        model = Package(D(size), price)
        result = model.price(quantity, HALF_UP)
        packages = model.packages(quantity)
        assert packages == math.ceil(Fraction(quantity) / size)
        assert (packages - 1) * size < quantity <= packages * size or packages == 0 == quantity
        assert result.amount == packages * price

    def test_example(self) -> None:
        model = Package(D(100), 500)
        assert [model.price(D(q), HALF_UP).amount for q in (0, 1, 100, 101, 200, "200.01")] == [
            0, 500, 500, 1000, 1000, 1500]


class TestMonotonic:
    @SETTINGS
    @given(model=models.filter(lambda m: not isinstance(m, Volume)), a=quantities,
           b=quantities, mode=roundings)
    def test_more_usage_never_costs_less(self, model: ChargeModel, a: Decimal, b: Decimal,
                                         mode: RoundingMode) -> None:
        low, high = min(a, b), max(a, b)
        assert model.price(low, mode).amount <= model.price(high, mode).amount

    @SETTINGS
    @given(model=models, quantity=quantities, mode=roundings)
    def test_amount_is_a_non_negative_integer_and_the_breakdown_sums(
            self, model: ChargeModel, quantity: Decimal, mode: RoundingMode) -> None:
        result = model.price(quantity, mode)
        assert isinstance(result.amount, int)
        assert result.amount >= 0
        assert sum(t.amount for t in result.tiers) == result.amount


class TestIncludedUnits:
    @SETTINGS
    @given(model=models, used=st.decimals(min_value=-1000, max_value=10**6, places=2),
           included=st.decimals(min_value=0, max_value=10**6, places=2))
    def test_overage_is_what_exceeds_the_included_units(
            self, model: ChargeModel, used: Decimal, included: Decimal) -> None:
        usage = price_usage(model, used, included, HALF_UP)
        assert usage.overage == max(used - included, 0)
        assert usage.used == used
        assert usage.included == included
        assert usage.amount == model.price(usage.overage, HALF_UP).amount
        if used <= included:
            assert usage.amount == 0

    def test_example(self) -> None:
        usage = price_usage(PerUnit(D("0.2")), D(1234), D(1000), HALF_UP)
        assert (usage.overage, usage.amount) == (D(234), 47)  # 46.8 -> 47


class TestValidation:
    @pytest.mark.parametrize("tiers", [
        (),
        (Tier(D(10)),),  # last tier bounded
        (Tier(D(10)), Tier(D(5)), Tier(None)),  # decreasing
        (Tier(D(0)), Tier(None)),  # empty first tier
        (Tier(None), Tier(None)),  # unbounded before the last
        (Tier(None, D(-1)),),
        (Tier(None, flat_amount=-1),),
        (Tier(None, D("NaN")),),
    ])
    def test_bad_tiers(self, tiers: tuple[Tier, ...]) -> None:
        for model in (Graduated, Volume):
            with pytest.raises(InvalidInput) as err:
                model(tiers)
            assert err.value.code == "charge_model_invalid"

    def test_bad_models_and_quantities(self) -> None:
        for make in (lambda: PerUnit(D(-1)), lambda: Package(D(0), 1),
                     lambda: Package(D(1), -1), lambda: PerUnit(D("Infinity"))):
            with pytest.raises(InvalidInput):
                make()
        with pytest.raises(InvalidInput) as err:
            PerUnit(D(1)).price(D(-1), HALF_UP)
        assert err.value.code == "quantity_invalid"
        with pytest.raises(InvalidInput):
            price_usage(PerUnit(D(1)), D(1), D(-1), HALF_UP)

    def test_too_large(self) -> None:
        with pytest.raises(InvalidInput) as err:
            PerUnit(D(10**9)).price(D(10**7), HALF_UP)
        assert err.value.code == "amount_too_large"

    @given(quantity=quantities)
    def test_fractional_quantities_are_exact(self, quantity: Decimal) -> None:
        assume(quantity > 0)
        result = PerUnit(D("0.001")).price(quantity, HALF_UP)
        assert result.amount == rounded(Fraction(quantity) / 1000, HALF_UP)
