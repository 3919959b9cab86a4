"""Unit and property tests for folio.domain.numbering."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from folio.domain.errors import InvalidInput
from folio.domain.numbering import (
    DEFAULT_CREDIT_NOTE_PATTERN,
    DEFAULT_INVOICE_PATTERN,
    PER_CUSTOMER_PATTERN,
    SeriesSlot,
    slot_for,
    validate_pattern,
)

SETTINGS = settings(max_examples=200, deadline=None)

TEXT_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-/."
PLACEHOLDERS = ["{YYYY}", "{YY}", "{MM}", "{CUSTOMER}"]


def slot(pattern: str, year: int = 2026, month: int = 1, customer: str = "GJXQAHMC") -> SeriesSlot:
    return slot_for(pattern, year=year, month=month, customer_prefix=customer)


# --------------------------------------------------------------------------- validate_pattern


@pytest.mark.parametrize(
    "pattern",
    [
        "INV-{YYYY}-{SEQ:6}",
        "{CUSTOMER}-{SEQ:4}",
        "CN-{YYYY}-{SEQ:6}",
        "{SEQ}",
        "{SEQ:1}",
        "{SEQ:12}",
        "INV/{YY}/{MM}/{SEQ:3}",
        "A.B_C-{SEQ:2}-X",
        "INV-{SEQ:6}-{YYYY}",
        "{YYYY}{MM}{SEQ:5}",
        "{CUSTOMER}/{YYYY}/{SEQ}",
        "x" * 59 + "{SEQ}",  # exactly 64 characters
    ],
)
def test_validate_pattern_accepts(pattern: str) -> None:
    assert validate_pattern(pattern) == pattern


def test_default_patterns_are_valid() -> None:
    assert DEFAULT_INVOICE_PATTERN == "INV-{YYYY}-{SEQ:6}"
    assert PER_CUSTOMER_PATTERN == "{CUSTOMER}-{SEQ:4}"
    for pattern in (DEFAULT_INVOICE_PATTERN, PER_CUSTOMER_PATTERN, DEFAULT_CREDIT_NOTE_PATTERN):
        assert validate_pattern(pattern) == pattern


@pytest.mark.parametrize(
    "pattern",
    [
        "",
        "INV-{YYYY}",  # no counter
        "INV-0001",
        "{SEQ:123}",  # width has at most two digits, so this is no counter at all
        "{SEQ:}",
        "{seq}",
        "{SEQ}{SEQ:4}",  # two counters
        "INV-{SEQ:4}-{SEQ}",
        "{SEQ}-{SEQ}",
    ],
)
def test_validate_pattern_refuses_zero_or_two_counters(pattern: str) -> None:
    with pytest.raises(InvalidInput, match="exactly one") as exc:
        validate_pattern(pattern)
    assert exc.value.param == "number_pattern"


@pytest.mark.parametrize(
    "pattern",
    [
        "INV {SEQ}",  # space
        "INV#{SEQ}",
        "INV-{SEQ}?",
        "{FOO}-{SEQ}",  # unknown placeholder
        "{yyyy}-{SEQ}",  # placeholders are case-sensitive
        "{YYYY-{SEQ}",
        "INV}-{SEQ}",
        "ÄB-{SEQ}",  # non-ASCII letter
        "INV\t{SEQ}",
        "INV\\{SEQ}",
        "x" * 60 + "{SEQ}",  # 65 characters: too long
    ],
)
def test_validate_pattern_refuses_bad_characters_and_long_patterns(pattern: str) -> None:
    with pytest.raises(InvalidInput, match="may hold") as exc:
        validate_pattern(pattern)
    assert exc.value.param == "number_pattern"


def test_validate_pattern_refuses_trailing_newline() -> None:
    with pytest.raises(InvalidInput):
        validate_pattern("INV-{SEQ:4}\n")


# --------------------------------------------------------------------------- slot_for


def test_default_pattern_renders_year_and_six_digit_counter() -> None:
    s = slot(DEFAULT_INVOICE_PATTERN, year=2026)
    assert s == SeriesSlot(series="INV-2026-", width=6, suffix="")
    assert s.format(123) == "INV-2026-000123"
    assert s.format(1) == "INV-2026-000001"
    assert s.format(999_999) == "INV-2026-999999"
    assert s.format(1_234_567) == "INV-2026-1234567"  # overflows the width, never truncates
    assert s.key == "INV-2026-#"


def test_per_customer_pattern() -> None:
    s = slot(PER_CUSTOMER_PATTERN, customer="GJXQAHMC")
    assert s.format(1) == "GJXQAHMC-0001"
    assert s.series == "GJXQAHMC-"
    assert s.width == 4
    assert s.key == "GJXQAHMC-#"


def test_credit_note_pattern() -> None:
    assert slot(DEFAULT_CREDIT_NOTE_PATTERN, year=2025).format(42) == "CN-2025-000042"


@pytest.mark.parametrize(
    ("pattern", "year", "month", "customer", "counter", "expected"),
    [
        ("{SEQ}", 2026, 1, "C", 7, "0007"),  # default width 4
        ("{SEQ:1}", 2026, 1, "C", 7, "7"),
        ("{SEQ:0}", 2026, 1, "C", 7, "7"),
        ("{YY}{MM}-{SEQ:3}", 2026, 3, "C", 7, "2603-007"),
        ("{YY}-{SEQ:2}", 2005, 12, "C", 5, "05-05"),
        ("{YYYY}/{MM}/{SEQ:2}", 999, 9, "C", 5, "0999/09/05"),
        ("INV-{SEQ:3}-{YYYY}", 2026, 1, "C", 42, "INV-042-2026"),
        ("{CUSTOMER}/{YYYY}/{SEQ:5}", 2026, 1, "ACME", 12, "ACME/2026/00012"),
        ("{CUSTOMER}-{YY}-{SEQ:2}-{MM}", 2030, 11, "X1", 3, "X1-30-03-11"),
    ],
)
def test_slot_for_rendering(
    pattern: str, year: int, month: int, customer: str, counter: int, expected: str
) -> None:
    validate_pattern(pattern)
    assert slot(pattern, year=year, month=month, customer=customer).format(counter) == expected


def test_suffix_is_part_of_the_key() -> None:
    s = slot("INV-{SEQ:3}-{YYYY}", year=2026)
    assert s.series == "INV-"
    assert s.suffix == "-2026"
    assert s.key == "INV-#-2026"
    assert slot("INV-{SEQ:3}-{YYYY}", year=2027).key != s.key


def test_key_differs_across_years_and_customers() -> None:
    a = slot(DEFAULT_INVOICE_PATTERN, year=2025)
    b = slot(DEFAULT_INVOICE_PATTERN, year=2026)
    assert a.key != b.key
    c = slot(PER_CUSTOMER_PATTERN, customer="AAAA")
    d = slot(PER_CUSTOMER_PATTERN, customer="BBBB")
    assert c.key != d.key
    # the year does not matter for a pattern without a year placeholder
    assert slot(PER_CUSTOMER_PATTERN, year=2025, customer="AAAA").key == c.key
    # and the customer does not matter for a pattern without {CUSTOMER}
    assert slot(DEFAULT_INVOICE_PATTERN, year=2026, customer="ZZZZ").key == b.key


def test_month_only_matters_with_a_month_placeholder() -> None:
    assert slot(DEFAULT_INVOICE_PATTERN, month=1).key == slot(DEFAULT_INVOICE_PATTERN, month=2).key
    monthly = "INV-{YYYY}{MM}-{SEQ}"
    assert slot(monthly, month=1).key != slot(monthly, month=2).key


def test_slot_for_without_a_counter_raises() -> None:
    with pytest.raises(InvalidInput) as exc:
        slot("INV-{YYYY}")
    assert exc.value.param == "number_pattern"


def test_series_slot_is_frozen() -> None:
    s = slot(DEFAULT_INVOICE_PATTERN)
    with pytest.raises(AttributeError):
        s.width = 3  # type: ignore[misc]


# --------------------------------------------------------------------------- properties

text_segments = st.text(alphabet=TEXT_ALPHABET, max_size=6)
segments = st.lists(st.one_of(text_segments, st.sampled_from(PLACEHOLDERS)), max_size=4)
seq_tokens = st.one_of(
    st.just("{SEQ}"), st.integers(min_value=1, max_value=12).map(lambda n: f"{{SEQ:{n}}}")
)
customers = st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ23456789", min_size=4, max_size=8)


@st.composite
def valid_patterns(draw: st.DrawFn) -> str:
    before = "".join(draw(segments))
    after = "".join(draw(segments))
    pattern = before + draw(seq_tokens) + after
    assume(len(pattern) <= 64)
    return pattern


@SETTINGS
@given(
    pattern=valid_patterns(),
    year=st.integers(min_value=1000, max_value=9999),
    month=st.integers(min_value=1, max_value=12),
    customer=customers,
    counter=st.integers(min_value=1, max_value=10**7),
)
def test_valid_patterns_render_and_parse_back(
    pattern: str, year: int, month: int, customer: str, counter: int
) -> None:
    assert validate_pattern(pattern) == pattern
    s = slot(pattern, year=year, month=month, customer=customer)
    number = s.format(counter)
    assert number.startswith(s.series)
    assert number.endswith(s.suffix)
    digits = number[len(s.series) : len(number) - len(s.suffix)]
    assert digits.isdigit()
    assert int(digits) == counter
    assert len(digits) == max(s.width, len(str(counter)))
    assert "{" not in number
    assert "}" not in number


@SETTINGS
@given(
    pattern=valid_patterns(),
    customer=customers,
    year=st.integers(min_value=1000, max_value=9998),
)
def test_key_changes_with_year_when_the_pattern_has_a_year(
    pattern: str, customer: str, year: int
) -> None:
    this_year = slot(pattern, year=year, customer=customer)
    next_year = slot(pattern, year=year + 1, customer=customer)
    if "{YYYY}" in pattern or "{YY}" in pattern:
        assert this_year.key != next_year.key
    else:
        assert this_year.key == next_year.key


@SETTINGS
@given(pattern=valid_patterns(), a=customers, b=customers)
def test_key_changes_with_customer_when_the_pattern_has_a_customer(
    pattern: str, a: str, b: str
) -> None:
    assume(a != b)
    if "{CUSTOMER}" in pattern:
        assert slot(pattern, customer=a).key != slot(pattern, customer=b).key
    else:
        assert slot(pattern, customer=a).key == slot(pattern, customer=b).key


@SETTINGS
@given(before=segments, middle=segments, first=seq_tokens, second=seq_tokens)
def test_two_counters_are_always_refused(
    before: list[str], middle: list[str], first: str, second: str
) -> None:
    pattern = "".join(before) + first + "".join(middle) + second
    with pytest.raises(InvalidInput):
        validate_pattern(pattern)


@SETTINGS
@given(
    pattern=valid_patterns(),
    bad=st.characters(
        blacklist_categories=("Cs",),
        blacklist_characters=TEXT_ALPHABET + "{}\n",
    ),
    position=st.integers(min_value=0, max_value=64),
)
def test_any_other_character_is_refused(pattern: str, bad: str, position: int) -> None:
    # insert the bad character at a boundary that does not split a placeholder
    cut = min(position, len(pattern))
    while cut > 0 and pattern.rfind("{", 0, cut) > pattern.rfind("}", 0, cut):
        cut -= 1
    with pytest.raises(InvalidInput):
        validate_pattern(pattern[:cut] + bad + pattern[cut:])


def test_validate_pattern_refuses_non_ascii_counter_width() -> None:
    with pytest.raises(InvalidInput):
        validate_pattern("INV-{SEQ:\u0663}")
