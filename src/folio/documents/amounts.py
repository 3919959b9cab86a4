"""Decimal text of the model's values, for the serialisers: exact, never through a float.
Amounts keep the currency's minor-unit digits ("12.30" EUR, "1230" JPY, "1.230" KWD)."""

from __future__ import annotations

from decimal import Decimal, localcontext

from folio.domain.money import exponent, format_decimal, to_major


def amount_text(amount: int, currency: str) -> str:
    """Minor units to major-unit text with exactly the currency's decimals."""
    return format(to_major(amount, currency), "f")


def amount_value(amount: int, currency: str) -> Decimal:
    """The same as a Decimal whose text is `amount_text` (for libraries that call str())."""
    return Decimal(amount_text(amount, currency))


def price_text(minor: Decimal, currency: str) -> str:
    """A price in minor units (possibly finer than the minor unit) as major-unit text."""
    with localcontext() as context:
        context.prec = 80
        return format_decimal(minor.scaleb(-exponent(currency)))


def decimal_text(value: Decimal) -> str:
    """Quantities and percentages: no exponent, no trailing zeros."""
    return format_decimal(value)


def tax_deviation(tax: int, taxable: int, rate: Decimal) -> Decimal:
    """How far a tax amount is from taxable x rate / 100, in minor units (exact)."""
    with localcontext() as context:
        context.prec = 80
        return abs(Decimal(tax) - Decimal(taxable) * rate / 100)


def minor_per_major(currency: str) -> int:
    return int(10 ** exponent(currency))
