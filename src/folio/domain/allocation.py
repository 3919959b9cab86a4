"""Largest-remainder allocation: split an integer amount across weights so the parts
sum exactly to the amount."""

from __future__ import annotations

from collections.abc import Sequence


def allocate(amount: int, weights: Sequence[int]) -> list[int]:
    """Split `amount` in proportion to `weights` (any signs, non-zero sum).

    Each part is the floor of its exact share (integer arithmetic, no precision loss);
    the remainder, always in [0, n), goes one unit at a time to the parts with the
    largest fractional share, ties to the earliest. With a zero weight sum every part is
    zero, which requires `amount` to be zero too.
    """
    if not weights:
        if amount != 0:
            raise ValueError("cannot allocate a non-zero amount over no weights")
        return []
    total_weight = sum(weights)
    if total_weight == 0:
        if amount != 0:
            raise ValueError("cannot allocate a non-zero amount over zero weights")
        return [0 for _ in weights]
    sign = 1 if total_weight > 0 else -1
    denominator = total_weight * sign
    numerators = [amount * w * sign for w in weights]
    parts = [n // denominator for n in numerators]
    fractions = [n % denominator for n in numerators]
    remainder = amount - sum(parts)
    order = sorted(range(len(weights)), key=lambda i: (-fractions[i], i))
    for i in order[:remainder]:
        parts[i] += 1
    return parts
