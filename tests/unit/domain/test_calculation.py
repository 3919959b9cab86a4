"""Unit and property tests for folio.domain.calculation (the one calculation path)."""

from __future__ import annotations

import dataclasses
import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from folio.domain.calculation import (
    DiscountSpec,
    InvoiceInput,
    InvoiceTotals,
    LineInput,
    TaxRateSpec,
    amount_due,
    calculate,
    check_reconciles,
)
from folio.domain.errors import InvalidInput
from folio.domain.money import MAX_AMOUNT, RoundingMode, format_decimal, from_major, to_major

SETTINGS = settings(max_examples=200, deadline=None)

HALF_UP = RoundingMode.HALF_UP
HALF_EVEN = RoundingMode.HALF_EVEN

VAT20 = TaxRateSpec(id="vat20", percentage=Decimal("20"), inclusive=False, display_name="VAT")
CITY5 = TaxRateSpec(id="city5", percentage=Decimal("5"), inclusive=False)
VAT10 = TaxRateSpec(id="vat10", percentage=Decimal("10"), inclusive=False)
VAT0 = TaxRateSpec(id="vat0", percentage=Decimal("0"), inclusive=False)
INCL19 = TaxRateSpec(id="incl19", percentage=Decimal("19"), inclusive=True, country="DE")
INCL100 = TaxRateSpec(id="incl100", percentage=Decimal("100"), inclusive=True)


def line(
    quantity: str | int,
    unit_amount: str | int,
    *rates: TaxRateSpec,
    discounts: tuple[DiscountSpec, ...] = (),
) -> LineInput:
    return LineInput(
        quantity=Decimal(quantity),
        unit_amount=Decimal(unit_amount),
        tax_rates=tuple(rates),
        discounts=discounts,
    )


def invoice(
    *lines: LineInput,
    currency: str = "eur",
    rounding: RoundingMode = HALF_UP,
    discounts: tuple[DiscountSpec, ...] = (),
    default_tax_rates: tuple[TaxRateSpec, ...] = (),
    credit_balance: int = 0,
) -> InvoiceInput:
    return InvoiceInput(
        currency=currency,
        lines=tuple(lines),
        rounding=rounding,
        discounts=discounts,
        default_tax_rates=default_tax_rates,
        credit_balance=credit_balance,
    )


def pct(value: str) -> DiscountSpec:
    return DiscountSpec(percent_off=Decimal(value))


def off(amount: int) -> DiscountSpec:
    return DiscountSpec(amount_off=amount)


# --------------------------------------------------------------------------- reference model


def ref_round(value: Fraction, mode: RoundingMode) -> int:
    low = math.floor(value)
    diff = value - low
    if diff > Fraction(1, 2):
        return low + 1
    if diff < Fraction(1, 2):
        return low
    if mode is HALF_UP:
        return low + 1 if value > 0 else low
    return low if low % 2 == 0 else low + 1


def ref_discount(remaining: int, spec: DiscountSpec, mode: RoundingMode) -> int:
    if remaining <= 0:
        return 0
    if spec.percent_off is not None:
        wanted = ref_round(Fraction(remaining) * Fraction(spec.percent_off) / 100, mode)
    else:
        assert spec.amount_off is not None
        wanted = spec.amount_off
    return min(wanted, remaining)


def ref_group_tax(base: int, rate: TaxRateSpec, mode: RoundingMode) -> int:
    p = Fraction(rate.percentage)
    if rate.inclusive:
        return ref_round(Fraction(base) * p / (100 + p), mode)
    return ref_round(Fraction(base) * p / 100, mode)


def assert_invariants(inv: InvoiceInput, totals: InvoiceTotals) -> None:
    """Every reconciliation invariant, checked against an exact (Fraction) reference."""
    mode = inv.rounding
    assert check_reconciles(totals) == []
    assert totals.currency == inv.currency
    assert totals.rounding is mode
    assert len(totals.lines) == len(inv.lines)

    # 1. line amounts
    amounts = [
        ref_round(Fraction(li.quantity) * Fraction(li.unit_amount), mode) for li in inv.lines
    ]
    assert [r.amount for r in totals.lines] == amounts
    assert sum(r.amount for r in totals.lines) == totals.subtotal

    # 2. discounts: line-level first (exact reference), then invoice-level
    line_level = []
    for li, amount in zip(inv.lines, amounts, strict=True):
        remaining = amount
        taken_here = 0
        for spec in li.discounts:
            taken = ref_discount(remaining, spec, mode)
            taken_here += taken
            remaining -= taken
        line_level.append(taken_here)
    after_line = [a - d for a, d in zip(amounts, line_level, strict=True)]
    base = sum(max(r, 0) for r in after_line)
    expected_invoice_discounts = []
    for spec in inv.discounts:
        taken = ref_discount(base, spec, mode)
        expected_invoice_discounts.append(taken)
        base -= taken
    assert list(totals.invoice_discount_amounts) == expected_invoice_discounts

    invoice_level = [
        r.discount_amount - ll for r, ll in zip(totals.lines, line_level, strict=True)
    ]
    assert sum(invoice_level) == sum(expected_invoice_discounts)
    for share, before in zip(invoice_level, after_line, strict=True):
        # invoice discounts only touch positive lines and never push one below zero
        assert 0 <= share <= max(before, 0)
    if len(inv.discounts) == 1 and expected_invoice_discounts[0] > 0:
        weights = [max(r, 0) for r in after_line]
        taken = expected_invoice_discounts[0]
        for share, w in zip(invoice_level, weights, strict=True):
            assert abs(share - Fraction(taken * w, sum(weights))) < 1
    assert sum(r.discount_amount for r in totals.lines) == totals.discount_total
    assert totals.discount_total == sum(line_level) + sum(expected_invoice_discounts)
    for r in totals.lines:
        if r.amount >= 0:
            assert 0 <= r.discount_amount <= r.amount
            assert r.amount - r.discount_amount >= 0
        else:
            assert r.discount_amount == 0

    # 3. customer credit: before tax, over the lines left positive by the discounts
    assert_credit_invariants(inv, totals)

    # 4. tax groups, in order of first appearance, allocated back to the lines
    remaining = [r.amount - r.discount_amount - r.credit_amount for r in totals.lines]
    line_rates = [li.tax_rates or inv.default_tax_rates for li in inv.lines]
    members: dict[str, list[int]] = {}
    specs: dict[str, TaxRateSpec] = {}
    for i, rates in enumerate(line_rates):
        for rate in rates:
            members.setdefault(rate.id, []).append(i)
            specs.setdefault(rate.id, rate)
    assert [g.rate.id for g in totals.tax_groups] == list(members)
    for group in totals.tax_groups:
        rid = group.rate.id
        group_base = sum(remaining[i] for i in members[rid])
        expected_tax = ref_group_tax(group_base, specs[rid], mode)
        assert group.amount == expected_tax
        if group.rate.inclusive:
            assert group.taxable_amount == group_base - expected_tax
        else:
            assert group.taxable_amount == group_base
        allocated = 0
        taxable = 0
        for i in members[rid]:
            [lt] = [t for t in totals.lines[i].taxes if t.rate.id == rid]
            allocated += lt.amount
            taxable += lt.taxable_amount
            if group_base != 0:
                assert abs(lt.amount - Fraction(expected_tax * remaining[i], group_base)) < 1
            else:
                assert lt.amount == 0
            if group.rate.inclusive:
                assert lt.taxable_amount == remaining[i] - lt.amount
            else:
                assert lt.taxable_amount == remaining[i]
        # per rate group: the line allocations add up to the group amount
        assert allocated == group.amount
        assert taxable == group.taxable_amount
    for i, r in enumerate(totals.lines):
        assert sorted(t.rate.id for t in r.taxes) == sorted(rate.id for rate in line_rates[i])

    # 5. totals
    assert sum(r.tax_amount for r in totals.lines) == totals.tax_total
    assert sum(g.amount for g in totals.tax_groups) == totals.tax_total
    assert sum(r.exclusive_tax for r in totals.lines) == totals.exclusive_tax
    assert totals.exclusive_tax == sum(g.amount for g in totals.tax_groups if not g.rate.inclusive)
    assert totals.total == (totals.subtotal - totals.discount_total - totals.credit_applied
                            + totals.exclusive_tax)
    assert totals.total_excluding_tax == totals.total - totals.tax_total


def assert_credit_invariants(inv: InvoiceInput, totals: InvoiceTotals) -> None:
    after_discounts = [r.amount - r.discount_amount for r in totals.lines]
    assert sum(r.credit_amount for r in totals.lines) == totals.credit_applied
    # never more than offered, never more than the amount left after discounts
    assert 0 <= totals.credit_applied <= inv.credit_balance
    assert totals.credit_applied <= max(sum(after_discounts), 0)
    for r, before in zip(totals.lines, after_discounts, strict=True):
        # only positive lines take credit, and none is pushed below zero
        assert 0 <= r.credit_amount <= max(before, 0)
    if totals.credit_applied:
        assert totals.total >= 0  # credit never makes a total negative
        weights = [max(b, 0) for b in after_discounts]
        for r, w in zip(totals.lines, weights, strict=True):
            assert abs(r.credit_amount - Fraction(totals.credit_applied * w, sum(weights))) < 1


# --------------------------------------------------------------------------- strategies

CURRENCIES = ["JPY", "EUR", "KWD", "jpy", "eur", "kwd"]  # exponents 0, 2, 3


def scaled(mantissas: st.SearchStrategy[int], max_scale: int) -> st.SearchStrategy[Decimal]:
    return st.builds(
        lambda m, s: Decimal(m).scaleb(-s), mantissas, st.integers(min_value=0, max_value=max_scale)
    )


quantities = st.one_of(
    st.integers(min_value=0, max_value=100).map(Decimal),
    scaled(st.integers(min_value=0, max_value=10**12 - 1), 12),  # up to 12 significant digits
    st.sampled_from(
        [Decimal("0.000125"), Decimal("0.5"), Decimal("1.5"), Decimal("2.5"),
         Decimal("0.333333333333"), Decimal("999999999999")]
    ),
)
unit_amounts = st.one_of(  # minor units, possibly fractional, non-negative
    st.integers(min_value=0, max_value=10**6).map(Decimal),
    scaled(st.integers(min_value=0, max_value=10**7), 4),
    st.sampled_from([Decimal("0.5"), Decimal("2.5"), Decimal("0.125"), Decimal("3333")]),
)
signed_unit_amounts = st.one_of(
    unit_amounts,
    unit_amounts.map(lambda d: -d),
)
percentages = st.one_of(
    st.sampled_from(
        [Decimal(p) for p in ("0", "5", "7.7", "8.875", "10", "19", "20", "21", "25.5", "100")]
    ),
    scaled(st.integers(min_value=0, max_value=50_000), 3),
)


def rate_for(percentage: Decimal, inclusive: bool) -> TaxRateSpec:
    # the id is derived from the percentage so one id always means one rate
    kind = "inc" if inclusive else "exc"
    return TaxRateSpec(id=f"{kind}-{format_decimal(percentage)}", percentage=percentage,
                       inclusive=inclusive)


exclusive_rates = percentages.map(lambda p: rate_for(p, False))
inclusive_rates = percentages.map(lambda p: rate_for(p, True))
rate_sets = st.one_of(
    st.just(()),
    st.lists(exclusive_rates, min_size=1, max_size=3, unique_by=lambda r: r.id).map(tuple),
    inclusive_rates.map(lambda r: (r,)),
)
discount_specs = st.one_of(
    st.integers(min_value=1, max_value=10**6).map(  # (0, 100] with up to 4 decimals
        lambda n: DiscountSpec(percent_off=Decimal(n).scaleb(-4))
    ),
    st.sampled_from([Decimal("10"), Decimal("100"), Decimal("33.33"), Decimal("50")]).map(
        lambda p: DiscountSpec(percent_off=p)
    ),
    st.integers(min_value=1, max_value=10**7).map(lambda a: DiscountSpec(amount_off=a)),
)


@st.composite
def line_inputs(draw: st.DrawFn, signed: bool = False) -> LineInput:
    quantity = draw(quantities)
    unit_amount = draw(signed_unit_amounts if signed else unit_amounts)
    # a line beyond MAX_AMOUNT is refused by design (see test_line_amount_limit)
    assume(abs(quantity * unit_amount) <= MAX_AMOUNT)
    return LineInput(
        quantity=quantity,
        unit_amount=unit_amount,
        tax_rates=draw(rate_sets),
        discounts=tuple(draw(st.lists(discount_specs, max_size=2))),
    )


credit_balances = st.one_of(
    st.just(0),
    st.integers(min_value=1, max_value=10**4),
    st.integers(min_value=1, max_value=10**12),
)


@st.composite
def invoice_inputs(draw: st.DrawFn, signed: bool = False, credit: bool = False
                   ) -> InvoiceInput:
    return InvoiceInput(
        currency=draw(st.sampled_from(CURRENCIES)),
        lines=tuple(draw(st.lists(line_inputs(signed=signed), max_size=6))),
        rounding=draw(st.sampled_from(RoundingMode)),
        discounts=tuple(draw(st.lists(discount_specs, max_size=3))),
        default_tax_rates=draw(rate_sets),
        credit_balance=draw(credit_balances) if credit else 0,
    )


# --------------------------------------------------------------------------- properties


@SETTINGS
@given(inv=invoice_inputs(), data=st.data())
def test_calculation_reconciles_for_non_negative_lines(
    inv: InvoiceInput, data: st.DataObject
) -> None:
    totals = calculate(inv)
    assert_invariants(inv, totals)

    # non-negative lines and rates: nothing goes negative
    assert totals.subtotal >= 0
    assert 0 <= totals.discount_total <= totals.subtotal
    assert totals.tax_total >= 0
    assert totals.exclusive_tax >= 0
    assert totals.total >= 0
    for r in totals.lines:
        assert all(t.amount >= 0 for t in r.taxes)

    # whatever is paid or credited, up to the total, leaves a non-negative amount due
    paid = data.draw(st.integers(min_value=0, max_value=totals.total), label="paid")
    credited = data.draw(st.integers(min_value=0, max_value=totals.total - paid), label="credited")
    due = amount_due(totals.total, paid, credited)
    assert due >= 0
    assert due == totals.total - paid - credited

    # every amount converts to major units of the currency and back exactly
    for amount in (totals.total, totals.subtotal, totals.tax_total, totals.discount_total):
        assert from_major(to_major(amount, inv.currency), inv.currency) == amount


@settings(max_examples=100, deadline=None)
@given(inv=invoice_inputs(signed=True))
def test_calculation_reconciles_with_negative_lines(inv: InvoiceInput) -> None:
    totals = calculate(inv)
    assert_invariants(inv, totals)


@settings(max_examples=50, deadline=None)
@given(inv=invoice_inputs())
def test_calculation_is_deterministic(inv: InvoiceInput) -> None:
    assert calculate(inv) == calculate(inv)


@settings(max_examples=100, deadline=None)
@given(inv=invoice_inputs())
def test_rounding_modes_differ_by_at_most_one_per_rounded_amount(inv: InvoiceInput) -> None:
    up = calculate(dataclasses.replace(inv, rounding=HALF_UP))
    even = calculate(dataclasses.replace(inv, rounding=HALF_EVEN))
    for a, b in zip(up.lines, even.lines, strict=True):
        assert 0 <= a.amount - b.amount <= 1  # non-negative: half-up never rounds lower


@SETTINGS
@given(
    lines=st.lists(
        st.tuples(st.integers(min_value=0, max_value=10**7), exclusive_rates), max_size=6
    ),
    mode=st.sampled_from(RoundingMode),
)
def test_exclusive_tax_is_rounded_once_per_group_not_per_line(
    lines: list[tuple[int, TaxRateSpec]], mode: RoundingMode
) -> None:
    inv = invoice(*(line(1, a, r) for a, r in lines), rounding=mode)
    totals = calculate(inv)
    for group in totals.tax_groups:
        exact = Fraction(group.taxable_amount) * Fraction(group.rate.percentage) / 100
        assert abs(group.amount - exact) <= Fraction(1, 2)


@SETTINGS
@given(
    amount=st.integers(min_value=0, max_value=10**9),
    rate=inclusive_rates,
    mode=st.sampled_from(RoundingMode),
)
def test_inclusive_tax_never_changes_the_total(
    amount: int, rate: TaxRateSpec, mode: RoundingMode
) -> None:
    totals = calculate(invoice(line(1, amount, rate), rounding=mode))
    assert totals.total == amount
    assert totals.exclusive_tax == 0
    [group] = totals.tax_groups
    assert group.amount + group.taxable_amount == amount
    assert totals.total_excluding_tax == group.taxable_amount
    # the net amount plus its tax at the rate gives back the gross amount (within rounding)
    gross = Fraction(group.taxable_amount) * (1 + Fraction(rate.percentage) / 100)
    assert abs(gross - amount) <= Fraction(1, 2) * (1 + Fraction(rate.percentage) / 100)


# --------------------------------------------------------------------------- examples


def test_three_lines_of_3333_with_20_percent_vat() -> None:
    totals = calculate(invoice(*(line(1, 3333, VAT20) for _ in range(3))))
    assert totals.subtotal == 9999
    # one rounding per group: 1999.8 -> 2000 (per-line rounding would give 3 x 667 = 2001)
    assert totals.tax_total == 2000
    assert [r.tax_amount for r in totals.lines] == [667, 667, 666]
    assert totals.exclusive_tax == 2000
    assert totals.total == 11999
    assert totals.total_excluding_tax == 9999
    [group] = totals.tax_groups
    assert group.rate == VAT20
    assert group.taxable_amount == 9999
    assert group.amount == 2000
    assert check_reconciles(totals) == []


def test_inclusive_19_percent_on_11900() -> None:
    totals = calculate(invoice(line(1, 11900, INCL19)))
    assert totals.subtotal == 11900
    assert totals.tax_total == 1900
    assert totals.exclusive_tax == 0
    assert totals.total == 11900
    assert totals.total_excluding_tax == 10000
    [group] = totals.tax_groups
    assert (group.taxable_amount, group.amount) == (10000, 1900)
    [lt] = totals.lines[0].taxes
    assert (lt.taxable_amount, lt.amount) == (10000, 1900)
    assert lt.rate.country == "DE"
    assert totals.lines[0].exclusive_tax == 0
    assert check_reconciles(totals) == []


@pytest.mark.parametrize(
    ("inv", "half_up", "half_even"),
    [
        # line amount 0.5 x 5 = 2.5
        (invoice(line("0.5", 5)), 3, 2),
        # fractional minor unit price: 4 x 0.125 = 0.5
        (invoice(line(4, "0.125")), 1, 0),
        # 1.5 x 333 = 499.5 -> 500 either way (500 is even)
        (invoice(line("1.5", 333)), 500, 500),
        # exclusive tax 10% of 25 = 2.5
        (invoice(line(1, 25, VAT10)), 28, 27),
        # exclusive tax 10% of 35 = 3.5 -> 4 either way
        (invoice(line(1, 35, VAT10)), 39, 39),
        # line discount 10% of 25 = 2.5
        (invoice(line(1, 25, discounts=(pct("10"),))), 22, 23),
        # invoice discount 10% of 25 = 2.5
        (invoice(line(1, 25), discounts=(pct("10"),)), 22, 23),
    ],
)
def test_half_up_vs_half_even_on_a_half(inv: InvoiceInput, half_up: int, half_even: int) -> None:
    up = calculate(dataclasses.replace(inv, rounding=HALF_UP))
    even = calculate(dataclasses.replace(inv, rounding=HALF_EVEN))
    assert (up.total, even.total) == (half_up, half_even)
    assert check_reconciles(up) == []
    assert check_reconciles(even) == []
    assert up.rounding is HALF_UP
    assert even.rounding is HALF_EVEN


def test_half_up_vs_half_even_on_inclusive_tax() -> None:
    # 100% inclusive on 5: tax = 5 * 100 / 200 = 2.5
    up = calculate(invoice(line(1, 5, INCL100), rounding=HALF_UP))
    even = calculate(invoice(line(1, 5, INCL100), rounding=HALF_EVEN))
    assert (up.tax_total, up.total_excluding_tax, up.total) == (3, 2, 5)
    assert (even.tax_total, even.total_excluding_tax, even.total) == (2, 3, 5)


def test_jpy_exponent_0() -> None:
    totals = calculate(invoice(line(3, 333, VAT10), currency="jpy"))
    assert totals.currency == "jpy"
    assert totals.subtotal == 999
    assert totals.tax_total == 100  # 99.9
    assert totals.total == 1099
    assert to_major(totals.total, "jpy") == Decimal("1099")
    assert check_reconciles(totals) == []


def test_kwd_exponent_3() -> None:
    kwd5 = TaxRateSpec(id="kw5", percentage=Decimal("5"), inclusive=False)
    # 1.234 KWD a unit is 1234 minor units
    unit = from_major(Decimal("1.234"), "kwd")
    totals = calculate(invoice(line(2, unit, kwd5), currency="kwd"))
    assert totals.subtotal == 2468
    assert totals.tax_total == 123  # 123.4
    assert totals.total == 2591
    assert to_major(totals.total, "kwd") == Decimal("2.591")
    assert check_reconciles(totals) == []


def test_tiny_fractional_quantity() -> None:
    totals = calculate(invoice(line("0.000125", 1_000_000)))
    assert totals.subtotal == 125


def test_invoice_level_10_percent_discount_allocated_across_lines() -> None:
    inv = invoice(
        line(1, 1000), line(1, 2000), line(1, 3001),
        discounts=(pct("10"),),
        default_tax_rates=(VAT20,),
    )
    totals = calculate(inv)
    assert totals.invoice_discount_amounts == (600,)  # 600.1
    assert [r.discount_amount for r in totals.lines] == [100, 200, 300]
    assert totals.discount_total == 600
    # tax on the discounted amounts: 20% of 5401 = 1080.2
    assert totals.tax_total == 1080
    assert [r.tax_amount for r in totals.lines] == [180, 360, 540]
    assert totals.tax_groups[0].taxable_amount == 5401
    assert totals.total == 6001 - 600 + 1080
    assert check_reconciles(totals) == []


def test_line_discounts_apply_in_order_on_what_remains() -> None:
    totals = calculate(invoice(line(1, 10000, VAT20, discounts=(pct("10"), off(500)))))
    assert totals.lines[0].discount_amount == 1500
    assert totals.tax_total == 1700
    assert totals.total == 10200
    # the other order: 500 off, then 10% of 9500
    totals = calculate(invoice(line(1, 10000, VAT20, discounts=(off(500), pct("10")))))
    assert totals.lines[0].discount_amount == 1450


def test_line_discount_is_capped_at_the_line_amount() -> None:
    totals = calculate(invoice(line(1, 10000, VAT20, discounts=(off(20000), pct("10")))))
    assert totals.lines[0].discount_amount == 10000
    assert totals.tax_total == 0
    assert totals.total == 0


def test_hundred_percent_discount() -> None:
    totals = calculate(invoice(line(3, 333, VAT20), discounts=(pct("100"),)))
    assert totals.discount_total == 999
    assert totals.total == 0


def test_invoice_discount_is_capped_and_later_ones_take_nothing() -> None:
    totals = calculate(invoice(line(1, 100), line(1, 200), discounts=(off(1000), pct("50"))))
    assert totals.invoice_discount_amounts == (300, 0)
    assert [r.discount_amount for r in totals.lines] == [100, 200]
    assert totals.total == 0


def test_invoice_discount_after_line_discounts() -> None:
    totals = calculate(
        invoice(line(1, 10000, discounts=(pct("50"),)), line(1, 5000), discounts=(pct("10"),))
    )
    assert totals.invoice_discount_amounts == (1000,)
    assert [r.discount_amount for r in totals.lines] == [5500, 500]
    assert totals.total == 9000


def test_invoice_discount_skips_negative_lines() -> None:
    totals = calculate(invoice(line(1, 1000), line(1, -300), discounts=(pct("10"),)))
    assert totals.subtotal == 700
    assert totals.invoice_discount_amounts == (100,)
    assert [r.discount_amount for r in totals.lines] == [100, 0]
    assert totals.total == 600


def test_several_exclusive_rates_on_one_line() -> None:
    totals = calculate(invoice(line(1, 10000, VAT20, CITY5)))
    assert [(g.rate.id, g.amount) for g in totals.tax_groups] == [("vat20", 2000), ("city5", 500)]
    assert totals.lines[0].tax_amount == 2500
    assert totals.total == 12500


def test_inclusive_and_exclusive_groups_on_different_lines() -> None:
    totals = calculate(invoice(line(1, 11900, INCL19), line(1, 10000, VAT20)))
    assert totals.subtotal == 21900
    assert totals.tax_total == 3900
    assert totals.exclusive_tax == 2000
    assert totals.total == 23900
    assert totals.total_excluding_tax == 20000


def test_inclusive_tax_on_a_discounted_line() -> None:
    totals = calculate(invoice(line(1, 11900, INCL19, discounts=(pct("10"),))))
    assert totals.discount_total == 1190
    assert totals.tax_total == 1710
    assert totals.tax_groups[0].taxable_amount == 9000
    assert totals.total == 10710


def test_default_rates_apply_only_to_lines_without_their_own() -> None:
    totals = calculate(invoice(line(1, 1000), line(1, 1000, VAT10), default_tax_rates=(VAT20,)))
    assert [g.rate.id for g in totals.tax_groups] == ["vat20", "vat10"]
    assert [r.tax_amount for r in totals.lines] == [200, 100]


def test_same_rate_on_several_lines_makes_one_group() -> None:
    totals = calculate(invoice(line(1, 1000, VAT20), line(1, 2000, VAT20, CITY5)))
    assert [g.rate.id for g in totals.tax_groups] == ["vat20", "city5"]
    assert totals.tax_groups[0].taxable_amount == 3000
    assert totals.tax_groups[1].taxable_amount == 2000


def test_zero_base_and_zero_rate_groups() -> None:
    totals = calculate(invoice(line(0, 1000, VAT20), line(1, 1000, VAT0)))
    assert [(g.rate.id, g.taxable_amount, g.amount) for g in totals.tax_groups] == [
        ("vat20", 0, 0),
        ("vat0", 1000, 0),
    ]
    assert totals.total == 1000


def test_empty_invoice() -> None:
    totals = calculate(invoice(discounts=(pct("10"),), default_tax_rates=(VAT20,)))
    assert totals.lines == ()
    assert totals.tax_groups == ()
    assert (totals.subtotal, totals.discount_total, totals.tax_total, totals.total) == (0, 0, 0, 0)
    assert totals.invoice_discount_amounts == (0,)
    assert check_reconciles(totals) == []


@pytest.mark.parametrize(
    "rates",
    [(INCL19, VAT20), (VAT20, INCL19), (INCL19, INCL100), (VAT20, CITY5, INCL19)],
)
def test_inclusive_rate_combined_with_another_rate_is_refused(
    rates: tuple[TaxRateSpec, ...],
) -> None:
    with pytest.raises(InvalidInput) as exc:
        calculate(invoice(line(1, 1000, *rates)))
    assert exc.value.code == "tax_rates_incompatible"
    assert exc.value.param == "tax_rates"


def test_incompatible_default_rates_are_refused_for_lines_that_use_them() -> None:
    with pytest.raises(InvalidInput) as exc:
        calculate(invoice(line(1, 1000), default_tax_rates=(INCL19, VAT20)))
    assert exc.value.code == "tax_rates_incompatible"
    # lines with their own rates do not use the defaults
    totals = calculate(invoice(line(1, 1000, VAT20), default_tax_rates=(INCL19, VAT20)))
    assert totals.tax_total == 200


def test_the_same_rate_twice_on_a_line_is_refused() -> None:
    with pytest.raises(InvalidInput) as exc:
        calculate(invoice(line(1, 1000, VAT20, VAT20)))
    assert exc.value.param == "tax_rates"
    assert exc.value.code == "parameter_invalid"


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"percent_off": Decimal("10"), "amount_off": 100},
        {"percent_off": Decimal("0")},
        {"percent_off": Decimal("-5")},
        {"percent_off": Decimal("100.01")},
        {"percent_off": Decimal("101")},
        {"amount_off": 0},
        {"amount_off": -1},
        {"coupon": "SUMMER"},
    ],
)
def test_discount_spec_validation(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidInput) as exc:
        DiscountSpec(**kwargs)  # type: ignore[arg-type]
    assert exc.value.param == "discounts"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"percent_off": Decimal("100")},
        {"percent_off": Decimal("0.0001")},
        {"amount_off": 1},
        {"amount_off": 500, "coupon": "SUMMER"},
    ],
)
def test_discount_spec_valid(kwargs: dict[str, object]) -> None:
    spec = DiscountSpec(**kwargs)  # type: ignore[arg-type]
    assert (spec.percent_off is None) != (spec.amount_off is None)


def test_check_reconciles_detects_each_broken_invariant() -> None:
    totals = calculate(invoice(line(1, 1000, VAT20, discounts=(off(100),))))
    assert check_reconciles(totals) == []
    assert check_reconciles(dataclasses.replace(totals, subtotal=totals.subtotal + 1)) == [
        "sum(line amounts) != subtotal",
        "total != subtotal - discounts - credit + exclusive tax",
    ]
    assert check_reconciles(dataclasses.replace(totals, tax_total=totals.tax_total + 1)) == [
        "sum(line tax) != tax",
    ]
    assert check_reconciles(
        dataclasses.replace(totals, discount_total=totals.discount_total + 1)
    ) == [
        "sum(line discounts) != discounts",
        "total != subtotal - discounts - credit + exclusive tax",
    ]
    assert check_reconciles(dataclasses.replace(totals, total=totals.total + 1)) == [
        "total != subtotal - discounts - credit + exclusive tax",
    ]
    credited = calculate(invoice(line(1, 1000, VAT20), credit_balance=300))
    assert check_reconciles(credited) == []
    assert check_reconciles(dataclasses.replace(credited, credit_applied=301)) == [
        "sum(line credit) != credit applied",
        "total != subtotal - discounts - credit + exclusive tax",
    ]
    assert check_reconciles(dataclasses.replace(credited, total=-1)) == [
        "total != subtotal - discounts - credit + exclusive tax",
        "credit applied to a negative total",
    ]


@pytest.mark.parametrize(
    ("total", "paid", "credited", "due"),
    [(1000, 0, 0, 1000), (1000, 300, 200, 500), (1000, 1000, 0, 0), (1000, 0, 1000, 0),
     (0, 0, 0, 0), (1000, 1200, 0, -200)],
)
def test_amount_due(total: int, paid: int, credited: int, due: int) -> None:
    assert amount_due(total, paid, credited) == due


def test_line_amount_limit() -> None:
    too_big = InvoiceInput(currency="eur", lines=(
        LineInput(quantity=Decimal("999999999999"), unit_amount=Decimal("1001")),))
    with pytest.raises(InvalidInput) as err:
        calculate(too_big)
    assert err.value.code == "amount_too_large"


def test_no_double_rounding_at_high_precision() -> None:
    # 3 x 0.1666...6 (34 digits) is just under 0.5: it must round to 0, not 1
    line = LineInput(quantity=Decimal(3), unit_amount=Decimal("0." + "16" * 17))
    totals = calculate(InvoiceInput(currency="eur", lines=(line,)))
    assert totals.subtotal == 0
