"""Several price changes inside one period (plan changes, seat changes, a pause as a
change to 0 and a resume as a change back), composed the way the subscription service
composes them: the period's regular line plus every proration line charges what each
price was in force for, to within one minor unit per change."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from folio.domain.billing.periods import BillingTiming, Period
from folio.domain.billing.proration import prorate_change
from folio.domain.money import RoundingMode

prices = st.integers(min_value=0, max_value=10**8).map(Decimal)


@st.composite
def chains(draw: st.DrawFn) -> tuple[Period, list[int], list[Decimal]]:
    start = draw(st.integers(min_value=0, max_value=2 * 10**9))
    length = draw(st.integers(min_value=1, max_value=400 * 86_400))
    times = sorted(draw(st.lists(st.integers(min_value=start, max_value=start + length - 1),
                                 min_size=1, max_size=6)))
    # a pause is a change to 0; resumes and plan changes are changes to any price
    chain = draw(st.lists(st.one_of(prices, st.just(Decimal(0))), min_size=len(times) + 1,
                          max_size=len(times) + 1))
    return Period(start, start + length), times, chain


def exact_cost(period: Period, times: list[int], chain: list[Decimal]) -> Fraction:
    edges = [period.start, *times, period.end]
    return sum((Fraction(chain[i]) * Fraction(edges[i + 1] - edges[i], period.seconds)
                for i in range(len(chain))), Fraction(0))


@settings(max_examples=300, deadline=None)
@given(case=chains(), timing=st.sampled_from(list(BillingTiming)),
       mode=st.sampled_from(list(RoundingMode)))
def test_a_chain_of_changes_charges_each_price_for_its_time(
        case: tuple[Period, list[int], list[Decimal]], timing: BillingTiming,
        mode: RoundingMode) -> None:
    period, times, chain = case
    # the regular line: in advance the price at the start, in arrears the price at the end
    charged = int(chain[0] if timing is BillingTiming.IN_ADVANCE else chain[-1])
    for i, at in enumerate(times):
        change = prorate_change(period, at, chain[i], chain[i + 1], timing, mode)
        charged += change.net
    assert abs(Fraction(charged) - exact_cost(period, times, chain)) <= Fraction(
        len(times), 2)


def test_pause_then_resume_bills_only_the_active_time() -> None:
    """A 30-day period at 3000: paused after 10 days, resumed 10 days later."""
    day = 86_400
    period = Period(0, 30 * day)
    pause = prorate_change(period, 10 * day, Decimal(3000), Decimal(0),
                           BillingTiming.IN_ADVANCE, RoundingMode.HALF_UP)
    resume = prorate_change(period, 20 * day, Decimal(0), Decimal(3000),
                            BillingTiming.IN_ADVANCE, RoundingMode.HALF_UP)
    assert 3000 + pause.net + resume.net == 2000
    assert [x.amount for x in pause.lines] == [-2000, 0]
    assert [x.amount for x in resume.lines] == [0, 1000]
