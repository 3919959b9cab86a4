"""Response models of plans, subscriptions and test clocks (they document
/openapi.json; handlers return the service views directly)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from folio.api.schemas.common import Out, Period


class TierOut(BaseModel):
    up_to: str | None
    unit_amount_decimal: str
    flat_amount: int


class ChargeOut(BaseModel):
    model: Literal["per_unit", "graduated", "volume", "package"]
    unit_amount_decimal: str | None
    tiers: list[TierOut] | None
    package_size: str | None
    package_amount: int | None


class FeatureOut(BaseModel):
    code: str
    name: str
    kind: Literal["metered", "seats", "boolean"]
    meter: str | None
    included: str
    charge: ChargeOut | None


class PlanOut(Out):
    object: Literal["plan"]
    name: str
    description: str | None
    currency: str
    interval: Literal["weekly", "monthly", "quarterly", "yearly"]
    interval_count: int
    base_amount: int
    billing_timing: Literal["in_advance", "in_arrears"]
    trial_days: int
    features: list[FeatureOut]
    active: bool


class ProrationOut(BaseModel):
    description: str
    amount: int
    period: Period


class SubscriptionOut(Out):
    object: Literal["subscription"]
    customer: str
    plan: str
    plan_name: str
    currency: str
    status: Literal["trialing", "active", "past_due", "paused", "canceled"]
    start_date: int
    billing_anchor: int
    timezone: str
    trial_end: int | None
    collection_method: Literal["charge_automatically", "send_invoice"]
    days_until_due: int | None
    seats: int
    current_period_start: int | None
    current_period_end: int | None
    next_billing_at: int | None
    cancel_at_period_end: bool
    canceled_at: int | None
    ended_at: int | None
    paused_at: int | None
    pending_prorations: list[ProrationOut]
    default_tax_rates: list[str]
    discounts: list[dict[str, str | int | None]]
    apply_credit_balance: bool
    test_clock: str | None


class TestClockOut(Out):
    __test__ = False
    object: Literal["test_clock"]
    name: str | None
    frozen_time: int
    status: Literal["ready", "advancing"]


class DeletedOut(BaseModel):
    id: str
    object: str
    deleted: bool
