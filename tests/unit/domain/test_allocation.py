"""Unit and property tests for folio.domain.allocation.allocate (largest remainder)."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from folio.domain.allocation import allocate

SETTINGS = settings(max_examples=200, deadline=None)

amounts = st.integers(min_value=-(10**12), max_value=10**12)
weights_any = st.lists(st.integers(min_value=-(10**9), max_value=10**9), min_size=1, max_size=12)
weights_non_negative = st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=12)


def exact_shares(amount: int, weights: list[int]) -> list[Fraction]:
    total = sum(weights)
    return [Fraction(amount * w, total) for w in weights]


# --------------------------------------------------------------------------- examples


@pytest.mark.parametrize(
    ("amount", "weights", "expected"),
    [
        (100, [1, 1, 1], [34, 33, 33]),  # remainder goes to the earliest on a tie
        (2, [1, 1, 1], [1, 1, 0]),
        (10, [1], [10]),
        (0, [1, 2, 3], [0, 0, 0]),
        (600, [1000, 2000, 3001], [100, 200, 300]),
        (2000, [3333, 3333, 3333], [667, 667, 666]),
        (10, [1, 0, 1], [5, 0, 5]),
        (1, [0, 1, 0], [0, 1, 0]),
        (7, [2, 5], [2, 5]),
        (5, [1, 3], [1, 4]),  # exact shares 1.25 / 3.75: largest fraction wins
        (-100, [1, 1, 1], [-33, -33, -34]),  # floors are -34; the units go to the earliest
        (-7, [1, 1], [-3, -4]),
        (10, [3, -1], [15, -5]),
        (10, [-1, -1], [5, 5]),  # negative weight sum
        (10, [-3, 1], [15, -5]),
        (-10, [-1, -1, -2], [-2, -3, -5]),
    ],
)
def test_allocate_examples(amount: int, weights: list[int], expected: list[int]) -> None:
    assert allocate(amount, weights) == expected
    assert sum(expected) == amount


def test_allocate_empty_weights_with_zero_amount() -> None:
    assert allocate(0, []) == []


@pytest.mark.parametrize("amount", [1, -1, 100])
def test_allocate_empty_weights_with_non_zero_amount_raises(amount: int) -> None:
    with pytest.raises(ValueError, match="no weights"):
        allocate(amount, [])


@pytest.mark.parametrize("weights", [[0], [0, 0, 0], [1, -1], [5, -2, -3]])
def test_allocate_zero_weight_sum_with_zero_amount(weights: list[int]) -> None:
    assert allocate(0, weights) == [0] * len(weights)


@pytest.mark.parametrize("weights", [[0], [0, 0, 0], [1, -1], [5, -2, -3]])
@pytest.mark.parametrize("amount", [1, -1, 1000])
def test_allocate_zero_weight_sum_with_non_zero_amount_raises(
    amount: int, weights: list[int]
) -> None:
    with pytest.raises(ValueError, match="zero weights"):
        allocate(amount, weights)


def test_allocate_accepts_tuples_and_does_not_mutate_input() -> None:
    weights = (3, 3, 4)
    assert allocate(10, weights) == [3, 3, 4]
    as_list = [1, 2]
    allocate(7, as_list)
    assert as_list == [1, 2]


# --------------------------------------------------------------------------- properties


@SETTINGS
@given(amount=amounts, weights=weights_any)
def test_parts_sum_exactly_and_stay_within_one_of_the_exact_share(
    amount: int, weights: list[int]
) -> None:
    assume(sum(weights) != 0)
    parts = allocate(amount, weights)
    assert len(parts) == len(weights)
    assert all(isinstance(p, int) for p in parts)
    assert sum(parts) == amount
    for part, share in zip(parts, exact_shares(amount, weights), strict=True):
        assert abs(part - share) < 1
        # more precisely: each part is the floor or the ceiling of its share
        assert math.floor(share) <= part <= math.ceil(share)


@SETTINGS
@given(amount=amounts, weights=weights_any)
def test_units_go_to_the_largest_fractional_shares(amount: int, weights: list[int]) -> None:
    assume(sum(weights) != 0)
    parts = allocate(amount, weights)
    shares = exact_shares(amount, weights)
    fracs = [s - math.floor(s) for s in shares]
    bumped = [i for i, (p, s) in enumerate(zip(parts, shares, strict=True)) if p > math.floor(s)]
    kept = [i for i in range(len(weights)) if i not in bumped]
    if bumped and kept:
        # every bumped part had a fractional share at least as large as every kept one
        assert min(fracs[i] for i in bumped) >= max(fracs[i] for i in kept)
        # and ties go to the earliest index
        for b in bumped:
            for k in kept:
                if fracs[b] == fracs[k]:
                    assert b < k
    # a part whose share is already whole is never bumped
    for i in bumped:
        assert fracs[i] > 0


@SETTINGS
@given(amount=st.integers(min_value=0, max_value=10**12), weights=weights_non_negative)
def test_non_negative_inputs_give_parts_between_zero_and_their_weight_share(
    amount: int, weights: list[int]
) -> None:
    assume(sum(weights) > 0)
    parts = allocate(amount, weights)
    assert all(0 <= p <= amount for p in parts)
    for part, w in zip(parts, weights, strict=True):
        if w == 0:
            assert part == 0


@SETTINGS
@given(amount=st.integers(min_value=0, max_value=10**9), weights=weights_non_negative)
def test_allocating_no_more_than_the_weights_never_exceeds_a_weight(
    amount: int, weights: list[int]
) -> None:
    # This is how invoice discounts are spread across lines: never below zero.
    total = sum(weights)
    assume(total > 0)
    taken = min(amount, total)
    parts = allocate(taken, weights)
    assert all(0 <= p <= w for p, w in zip(parts, weights, strict=True))


@SETTINGS
@given(
    amount=amounts,
    weights=weights_any,
    factor=st.integers(min_value=1, max_value=1000),
)
def test_scaling_all_weights_does_not_change_the_result(
    amount: int, weights: list[int], factor: int
) -> None:
    assume(sum(weights) != 0)
    assert allocate(amount, [w * factor for w in weights]) == allocate(amount, weights)


@SETTINGS
@given(amount=amounts, weights=weights_any)
def test_negating_all_weights_does_not_change_the_result(amount: int, weights: list[int]) -> None:
    assume(sum(weights) != 0)
    assert allocate(amount, [-w for w in weights]) == allocate(amount, weights)


@SETTINGS
@given(amount=amounts, n=st.integers(min_value=1, max_value=20))
def test_equal_weights_differ_by_at_most_one_and_earliest_get_more(amount: int, n: int) -> None:
    parts = allocate(amount, [1] * n)
    assert max(parts) - min(parts) <= 1
    assert parts == sorted(parts, reverse=True)


@SETTINGS
@given(
    amount=amounts,
    weights=st.lists(st.integers(min_value=-(10**6), max_value=10**6), min_size=1, max_size=8),
)
def test_zero_weight_sum_requires_zero_amount(amount: int, weights: list[int]) -> None:
    weights = [*weights, -sum(weights)]  # force a zero sum
    if amount == 0:
        assert allocate(amount, weights) == [0] * len(weights)
    else:
        with pytest.raises(ValueError, match="zero weights"):
            allocate(amount, weights)
