"""Amounts, quantities, rates and dates for people, localised with Babel (CLDR). Exact:
amounts are integer minor units shown with exactly the ISO 4217 digits of the currency
(Babel's CLDR digits differ from ISO for some currencies); a unit price finer than the
minor unit keeps its extra digits."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

from folio.domain.money import exponent, to_major

DEFAULT_LOCALE = "en"


def babel_locale(locale: str | None) -> Locale:
    """`de-AT`, `fr_CH`, `en`: the Babel locale, English when unknown or malformed."""
    try:
        return Locale.parse((locale or DEFAULT_LOCALE).replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return Locale.parse(DEFAULT_LOCALE)


def _pattern(where: Locale, digits: int) -> str | None:
    """The locale's currency pattern with the currency's ISO digits (None: CLDR's own,
    right for two digits)."""
    if digits == 2:
        return None
    standard = str(where.currency_formats["standard"].pattern)
    return re.sub(r"0\.0+|0(?=[^0#,.]*$|[^0#,.]*;)", "0" + ("." + "0" * digits if digits
                                                              else ""), standard)


def money(amount: int, currency: str, locale: str | Locale | None = None) -> str:
    digits = exponent(currency)
    where = locale if isinstance(locale, Locale) else babel_locale(locale)
    return format_currency(to_major(amount, currency), currency.upper(),
                           format=_pattern(where, digits), locale=where,
                           currency_digits=False)


def unit_money(minor: Decimal, currency: str, locale: str | Locale | None = None) -> str:
    """A unit price in minor units (possibly fractional) as an amount of the currency,
    with at least the currency's digits and every significant digit beyond them."""
    digits = exponent(currency)
    where = locale if isinstance(locale, Locale) else babel_locale(locale)
    major = minor.scaleb(-digits)
    return format_currency(major, currency.upper(), format=_pattern(where, digits),
                           locale=where, currency_digits=False, decimal_quantization=False)


def number(value: Decimal, locale: str | Locale | None = None) -> str:
    """A quantity, every significant digit kept (1.5, 1,5, 2)."""
    where = locale if isinstance(locale, Locale) else babel_locale(locale)
    return format_decimal(value.normalize(), locale=where, decimal_quantization=False)


def percent(rate: Decimal, locale: str | Locale | None = None) -> str:
    """A rate in percent (19 -> "19%" in English, "19 %" in German and French)."""
    where = locale if isinstance(locale, Locale) else babel_locale(locale)
    pattern = where.percent_formats.get(None)
    text = format_decimal(rate.normalize(), locale=where, decimal_quantization=False)
    suffix = "\u00a0%" if pattern is not None and "\u00a0%" in str(pattern.pattern) else "%"
    return text + suffix


def day(value: date | None, locale: str | Locale | None = None) -> str:
    if value is None:
        return ""
    where = locale if isinstance(locale, Locale) else babel_locale(locale)
    return format_date(value, format="medium", locale=where)
