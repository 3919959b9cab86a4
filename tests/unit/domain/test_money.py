"""Unit and property tests for folio.domain.money."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from folio.domain.errors import InvalidInput
from folio.domain.money import (
    CURRENCY_EXPONENTS,
    MAX_QUANTITY_DIGITS,
    RoundingMode,
    exponent,
    floor_int,
    format_decimal,
    from_major,
    normalize_currency,
    parse_decimal,
    round_minor,
    to_major,
)

SETTINGS = settings(max_examples=200, deadline=None)

ALL_CURRENCIES = sorted(CURRENCY_EXPONENTS)


def reference_round(value: Fraction, mode: RoundingMode) -> int:
    """Round to an integer: ties away from zero (HALF_UP) or to even (HALF_EVEN)."""
    low = math.floor(value)
    diff = value - low
    if diff > Fraction(1, 2):
        return low + 1
    if diff < Fraction(1, 2):
        return low
    if mode is RoundingMode.HALF_UP:
        return low + 1 if value > 0 else low
    return low if low % 2 == 0 else low + 1


def decimals(max_digits: int = 20, min_scale: int = -8, max_scale: int = 8) -> st.SearchStrategy:
    return st.builds(
        lambda m, s: Decimal(m).scaleb(s),
        st.integers(min_value=-(10**max_digits) + 1, max_value=10**max_digits - 1),
        st.integers(min_value=min_scale, max_value=max_scale),
    )


# --------------------------------------------------------------------------- rounding


def test_rounding_mode_values_and_decimal_modes() -> None:
    assert RoundingMode("half_up") is RoundingMode.HALF_UP
    assert RoundingMode("half_even") is RoundingMode.HALF_EVEN
    assert RoundingMode.HALF_UP.decimal_mode == ROUND_HALF_UP
    assert RoundingMode.HALF_EVEN.decimal_mode == ROUND_HALF_EVEN


@pytest.mark.parametrize(
    ("value", "half_up", "half_even"),
    [
        ("0", 0, 0),
        ("2.5", 3, 2),
        ("3.5", 4, 4),
        ("0.5", 1, 0),
        ("1.5", 2, 2),
        ("-0.5", -1, 0),
        ("-2.5", -3, -2),
        ("-3.5", -4, -4),
        ("2.4999999", 2, 2),
        ("2.5000001", 3, 3),
        ("-2.5000001", -3, -3),
        ("1999.8", 2000, 2000),
        ("123456789012345.5", 123456789012346, 123456789012346),
        ("7", 7, 7),
        ("7.000", 7, 7),
    ],
)
def test_round_minor_examples(value: str, half_up: int, half_even: int) -> None:
    up = round_minor(Decimal(value), RoundingMode.HALF_UP)
    even = round_minor(Decimal(value), RoundingMode.HALF_EVEN)
    assert (up, even) == (half_up, half_even)
    assert type(up) is int
    assert type(even) is int


@SETTINGS
@given(value=decimals(), mode=st.sampled_from(RoundingMode))
def test_round_minor_matches_exact_reference(value: Decimal, mode: RoundingMode) -> None:
    result = round_minor(value, mode)
    assert result == reference_round(Fraction(value), mode)
    assert abs(result - Fraction(value)) <= Fraction(1, 2)


@SETTINGS
@given(n=st.integers(min_value=-(10**15), max_value=10**15), mode=st.sampled_from(RoundingMode))
def test_round_minor_of_exact_halves(n: int, mode: RoundingMode) -> None:
    value = Decimal(n) + Decimal("0.5")
    result = round_minor(value, mode)
    assert result in (n, n + 1)
    if mode is RoundingMode.HALF_EVEN:
        assert result % 2 == 0
    else:
        assert result == (n + 1 if value > 0 else n)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2.7", 2), ("2", 2), ("-2.1", -3), ("-2", -2), ("0.999", 0), ("-0.001", -1)],
)
def test_floor_int(value: str, expected: int) -> None:
    assert floor_int(Decimal(value)) == expected


# --------------------------------------------------------------------------- parse_decimal


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1.5", Decimal("1.5")),
        ("0.000125", Decimal("0.000125")),
        ("-2", Decimal("-2")),
        ("0", Decimal("0")),
        ("0.000", Decimal("0")),
        (3, Decimal(3)),
        (0, Decimal(0)),
        (-42, Decimal(-42)),
        (Decimal("1.25"), Decimal("1.25")),
        ("123456789012", Decimal("123456789012")),  # exactly 12 significant digits
        ("0.123456789012", Decimal("0.123456789012")),
        ("1.00000000000000000000", Decimal(1)),  # trailing zeros are not significant
        ("1E+20", Decimal("1E+20")),
        (10**20, Decimal(10**20)),
        (999_999_999_999, Decimal(999_999_999_999)),
    ],
)
def test_parse_decimal_accepts(raw: object, expected: Decimal) -> None:
    result = parse_decimal(raw, param="quantity")
    assert isinstance(result, Decimal)
    assert result == expected


@pytest.mark.parametrize(
    "raw",
    [1.5, 0.0, 2.0, True, False, None, [], {}, b"1", object()],
)
def test_parse_decimal_rejects_non_decimal_types(raw: object) -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_decimal(raw, param="quantity")
    assert exc.value.param == "quantity"
    assert exc.value.code == "parameter_invalid"


@pytest.mark.parametrize(
    "raw",
    ["NaN", "nan", "-NaN", "sNaN", "Infinity", "-Infinity", "inf", "-inf", Decimal("NaN"),
     Decimal("Infinity"), Decimal("-Infinity")],
)
def test_parse_decimal_rejects_non_finite(raw: object) -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_decimal(raw, param="unit_amount")
    assert exc.value.param == "unit_amount"


@pytest.mark.parametrize("raw", ["", "abc", "1.2.3", "1,5", "--1", "0x10", "1e"])
def test_parse_decimal_rejects_garbage(raw: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_decimal(raw, param="quantity")
    assert exc.value.param == "quantity"


@pytest.mark.parametrize(
    "raw",
    ["1234567890123", "0.1234567890123", "1.000000000001", "-1234567890.123",
     1_234_567_890_123, Decimal("1234567.890123")],
)
def test_parse_decimal_rejects_more_than_12_significant_digits(raw: object) -> None:
    with pytest.raises(InvalidInput, match="significant digits") as exc:
        parse_decimal(raw, param="quantity")
    assert exc.value.param == "quantity"


def test_parse_decimal_custom_max_digits() -> None:
    assert parse_decimal("123", param="p", max_digits=3) == Decimal(123)
    with pytest.raises(InvalidInput):
        parse_decimal("1234", param="p", max_digits=3)
    assert MAX_QUANTITY_DIGITS == 12


@SETTINGS
@given(
    mantissa=st.integers(min_value=-(10**12) + 1, max_value=10**12 - 1),
    scale=st.integers(min_value=-15, max_value=15),
    as_string=st.booleans(),
)
def test_parse_decimal_accepts_any_value_with_up_to_12_digits(
    mantissa: int, scale: int, as_string: bool
) -> None:
    value = Decimal(mantissa).scaleb(scale)
    raw: object = str(value) if as_string else value
    assert parse_decimal(raw, param="q") == value


@SETTINGS
@given(
    mantissa=st.integers(min_value=10**12, max_value=10**20).filter(lambda m: m % 10 != 0),
    negative=st.booleans(),
    scale=st.integers(min_value=-15, max_value=5),
)
def test_parse_decimal_rejects_any_value_with_13_or_more_digits(
    mantissa: int, negative: bool, scale: int
) -> None:
    value = Decimal(-mantissa if negative else mantissa).scaleb(scale)
    with pytest.raises(InvalidInput):
        parse_decimal(str(value), param="q")


@SETTINGS
@given(value=st.floats(allow_nan=True, allow_infinity=True))
def test_parse_decimal_never_accepts_a_float(value: float) -> None:
    with pytest.raises(InvalidInput):
        parse_decimal(value, param="q")


# --------------------------------------------------------------------------- currencies


@pytest.mark.parametrize(
    ("code", "expected"),
    [("JPY", 0), ("EUR", 2), ("KWD", 3), ("USD", 2), ("GBP", 2), ("BHD", 3), ("CLP", 0),
     ("CLF", 4), ("KRW", 0)],
)
def test_exponents(code: str, expected: int) -> None:
    assert CURRENCY_EXPONENTS[code] == expected
    assert exponent(code) == expected
    assert exponent(code.lower()) == expected


def test_exponent_table_is_upper_case_and_sane() -> None:
    assert len(CURRENCY_EXPONENTS) >= 40
    for code, exp in CURRENCY_EXPONENTS.items():
        assert code == code.upper()
        assert len(code) == 3
        assert isinstance(exp, int)
        assert 0 <= exp <= 4


@pytest.mark.parametrize(
    ("code", "expected"),
    [("EUR", "eur"), ("eur", "eur"), ("Eur", "eur"), (" usd ", "usd"), ("JPY", "jpy"),
     ("kwd", "kwd")],
)
def test_normalize_currency(code: str, expected: str) -> None:
    assert normalize_currency(code) == expected


@pytest.mark.parametrize("code", ["", "XYZ", "EURO", "EU", "€", "eur1", "US D"])
def test_normalize_currency_rejects_unknown(code: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        normalize_currency(code)
    assert exc.value.code == "currency_invalid"
    assert exc.value.param == "currency"


@SETTINGS
@given(code=st.sampled_from(ALL_CURRENCIES))
def test_normalize_currency_every_known_code(code: str) -> None:
    assert normalize_currency(code) == code.lower()
    assert normalize_currency(code.lower()) == code.lower()
    assert normalize_currency(normalize_currency(code)) == code.lower()


# --------------------------------------------------------------------------- major / minor


@pytest.mark.parametrize(
    ("amount", "currency", "major"),
    [
        (12345, "EUR", "123.45"),
        (12345, "eur", "123.45"),
        (-5, "EUR", "-0.05"),
        (0, "EUR", "0"),
        (1000, "JPY", "1000"),
        (1234, "KWD", "1.234"),
        (1, "KWD", "0.001"),
        (12345, "CLF", "1.2345"),
    ],
)
def test_to_major_examples(amount: int, currency: str, major: str) -> None:
    assert to_major(amount, currency) == Decimal(major)
    assert from_major(Decimal(major), currency) == amount


@pytest.mark.parametrize(
    ("major", "currency", "amount"),
    [
        ("1.50", "EUR", 150),
        ("1.500", "EUR", 150),  # trailing zeros are fine
        ("1.5", "EUR", 150),
        ("1E+2", "EUR", 10000),
        ("100", "JPY", 100),
        ("100.000", "JPY", 100),
        ("1.2", "KWD", 1200),
        ("-0.01", "USD", -1),
    ],
)
def test_from_major_examples(major: str, currency: str, amount: int) -> None:
    result = from_major(Decimal(major), currency)
    assert result == amount
    assert type(result) is int


@pytest.mark.parametrize(
    ("major", "currency"),
    [("0.001", "EUR"), ("1.005", "USD"), ("1.5", "JPY"), ("0.1", "JPY"), ("0.0001", "KWD"),
     ("-0.001", "EUR"), ("0.00001", "CLF")],
)
def test_from_major_refuses_too_fine_amounts(major: str, currency: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        from_major(Decimal(major), currency)
    assert exc.value.param == "amount"
    assert currency.upper() in exc.value.message


@SETTINGS
@given(
    amount=st.integers(min_value=-(10**18), max_value=10**18),
    currency=st.sampled_from(ALL_CURRENCIES),
    lower=st.booleans(),
)
def test_major_minor_round_trip_for_every_currency(
    amount: int, currency: str, lower: bool
) -> None:
    code = currency.lower() if lower else currency
    major = to_major(amount, code)
    assert Fraction(major) == Fraction(amount, 10 ** CURRENCY_EXPONENTS[currency])
    assert from_major(major, code) == amount
    # the text form survives a round trip too
    assert from_major(Decimal(format_decimal(major)), code) == amount


@SETTINGS
@given(
    amount=st.integers(min_value=-(10**15), max_value=10**15),
    currency=st.sampled_from(ALL_CURRENCIES),
    extra=st.integers(min_value=1, max_value=9),
)
def test_from_major_refuses_anything_finer_than_the_minor_unit(
    amount: int, currency: str, extra: int
) -> None:
    too_fine = to_major(amount, currency) + Decimal(extra).scaleb(-(exponent(currency) + 1))
    with pytest.raises(InvalidInput):
        from_major(too_fine, currency)


# --------------------------------------------------------------------------- format_decimal


@pytest.mark.parametrize(
    ("value", "text"),
    [("1.500", "1.5"), ("0.000", "0"), ("-0", "0"), ("1E+3", "1000"), ("0.000125", "0.000125"),
     ("100", "100"), ("-2.50", "-2.5")],
)
def test_format_decimal(value: str, text: str) -> None:
    assert format_decimal(Decimal(value)) == text


@SETTINGS
@given(value=decimals(max_digits=12, min_scale=-12, max_scale=6))
def test_format_decimal_round_trips_and_has_no_exponent(value: Decimal) -> None:
    text = format_decimal(value)
    assert "E" not in text.upper()
    assert Decimal(text) == value
    assert parse_decimal(text, param="q") == value
