"""The bill of one subscription boundary, shared by the billing run and the invoice
preview: the same snapshot, the same `bill_period`, the same invoice draft calculation.

Boundary k of a subscription's cycle bills (domain `coverage`): the base price and seats
of period k (in advance) or k-1 (in arrears), the metered usage of period k-1, and the
proration lines that waited for it. A paused or trialing subscription bills no base
price; a stub period before the anchor is billed as a proration debit instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import select

from folio.db.models import Customer, Invoice, Subscription, UsageEvent
from folio.domain.billing.aggregation import Aggregation, UsagePoint, aggregate
from folio.domain.billing.bill import LineSpec, SubscriptionSnapshot, bill_period, coverage
from folio.domain.billing.periods import BillingTiming, Period
from folio.domain.billing.proration import ProrationLine
from folio.domain.subscriptions import CHARGING_STATUSES, SubscriptionStatus
from folio.services.context import Ctx
from folio.services.inputs.invoices import (
    CollectionMethod,
    DiscountInput,
    InvoiceCreate,
    LineCreate,
)
from folio.services.invoices import build_draft
from folio.services.meters import meters_by_code
from folio.services.plans import metered_meters, plan_spec
from folio.services.subscription_time import ROUNDING, cycle_of, first_index, service_start

ROWS_PER_FETCH = 5000


@dataclass(frozen=True)
class BoundaryBill:
    """What boundary k of a subscription bills, before it becomes an invoice."""

    boundary: int
    lines: tuple[LineSpec, ...]
    invoice: InvoiceCreate


@dataclass(frozen=True)
class MeterRule:
    code: str
    aggregation: Aggregation
    property: str | None


# meters never change once created (ADR 11): their rules are cached per process
_METERS: dict[tuple[int, bool, str], MeterRule] = {}


def meter_rules(ctx: Ctx, codes: set[str]) -> dict[str, MeterRule]:
    found = {c: _METERS[(ctx.account_id, ctx.livemode, c)] for c in codes
             if (ctx.account_id, ctx.livemode, c) in _METERS}
    missing = codes - set(found)
    if missing:
        if len(_METERS) > 50_000:
            _METERS.clear()
        for code, meter in meters_by_code(ctx, missing).items():
            rule = MeterRule(meter.code, Aggregation(meter.aggregation), meter.property)
            _METERS[(ctx.account_id, ctx.livemode, code)] = found[code] = rule
    return found


def _usage(ctx: Ctx, meter: MeterRule, customer_id: int, start: int, end: int) -> Decimal:
    t = UsageEvent.__table__.c
    unique = meter.aggregation is Aggregation.UNIQUE_COUNT
    columns = [t.timestamp, t.created, t.value] + ([t.properties] if unique else []) + [
        t.event_id]
    stmt = select(*columns).where(
        t.account_id == ctx.account_id, t.livemode == ctx.livemode,
        t.customer_id == customer_id, t.feature_code == meter.code,
        t.timestamp >= start, t.timestamp < end)
    # a statement option: on the connection it would stick and turn the transaction's
    # later INSERTs into server-side cursors (PostgreSQL)
    rows = ctx.session.connection().execute(stmt.execution_options(yield_per=ROWS_PER_FETCH))
    prop = meter.property or ""

    def points() -> Any:
        for row in rows:
            key = None
            if unique:
                raw = (row[3] or {}).get(prop)
                key = None if raw is None else str(raw)
            yield UsagePoint(timestamp=row[0], value=row[2], key=key, sequence=row[1],
                             tie=row[-1])

    return aggregate(meter.aggregation, points())


def metered_usage(ctx: Ctx, meter_code: str, customer_id: int, start: int, end: int
                  ) -> Decimal:
    """A customer's usage of one meter over [start, end), aggregated as billing does
    (0 when the meter does not exist)."""
    meter = meter_rules(ctx, {meter_code}).get(meter_code)
    return Decimal(0) if meter is None else _usage(ctx, meter, customer_id, start, end)


def _usage_window(sub: Subscription, period: Period | None, usage_end: int | None
                  ) -> Period | None:
    """The part of `period` the subscription was in service (after the trial, before it
    ended)."""
    if period is None:
        return None
    start = max(period.start, service_start(sub))
    end = period.end if usage_end is None else min(period.end, usage_end)
    return Period(start, end, period.index) if end > start else None


def _line_input(spec: LineSpec) -> LineCreate:
    # internal, already-validated values: no per-line pydantic validation on the hot path
    return LineCreate.model_construct(
        type=spec.kind.value, description=spec.description, quantity=spec.quantity,
        unit_amount_decimal=spec.unit_amount, feature_name=spec.feature_name,
        period_start=spec.period_start, period_end=spec.period_end,
        included_quantity=spec.included, used_quantity=spec.used,
        overage_quantity=spec.overage, discounts=[], metadata={})


def usage_period_of(sub: Subscription, k: int) -> Period | None:
    """The usage window boundary k of `sub` bills (not final, not cut): what the set-based
    billing run aggregates in bulk before calling `bill_for_boundary`."""
    spec = plan_spec(sub.plan)
    cov = coverage(cycle_of(sub), spec.timing, k, first_index=first_index(sub))
    return _usage_window(sub, cov.usage_period, None)


def boundary_lines(ctx: Ctx, sub: Subscription, k: int, *, final: bool = False,
                   usage_end: int | None = None,
                   known_usage: dict[str, Decimal] | None = None
                   ) -> tuple[tuple[LineSpec, ...], Period | None]:
    """The lines boundary k bills and the period the invoice shows (see
    `bill_for_boundary`, which turns them into the invoice input)."""
    plan = sub.plan
    spec = plan_spec(plan)
    cov = coverage(cycle_of(sub), spec.timing, k, first_index=first_index(sub),
                   last_index=k - 1 if final else None)
    base = cov.base_period
    if base is not None and (base.index < 0 or base.start < service_start(sub)):
        base = None  # the stub before the anchor is billed by its proration line
    if SubscriptionStatus(sub.status) not in CHARGING_STATUSES:
        base = None
    usage_period = _usage_window(sub, cov.usage_period, usage_end)
    usage: dict[str, Decimal] = {}
    if usage_period is not None and known_usage is not None:
        usage = {code: known_usage.get(code, Decimal(0)) for code in metered_meters(plan)}
    elif usage_period is not None:
        codes = metered_meters(plan)
        meters = meter_rules(ctx, set(codes.values()))
        for feature_code, meter_code in codes.items():
            meter = meters.get(meter_code)
            usage[feature_code] = Decimal(0) if meter is None else _usage(
                ctx, meter, sub.customer_id, usage_period.start, usage_period.end)
    prorations = tuple(ProrationLine(p["description"], int(p["amount"]), int(p["start"]),
                                     int(p["end"]), Decimal(p.get("fraction") or 0),
                                     Decimal(p.get("period_amount") or 0))
                       for p in sub.pending_prorations or [])
    lines = bill_period(SubscriptionSnapshot(
        currency=plan.currency, plan=spec, base_period=base, usage_period=usage_period,
        usage=usage, seats={f.code: Decimal(sub.seats) for f in spec.features},
        prorations=prorations, rounding=ROUNDING))
    shown = base or usage_period
    if shown is None and prorations:
        shown = Period(min(p.start for p in prorations), max(p.end for p in prorations))
    return lines, shown


def bill_for_boundary(ctx: Ctx, sub: Subscription, k: int, *, final: bool = False,
                      usage_end: int | None = None,
                      known_usage: dict[str, Decimal] | None = None) -> BoundaryBill:
    """The lines and invoice input of boundary k. `final`: the subscription ends at this
    boundary (no period after k-1 is billed); `usage_end` cuts the last usage window
    (a cancellation now). `known_usage`: the window's usage by feature code, already
    aggregated by the caller; otherwise read here."""
    plan = sub.plan
    lines, shown = boundary_lines(ctx, sub, k, final=final, usage_end=usage_end,
                                  known_usage=known_usage)
    data = InvoiceCreate.model_construct(
        customer=sub.customer.public_id, currency=plan.currency,
        collection_method=cast(CollectionMethod, sub.collection_method),
        days_until_due=sub.days_until_due,
        rounding_mode=ROUNDING.value, period_start=shown.start if shown else None,
        period_end=shown.end if shown else None, plan_name=plan.name,
        subscription=sub.public_id, invoice_type="recurring",
        default_tax_rates=list(sub.default_tax_rates or []),
        discounts=[DiscountInput.model_validate({k: v for k, v in d.items()
                                                 if k != "invoices_left"})
                   for d in sub.discounts or []],
        apply_credit_balance=sub.apply_credit_balance,
        lines=[_line_input(s) for s in lines], metadata={})
    return BoundaryBill(boundary=k, lines=lines, invoice=data)


def draft_of(ctx: Ctx, bill: BoundaryBill, customer: Customer | None = None) -> Invoice:
    """The unsaved invoice of a boundary bill (the one calculation path)."""
    invoice = build_draft(ctx, bill.invoice, customer=customer)
    for line, spec in zip(invoice.lines, bill.lines, strict=True):
        # set on every line (None too): rows with the same columns are inserted together
        line.tiers = [tier_view(t) for t in spec.tiers] if spec.tiers else None
    return invoice


def tier_view(t: Any) -> dict[str, Any]:
    from folio.domain.money import format_decimal

    return {"tier": t.tier, "from_quantity": format_decimal(t.from_quantity),
            "up_to": None if t.up_to is None else format_decimal(t.up_to),
            "quantity": format_decimal(t.quantity),
            "unit_amount_decimal": format_decimal(t.unit_amount),
            "flat_amount": t.flat_amount, "amount": t.amount}


def is_in_advance(sub: Subscription) -> bool:
    return sub.plan.billing_timing == BillingTiming.IN_ADVANCE.value
