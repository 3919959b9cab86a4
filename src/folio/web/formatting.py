"""Amounts and dates for people, localised with Babel (CLDR)."""

from __future__ import annotations

from datetime import UTC, datetime

from babel.dates import format_date
from babel.numbers import format_currency

from folio.domain.money import exponent, to_major


def money(amount: int, currency: str, locale: str = "en") -> str:
    """Exact: the minor units become a Decimal with the ISO exponent's digits, shown with
    exactly those digits (Babel's CLDR digits differ from ISO for some currencies)."""
    digits = exponent(currency)
    pattern = None if digits == 2 else "¤#,##0" + ("." + "0" * digits if digits else "")
    return format_currency(to_major(amount, currency), currency.upper(), format=pattern,
                           locale=locale, currency_digits=False)


def day(timestamp: int | None, locale: str = "en") -> str:
    if timestamp is None:
        return ""
    return format_date(datetime.fromtimestamp(timestamp, UTC).date(), format="long",
                       locale=locale)
