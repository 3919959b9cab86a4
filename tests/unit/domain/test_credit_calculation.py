"""Customer credit in the one calculation path: an allowance before tax, allocated over
the positive lines like an invoice discount, every reconciliation invariant intact."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, given, settings

from folio.domain.calculation import (
    DiscountSpec,
    InvoiceInput,
    amount_due,
    calculate,
    check_reconciles,
)
from folio.domain.errors import InvalidInput
from tests.unit.domain.test_calculation import (
    INCL19,
    VAT0,
    VAT20,
    assert_invariants,
    credit_balances,
    invoice,
    invoice_inputs,
    line,
    off,
)

SETTINGS = settings(max_examples=200, deadline=None)


@SETTINGS
@given(inv=invoice_inputs(credit=True))
def test_credit_reconciles_for_non_negative_lines(inv: InvoiceInput) -> None:
    totals = calculate(inv)
    assert_invariants(inv, totals)
    plain = calculate(dataclasses.replace(inv, credit_balance=0))
    # without negative lines the whole offer is taken, up to the amount after discounts
    expected = min(inv.credit_balance, plain.subtotal - plain.discount_total) \
        if plain.total > 0 else 0
    assert totals.credit_applied == expected
    assert 0 <= totals.total <= plain.total
    assert totals.tax_total <= plain.tax_total


@settings(max_examples=150, deadline=None)
@given(inv=invoice_inputs(signed=True, credit=True))
def test_credit_reconciles_with_negative_lines(inv: InvoiceInput) -> None:
    totals = calculate(inv)
    assert_invariants(inv, totals)
    plain = calculate(dataclasses.replace(inv, credit_balance=0))
    if plain.total <= 0:  # nothing to credit: a total at or below zero takes no credit
        assert totals == plain
    else:
        assert totals.total >= 0


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.filter_too_much])  # most draws take credit
@given(inv=invoice_inputs(credit=True))
def test_credit_is_an_allowance_before_tax(inv: InvoiceInput) -> None:
    """Applying N of credit gives the lines, taxes and total of the same invoice with one
    more invoice-level discount of N (the credit is reported apart from discounts)."""
    totals = calculate(inv)
    assume(totals.credit_applied > 0)
    as_discount = calculate(dataclasses.replace(
        inv, credit_balance=0,
        discounts=(*inv.discounts, DiscountSpec(amount_off=totals.credit_applied))))
    assert as_discount.total == totals.total
    assert as_discount.tax_groups == totals.tax_groups
    assert as_discount.discount_total == totals.discount_total + totals.credit_applied
    for credited, discounted in zip(totals.lines, as_discount.lines, strict=True):
        assert credited.taxes == discounted.taxes
        assert discounted.discount_amount == credited.discount_amount + credited.credit_amount


@settings(max_examples=100, deadline=None)
@given(inv=invoice_inputs(credit=True), extra=credit_balances)
def test_more_balance_never_applies_less_credit(inv: InvoiceInput, extra: int) -> None:
    one = calculate(inv)
    more = calculate(dataclasses.replace(inv, credit_balance=inv.credit_balance + extra))
    assert more.credit_applied >= one.credit_applied
    assert more.total <= one.total


@settings(max_examples=50, deadline=None)
@given(inv=invoice_inputs(signed=True, credit=True))
def test_credit_is_deterministic(inv: InvoiceInput) -> None:
    assert calculate(inv) == calculate(inv)


# --------------------------------------------------------------------------- examples


def test_credit_lowers_the_taxable_base() -> None:
    totals = calculate(invoice(line(1, 10_000, VAT20), credit_balance=2_500))
    assert (totals.subtotal, totals.credit_applied, totals.tax_total, totals.total) == (
        10_000, 2_500, 1_500, 9_000)
    [result] = totals.lines
    assert (result.credit_amount, result.taxes[0].taxable_amount) == (2_500, 7_500)
    assert check_reconciles(totals) == []


def test_credit_beyond_the_invoice_is_capped_at_its_pre_tax_amount() -> None:
    totals = calculate(invoice(line(2, 5_000, VAT20), discounts=(off(1_000),),
                               credit_balance=50_000))
    assert (totals.discount_total, totals.credit_applied, totals.tax_total, totals.total) == (
        1_000, 9_000, 0, 0)
    assert amount_due(totals.total, 0, 0) == 0


def test_credit_on_an_inclusive_line_lowers_the_gross() -> None:
    totals = calculate(invoice(line(1, 11_900, INCL19), credit_balance=1_190))
    assert (totals.credit_applied, totals.tax_total, totals.total) == (1_190, 1_710, 10_710)
    assert totals.total_excluding_tax == 9_000


def test_credit_is_allocated_over_positive_lines_by_largest_remainder() -> None:
    totals = calculate(invoice(line(1, 1, VAT20), line(1, 1, VAT20), line(1, 1, VAT20),
                               line(1, -2, VAT20), credit_balance=1))
    assert [r.credit_amount for r in totals.lines] == [1, 0, 0, 0]
    assert totals.total == 0  # 3 - 2 - 1 at 20 %: nothing left to tax


def test_credit_stops_where_a_higher_taxed_negative_line_would_make_the_total_negative(
) -> None:
    # +10000 untaxed and a -5000 credit line at 20 %: total 5000 - 1000 = 4000 before
    # credit; 5000 of credit would leave -1000, so only 4000 is applied
    totals = calculate(invoice(line(1, 10_000, VAT0), line(1, -5_000, VAT20),
                               credit_balance=10_000))
    assert (totals.credit_applied, totals.tax_total, totals.total) == (4_000, -1_000, 0)
    assert check_reconciles(totals) == []


def test_no_credit_on_a_zero_or_negative_total() -> None:
    for lines in ((line(1, 0),), (line(1, 100), line(1, -300)), ()):
        totals = calculate(invoice(*lines, credit_balance=1_000))
        assert totals.credit_applied == 0
        assert all(r.credit_amount == 0 for r in totals.lines)


def test_zero_exponent_currency() -> None:
    totals = calculate(invoice(line(3, 333, VAT20), currency="jpy", credit_balance=100))
    assert (totals.subtotal, totals.credit_applied, totals.tax_total, totals.total) == (
        999, 100, 180, 1_079)


def test_negative_offer_is_refused() -> None:
    with pytest.raises(InvalidInput):
        calculate(invoice(line(1, 100), credit_balance=-1))


def test_negative_total_owes_nothing_once_granted() -> None:
    totals = calculate(invoice(line(1, Decimal(-500))))
    assert totals.total == -500
    assert amount_due(totals.total, 0, 0, credit_granted=500) == 0
