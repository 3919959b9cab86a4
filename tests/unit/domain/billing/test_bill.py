"""Billing one subscription period: line specs that the one calculation path totals."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from folio.domain.billing.bill import (
    FeatureKind,
    LineKind,
    PlanFeature,
    PlanSpec,
    SubscriptionSnapshot,
    bill_period,
    coverage,
    to_invoice_input,
)
from folio.domain.billing.charges import Graduated, Package, PerUnit, Tier, Volume
from folio.domain.billing.periods import BillingCycle, BillingTiming, Interval, Period
from folio.domain.billing.proration import prorate_change
from folio.domain.calculation import TaxRateSpec, calculate, check_reconciles
from folio.domain.errors import InvalidInput
from folio.domain.money import RoundingMode
from tests.unit.domain.billing.test_charges import models

SETTINGS = settings(max_examples=200, deadline=None)
D = Decimal
ADVANCE, ARREARS = BillingTiming.IN_ADVANCE, BillingTiming.IN_ARREARS
MAY = Period(1_777_593_600, 1_780_272_000, 4)  # 2026-05-01 .. 2026-06-01 UTC
JUNE = Period(1_780_272_000, 1_782_864_000, 5)

API_CALLS = PlanFeature("api_calls", "API calls", FeatureKind.METERED,
                        Graduated((Tier(D(10_000), D("0.1")), Tier(None, D("0.05")))),
                        included=D(1000))
STORAGE = PlanFeature("storage_gb", "Storage", FeatureKind.METERED, Package(D(10), 250))
SEATS = PlanFeature("seats", "Editors", FeatureKind.SEATS, PerUnit(D(800)), included=D(3))
SSO = PlanFeature("sso", "SSO", FeatureKind.BOOLEAN)
PRO = PlanSpec("Pro", D(4900), ADVANCE, (API_CALLS, STORAGE, SEATS, SSO))


def snapshot(**changes: object) -> SubscriptionSnapshot:
    fields: dict[str, object] = {
        "currency": "eur", "plan": PRO, "base_period": JUNE, "usage_period": MAY,
        "usage": {"api_calls": D(15_500), "storage_gb": D("31.5")}, "seats": {"seats": D(5)}}
    fields.update(changes)
    return SubscriptionSnapshot(**fields)  # type: ignore[arg-type]


class TestExample:
    def test_lines_of_a_period(self) -> None:
        lines = bill_period(snapshot())
        assert [(ln.kind, ln.amount) for ln in lines] == [
            (LineKind.PLAN_BASE, 4900),
            (LineKind.FEATURE_SEATS, 1600),  # 5 seats, 3 included, 2 x 800
            (LineKind.FEATURE_OVERAGE, 1225),  # 14,500 over: 10,000 x 0.1 + 4500 x 0.05
            (LineKind.USAGE, 1000),  # 31.5 GB: 4 packages of 10
        ]
        base, seats, calls, storage = lines
        assert (base.period_start, base.period_end) == (JUNE.start, JUNE.end)
        assert (calls.period_start, calls.period_end) == (MAY.start, MAY.end)
        assert (seats.period_start, seats.period_end) == (JUNE.start, JUNE.end)
        assert (calls.included, calls.used, calls.overage) == (D(1000), D(15_500), D(14_500))
        # tiers count from the first overage unit
        assert [(t.quantity, t.amount) for t in calls.tiers] == [(D(10_000), 1000),
                                                                 (D(4500), 225)]
        assert calls.description == "API calls beyond 1000 included"
        assert (calls.quantity, calls.unit_amount) == (D(1), D(1225))  # tiered: 1 x amount
        assert (seats.quantity, seats.unit_amount) == (D(2), D(800))  # per unit: natural
        assert (storage.quantity, storage.unit_amount) == (D(4), D(250))  # packages
        assert storage.feature_code == "storage_gb"

    def test_totals_through_the_one_calculation_path(self) -> None:
        lines = bill_period(snapshot())
        vat = TaxRateSpec(id="vat", percentage=D(19), inclusive=False)
        totals = calculate(to_invoice_input(lines, "eur", default_tax_rates=(vat,)))
        assert [r.amount for r in totals.lines] == [ln.amount for ln in lines]
        assert totals.subtotal == 8725
        assert totals.tax_total == 1658  # 1657.75
        assert check_reconciles(totals) == []

    def test_no_usage_yet_and_zero_usage(self) -> None:
        first = bill_period(snapshot(usage_period=None, usage={}))
        assert [ln.kind for ln in first] == [LineKind.PLAN_BASE, LineKind.FEATURE_SEATS]
        idle = bill_period(snapshot(usage={}))
        calls = next(ln for ln in idle if ln.feature_code == "api_calls")
        assert (calls.used, calls.overage, calls.amount, calls.tiers) == (D(0), D(0), 0, ())
        assert (calls.quantity, calls.unit_amount) == (D(0), D(0))

    def test_trial_or_cancelled_bills_no_base(self) -> None:
        lines = bill_period(snapshot(base_period=None))
        assert {ln.kind for ln in lines} == {LineKind.FEATURE_OVERAGE, LineKind.USAGE}

    def test_per_seat_plan_and_prorations(self) -> None:
        change = prorate_change(JUNE, JUNE.start + JUNE.seconds // 2, D(4900), D(9900),
                                ADVANCE, RoundingMode.HALF_UP)
        plan = PlanSpec("Team", D(1500), ADVANCE)
        lines = bill_period(snapshot(plan=plan, quantity=D(7), usage_period=None,
                                     prorations=change.lines))
        assert [(ln.kind, ln.amount) for ln in lines] == [
            (LineKind.PLAN_BASE, 10_500), (LineKind.PRORATION, -2450),
            (LineKind.PRORATION, 4950)]
        totals = calculate(to_invoice_input(lines, "eur"))
        assert totals.subtotal == 10_500 + change.net

    def test_validation(self) -> None:
        with pytest.raises(InvalidInput):
            PlanFeature("x", "X", FeatureKind.METERED)
        with pytest.raises(InvalidInput):
            bill_period(snapshot(quantity=D(-1)))


class TestCoverage:
    cycle = BillingCycle(Interval.MONTHLY, MAY.start)

    def test_in_advance(self) -> None:
        opening = coverage(self.cycle, ADVANCE, 0)
        assert opening.base_period == self.cycle.period(0)
        assert opening.usage_period is None
        renewal = coverage(self.cycle, ADVANCE, 1)
        assert renewal.base_period == self.cycle.period(1)
        assert renewal.usage_period == self.cycle.period(0)
        final = coverage(self.cycle, ADVANCE, 3, last_index=2)
        assert final.base_period is None
        assert final.usage_period == self.cycle.period(2)

    def test_in_arrears(self) -> None:
        assert coverage(self.cycle, ARREARS, 0).base_period is None
        closing = coverage(self.cycle, ARREARS, 1)
        assert closing.base_period == closing.usage_period == self.cycle.period(0)

    def test_trial(self) -> None:
        trial_end = self.cycle.boundary(1)
        assert coverage(self.cycle, ADVANCE, 0, trial_end=trial_end).base_period is None
        assert coverage(self.cycle, ADVANCE, 1, trial_end=trial_end).base_period is not None


features = st.lists(st.builds(
    PlanFeature,
    code=st.sampled_from(["a", "b", "c", "d"]),
    name=st.just("Feature"),
    kind=st.sampled_from([FeatureKind.METERED, FeatureKind.SEATS]),
    charge=models,
    included=st.decimals(min_value=0, max_value=1000, places=2),
), max_size=4, unique_by=lambda f: f.code)
usage = st.dictionaries(st.sampled_from(["a", "b", "c", "d"]),
                        st.decimals(min_value=0, max_value=10**6, places=3), max_size=4)


@SETTINGS
@given(features=features, used=usage, seats=usage,
       base=st.decimals(min_value=0, max_value=10**6, places=4),
       quantity=st.decimals(min_value=0, max_value=1000, places=2),
       mode=st.sampled_from(list(RoundingMode)))
def test_every_line_reproduces_its_amount_in_the_calculation(
        features: list[PlanFeature], used: dict[str, Decimal], seats: dict[str, Decimal],
        base: Decimal, quantity: Decimal, mode: RoundingMode) -> None:
    plan = PlanSpec("P", base, ADVANCE, tuple(features))
    lines = bill_period(SubscriptionSnapshot("eur", plan, JUNE, MAY, quantity, used, seats,
                                             rounding=mode))
    assert len(lines) == 1 + len(features)
    totals = calculate(to_invoice_input(lines, "eur", rounding=mode))
    assert [r.amount for r in totals.lines] == [ln.amount for ln in lines]
    for line in lines:
        if line.kind is not LineKind.PLAN_BASE:
            assert sum(t.amount for t in line.tiers) == line.amount
        if line.overage is not None:
            assert line.overage == max(line.used - line.included, 0)  # type: ignore[operator]


def test_volume_line_shows_its_tier_price() -> None:
    feature = PlanFeature("v", "Volume", FeatureKind.METERED,
                          Volume((Tier(D(100), D(10)), Tier(None, D(7)))))
    plan = PlanSpec("V", D(0), ARREARS, (feature,))
    (base, line) = bill_period(SubscriptionSnapshot("eur", plan, MAY, MAY, usage={"v": D(150)}))
    assert (line.quantity, line.unit_amount, line.amount) == (D(150), D(7), 1050)
    assert base.amount == 0
