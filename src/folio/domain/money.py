"""Money: integer minor units, ISO 4217 exponents, one explicit rounding helper."""

from __future__ import annotations

from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from enum import Enum
from typing import Final

from folio.domain.errors import InvalidInput

# ISO 4217 minor-unit exponents. Loaded from the iso4217 package when present, with the
# common currencies pinned here so the domain never depends on an optional table.
_PINNED_EXPONENTS: Final[dict[str, int]] = {
    "BHD": 3, "CLF": 4, "CLP": 0, "IQD": 3, "ISK": 0, "JOD": 3, "JPY": 0, "KRW": 0,
    "KWD": 3, "LYD": 3, "OMR": 3, "PYG": 0, "TND": 3, "UGX": 0, "UYW": 4, "VND": 0,
    "XAF": 0, "XOF": 0, "XPF": 0, "BIF": 0, "DJF": 0, "GNF": 0, "KMF": 0, "RWF": 0,
    "VUV": 0, "EUR": 2, "USD": 2, "GBP": 2, "CHF": 2, "CAD": 2, "AUD": 2, "SEK": 2,
    "NOK": 2, "DKK": 2, "PLN": 2, "CZK": 2, "HUF": 2, "INR": 2, "BRL": 2, "MXN": 2,
}


def _load_exponents() -> dict[str, int]:
    table: dict[str, int] = {}
    try:
        import iso4217

        for cur in iso4217.Currency:
            exponent = cur.exponent
            if isinstance(exponent, int):
                table[cur.code.upper()] = exponent
    except Exception:  # pragma: no cover - the package is a declared dependency
        table = {}
    table.update(_PINNED_EXPONENTS)
    return table


CURRENCY_EXPONENTS: Final[dict[str, int]] = _load_exponents()

MAX_QUANTITY_DIGITS: Final = 12
# The largest amount of one line or invoice, in minor units (fits a 64-bit column with
# room for sums of many lines).
MAX_AMOUNT: Final = 10**15


class RoundingMode(str, Enum):
    HALF_UP = "half_up"
    HALF_EVEN = "half_even"

    @property
    def decimal_mode(self) -> str:
        return ROUND_HALF_UP if self is RoundingMode.HALF_UP else ROUND_HALF_EVEN


def normalize_currency(code: str) -> str:
    """Return the lower-case ISO 4217 code, or raise if the currency is unknown."""
    upper = code.strip().upper()
    if upper not in CURRENCY_EXPONENTS:
        raise InvalidInput(f"Unknown currency '{code}'.", param="currency", code="currency_invalid")
    return upper.lower()


def exponent(currency: str) -> int:
    try:
        return CURRENCY_EXPONENTS[currency.upper()]
    except KeyError:
        raise InvalidInput(f"Unknown currency '{currency}'.", param="currency",
                           code="currency_invalid") from None


def round_minor(value: Decimal, mode: RoundingMode) -> int:
    """Round a Decimal amount already expressed in minor units to an integer."""
    return int(value.quantize(Decimal(1), rounding=mode.decimal_mode))


def floor_int(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_FLOOR))


def parse_decimal(value: object, *, param: str, max_digits: int = MAX_QUANTITY_DIGITS) -> Decimal:
    """Parse a decimal from a string or int (never a float) with at most `max_digits`
    significant digits."""
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        raise InvalidInput(f"'{param}' must be a decimal string or an integer.", param=param)
    try:
        dec = Decimal(value) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        raise InvalidInput(f"'{param}' is not a valid decimal.", param=param) from None
    if not dec.is_finite():
        raise InvalidInput(f"'{param}' must be finite.", param=param)
    digits = len(dec.normalize().as_tuple().digits) if dec != 0 else 1
    if digits > max_digits:
        raise InvalidInput(
            f"'{param}' has more than {max_digits} significant digits.", param=param
        )
    return dec


def to_major(amount: int, currency: str) -> Decimal:
    """Exact conversion from minor units to a major-unit Decimal."""
    return Decimal(amount).scaleb(-exponent(currency))


def from_major(value: Decimal, currency: str) -> int:
    """Exact conversion from major units; refuses values finer than the minor unit."""
    if not value.is_finite():
        raise InvalidInput("Amount must be finite.", param="amount")
    scaled = value.scaleb(exponent(currency))
    if scaled != scaled.to_integral_value():
        raise InvalidInput(
            f"Amount {value} has more decimals than {currency.upper()} allows.", param="amount"
        )
    return int(scaled)


def format_decimal(value: Decimal) -> str:
    """Canonical text form of a Decimal: no exponent, no trailing zeros."""
    return format(value.normalize(), "f") if value != 0 else "0"
