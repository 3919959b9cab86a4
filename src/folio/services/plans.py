"""Plans: a base price per interval, billed in advance or in arrears, and features
(metered with included units and a charge model, seats, boolean)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from folio.db.models import Plan
from folio.db.repository import Page, created_filter, get_by_public_id, page, scoped
from folio.domain.billing.bill import FeatureKind, PlanFeature, PlanSpec
from folio.domain.billing.charges import ChargeModel, Graduated, Package, PerUnit, Tier, Volume
from folio.domain.billing.periods import BillingTiming, Interval
from folio.domain.errors import InvalidInput
from folio.domain.money import format_decimal, normalize_currency
from folio.services import events
from folio.services.context import Ctx
from folio.services.inputs.common import (
    Currency,
    Input,
    Name,
    ShortText,
    WithMetadata,
    merge_metadata,
    provided,
)
from folio.services.meters import meter_by_code

FeatureCode = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,100}$")]
NonNegative = Annotated[Decimal, Field(ge=0, allow_inf_nan=False, max_digits=24,
                                       decimal_places=12)]
MinorNonNegative = Annotated[int, Field(ge=0, le=10**12)]
IntervalName = Literal["weekly", "monthly", "quarterly", "yearly"]
TimingName = Literal["in_advance", "in_arrears"]


class TierInput(Input):
    up_to: NonNegative | None = None  # None: the last, unbounded tier
    unit_amount_decimal: NonNegative = Decimal(0)
    flat_amount: MinorNonNegative = 0


class ChargeInput(Input):
    model: Literal["per_unit", "graduated", "volume", "package"]
    unit_amount_decimal: NonNegative | None = None  # per_unit
    tiers: list[TierInput] | None = Field(default=None, max_length=50)  # graduated, volume
    package_size: NonNegative | None = None  # package
    package_amount: MinorNonNegative | None = None  # package


class FeatureInput(Input):
    code: FeatureCode
    name: Name
    kind: Literal["metered", "seats", "boolean"]
    meter: FeatureCode | None = None  # metered: the meter's code (default: the feature code)
    included: NonNegative = Decimal(0)
    charge: ChargeInput | None = None


class PlanCreate(WithMetadata):
    name: Name
    description: ShortText | None = None
    currency: Currency
    interval: IntervalName = "monthly"
    interval_count: Annotated[int, Field(ge=1, le=36)] = 1
    base_amount: MinorNonNegative = 0
    billing_timing: TimingName = "in_advance"
    trial_days: Annotated[int, Field(ge=0, le=730)] = 0
    features: list[FeatureInput] = Field(default_factory=list, max_length=50)


class PlanUpdate(WithMetadata):
    """What is charged is fixed at creation; names, the trial of new subscriptions and
    whether the plan takes new subscriptions may change."""

    name: Name | None = None
    description: ShortText | None = None
    trial_days: Annotated[int, Field(ge=0, le=730)] | None = None
    active: bool | None = None


def _dec(value: Any, default: str = "0") -> Decimal:
    return Decimal(str(value if value is not None else default))


def charge_model(charge: dict[str, Any], param: str) -> ChargeModel:
    """The domain charge model of a stored (or given) charge; InvalidInput if unusable."""
    model = charge.get("model")
    try:
        if model == "per_unit":
            if charge.get("unit_amount_decimal") is None:
                raise InvalidInput("A per_unit charge needs unit_amount_decimal.",
                                   param=f"{param}.unit_amount_decimal",
                                   code="charge_model_invalid")
            return PerUnit(_dec(charge["unit_amount_decimal"]))
        if model in ("graduated", "volume"):
            tiers = tuple(Tier(up_to=None if t.get("up_to") is None else _dec(t["up_to"]),
                               unit_amount=_dec(t.get("unit_amount_decimal")),
                               flat_amount=int(t.get("flat_amount") or 0))
                          for t in charge.get("tiers") or [])
            return Graduated(tiers) if model == "graduated" else Volume(tiers)
        if model == "package":
            if charge.get("package_size") is None or charge.get("package_amount") is None:
                raise InvalidInput("A package charge needs package_size and package_amount.",
                                   param=f"{param}.package_size", code="charge_model_invalid")
            return Package(_dec(charge["package_size"]), int(charge["package_amount"]))
    except InvalidInput as exc:
        raise InvalidInput(exc.message, param=f"{param}.{exc.param}" if exc.param else param,
                           code=exc.code) from None
    raise InvalidInput(f"Unknown charge model '{model}'.", param=f"{param}.model",
                       code="charge_model_invalid")


def _feature(f: dict[str, Any], param: str) -> PlanFeature:
    kind = FeatureKind(f["kind"])
    charge = f.get("charge")
    if kind is FeatureKind.BOOLEAN:
        if charge is not None:
            raise InvalidInput("A boolean feature has no charge.", param=f"{param}.charge")
        return PlanFeature(code=f["code"], name=f["name"], kind=kind)
    if charge is None:
        raise InvalidInput(f"A {kind.value} feature needs a charge.", param=f"{param}.charge",
                           code="charge_model_invalid")
    return PlanFeature(code=f["code"], name=f["name"], kind=kind,
                       charge=charge_model(charge, f"{param}.charge"),
                       included=_dec(f.get("included")))


_SPECS: dict[tuple[int, str], PlanSpec] = {}


def plan_spec(plan: Plan) -> PlanSpec:
    """The plan as the billing domain sees it. Cached per plan and name: what a plan
    charges never changes after creation."""
    key = (plan.id, plan.name)
    spec = _SPECS.get(key)
    if spec is None:
        if len(_SPECS) > 10_000:
            _SPECS.clear()
        spec = PlanSpec(name=plan.name, base_amount=Decimal(plan.base_amount),
                        timing=BillingTiming(plan.billing_timing),
                        features=tuple(_feature(f, f"features[{i}]")
                                       for i, f in enumerate(plan.features)))
        _SPECS[key] = spec
    return spec


def metered_meters(plan: Plan) -> dict[str, str]:
    """Metered feature code -> meter code."""
    return {f["code"]: f.get("meter") or f["code"] for f in plan.features
            if f["kind"] == "metered"}


def plan_view(p: Plan) -> dict[str, Any]:
    return {"id": p.public_id, "object": "plan", "uuid": p.uuid, "livemode": p.livemode,
            "created": p.created, "name": p.name, "description": p.description,
            "currency": p.currency, "interval": p.interval,
            "interval_count": p.interval_count, "base_amount": int(p.base_amount),
            "billing_timing": p.billing_timing, "trial_days": p.trial_days,
            "features": p.features, "active": p.active, "metadata": p.metadata_ or {}}


def _stored_features(ctx: Ctx, features: list[FeatureInput]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, f in enumerate(features):
        param = f"features[{i}]"
        if f.code in seen:
            raise InvalidInput(f"Feature code '{f.code}' is repeated.", param=f"{param}.code")
        seen.add(f.code)
        stored: dict[str, Any] = {"code": f.code, "name": f.name, "kind": f.kind,
                                  "included": format_decimal(f.included), "meter": None,
                                  "charge": None}
        if f.kind == "metered":
            stored["meter"] = f.meter or f.code
            meter_by_code(ctx, stored["meter"], param=f"{param}.meter")
        elif f.meter is not None:
            raise InvalidInput("Only metered features read a meter.", param=f"{param}.meter")
        if f.charge is not None:
            c = f.charge
            stored["charge"] = {
                "model": c.model,
                "unit_amount_decimal": None if c.unit_amount_decimal is None
                else format_decimal(c.unit_amount_decimal),
                "tiers": None if c.tiers is None else [
                    {"up_to": None if t.up_to is None else format_decimal(t.up_to),
                     "unit_amount_decimal": format_decimal(t.unit_amount_decimal),
                     "flat_amount": t.flat_amount} for t in c.tiers],
                "package_size": None if c.package_size is None
                else format_decimal(c.package_size),
                "package_amount": c.package_amount,
            }
        _feature(stored, param)  # validates the charge model as the domain reads it
        out.append(stored)
    return out


def create_plan(ctx: Ctx, data: PlanCreate) -> Plan:
    plan = Plan(**ctx.owned(), name=data.name, description=data.description,
                currency=normalize_currency(data.currency), interval=Interval(data.interval).value,
                interval_count=data.interval_count, base_amount=Decimal(data.base_amount),
                billing_timing=BillingTiming(data.billing_timing).value,
                trial_days=data.trial_days, features=_stored_features(ctx, data.features),
                active=True, metadata_=data.metadata or {})
    plan.updated = plan.created
    ctx.session.add(plan)
    ctx.session.flush()
    events.record(ctx, "plan.created", plan_view(plan))
    return plan


def get_plan(ctx: Ctx, plan_id: str, *, param: str = "id") -> Plan:
    return get_by_public_id(ctx.session, Plan, ctx.scope, plan_id, param=param)


def update_plan(ctx: Ctx, plan_id: str, data: PlanUpdate) -> Plan:
    plan = get_by_public_id(ctx.session, Plan, ctx.scope, plan_id, for_update=True)
    changes = provided(data)
    for name in ("name", "description", "trial_days", "active"):
        if name in changes and (changes[name] is not None or name == "description"):
            setattr(plan, name, changes[name])
    if "metadata" in changes:
        plan.metadata_ = merge_metadata(plan.metadata_, changes["metadata"])
    plan.updated = ctx.now()
    ctx.session.flush()
    events.record(ctx, "plan.updated", plan_view(plan))
    return plan


def list_plans(ctx: Ctx, p: Page, *, active: bool | None = None,
               created: dict[str, int] | None = None) -> tuple[list[Plan], bool]:
    stmt = created_filter(scoped(Plan, ctx.scope), Plan, created)
    if active is not None:
        stmt = stmt.where(Plan.active == active)
    return page(ctx.session, stmt, Plan, ctx.scope, p)
