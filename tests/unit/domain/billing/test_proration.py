"""Proration of plan changes and cancellations, in seconds."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from folio.domain.billing.periods import BillingTiming, Period
from folio.domain.billing.proration import prorate_cancellation, prorate_change
from folio.domain.errors import InvalidInput
from folio.domain.money import RoundingMode
from tests.unit.domain.billing.test_charges import rounded

SETTINGS = settings(max_examples=300, deadline=None)
D = Decimal
ADVANCE, ARREARS = BillingTiming.IN_ADVANCE, BillingTiming.IN_ARREARS

amounts = st.decimals(min_value=0, max_value=10**9, places=3, allow_nan=False,
                      allow_infinity=False)


@st.composite
def change_points(draw: st.DrawFn) -> tuple[Period, int]:
    start = draw(st.integers(min_value=0, max_value=2 * 10**9))
    length = draw(st.integers(min_value=1, max_value=400 * 86_400))
    at = draw(st.integers(min_value=start, max_value=start + length))
    return Period(start, start + length), at


def signed_rounded(value: Fraction, mode: RoundingMode) -> int:
    """Decimal's rounding of a signed value: halves go away from zero (or to even)."""
    return rounded(value, mode) if value >= 0 else -rounded(-value, mode)


@SETTINGS
@given(point=change_points(), old=amounts, new=amounts,
       timing=st.sampled_from(list(BillingTiming)),
       mode=st.sampled_from(list(RoundingMode)))
def test_credit_and_debit_net_to_the_rounded_difference(
        point: tuple[Period, int], old: Decimal, new: Decimal, timing: BillingTiming,
        mode: RoundingMode) -> None:
    period, at = point
    result = prorate_change(period, at, old, new, timing, mode)
    affected = (period.end - at) if timing is ADVANCE else (at - period.start)
    fraction = Fraction(affected, period.seconds)
    removed, added = (old, new) if timing is ADVANCE else (new, old)
    assert result.debit is not None
    assert result.net == signed_rounded((Fraction(added) - Fraction(removed)) * fraction, mode)
    # each line is within one minor unit of its exact value, and credits are never positive
    assert abs(Fraction(result.credit.amount) + Fraction(removed) * fraction) <= Fraction(1, 2)
    assert abs(Fraction(result.debit.amount) - Fraction(added) * fraction) <= 1
    assert result.credit.amount <= 0
    assert result.credit.start == result.debit.start
    assert result.credit.end == result.debit.end
    assert result.credit.end - result.credit.start == affected


@SETTINGS
@given(point=change_points(), amount=amounts)
def test_cancellation_credits_the_unused_rest(point: tuple[Period, int], amount: Decimal
                                              ) -> None:
    period, at = point
    result = prorate_cancellation(period, at, amount, RoundingMode.HALF_UP)
    assert result.debit is None
    assert result.lines == (result.credit,)
    exact = Fraction(amount) * Fraction(period.end - at, period.seconds)
    assert result.net == -rounded(exact, RoundingMode.HALF_UP)
    assert (result.credit.start, result.credit.end) == (at, period.end)


def test_upgrade_half_way_in_advance() -> None:
    period = Period(0, 30 * 86_400)
    result = prorate_change(period, 15 * 86_400, D(1000), D(3000), ADVANCE,
                            RoundingMode.HALF_UP, old_label="Basic", new_label="Pro")
    assert result.credit.amount == -500
    assert result.debit is not None
    assert result.debit.amount == 1500
    assert result.net == 1000
    assert result.credit.description == "Unused time on Basic"
    assert result.debit.description == "Remaining time on Pro"
    # the period then costs: 1000 paid at its start + 1000 = half Basic, half Pro
    assert 1000 + result.net == 500 + 1500


def test_downgrade_in_arrears() -> None:
    period = Period(0, 30 * 86_400)
    result = prorate_change(period, 10 * 86_400, D(3000), D(1000), ARREARS,
                            RoundingMode.HALF_UP)
    assert result.debit is not None
    assert (result.debit.amount, result.credit.amount) == (1000, -333)  # 1000, -333.33
    # the regular line at the period's end bills the new price (1000) for the whole period
    assert 1000 + result.net == 1667  # = 3000 x 1/3 + 1000 x 2/3, rounded once


def test_netting_where_separate_rounding_would_not() -> None:
    period = Period(0, 3)
    result = prorate_change(period, 2, D(1), D(2), ADVANCE, RoundingMode.HALF_UP)
    # exact: credit -1/3, debit 2/3, net 1/3: rounded separately 0 + 1 = 1, net rounds to 0
    assert result.net == 0
    assert result.debit is not None
    assert (result.credit.amount, result.debit.amount) == (0, 0)


def test_edges_and_validation() -> None:
    period = Period(100, 200)
    full = prorate_cancellation(period, 100, D(999), RoundingMode.HALF_UP)
    assert full.net == -999
    assert prorate_cancellation(period, 200, D(999), RoundingMode.HALF_UP).net == 0
    with pytest.raises(InvalidInput) as err:
        prorate_cancellation(period, 201, D(1), RoundingMode.HALF_UP)
    assert err.value.code == "proration_outside_period"
    with pytest.raises(InvalidInput):
        prorate_change(period, 150, D(-1), D(1), ADVANCE, RoundingMode.HALF_UP)
