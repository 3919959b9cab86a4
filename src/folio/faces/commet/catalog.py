"""Commet's plans and features (read only), translated from Folio plans, their features
and meters. No business rule lives here; every lossy mapping is in docs/faces/commet.md.

- A Folio plan is a Commet plan with exactly one price item (its interval and base amount).
- A plan feature keeps its code; kind metered -> `usage`, seats -> `seats`,
  boolean -> `boolean`. Commet's overage is `per_unit` only: Folio's charge model shows as
  the unit price of its first tier (graduated, volume), or package amount / package size.
- Commet's `/features` are the distinct feature codes of the account's plans (the oldest
  plan's definition wins), then the meters no plan names (as `usage` features).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import StringConstraints

from folio.db.models import Meter, Plan
from folio.db.repository import Page
from folio.domain.errors import NotFound
from folio.faces.commet import mapping
from folio.faces.commet.auth import authenticate, call
from folio.faces.commet.routes import ERRORS
from folio.faces.commet.schemas import Envelope, ListEnvelope, Out
from folio.services import meters, plans
from folio.services.context import Ctx

View = dict[str, Any]
FEATURE_TYPE = {"metered": "usage", "seats": "seats", "boolean": "boolean"}
# Folio interval and count -> Commet billingInterval (other counts: see interval_count)
INTERVAL = {("weekly", 1): "weekly", ("monthly", 1): "monthly", ("monthly", 3): "quarterly",
            ("quarterly", 1): "quarterly", ("yearly", 1): "yearly", ("monthly", 12): "yearly"}
FeatureCode = Annotated[str, StringConstraints(min_length=1, max_length=100)]

router = APIRouter(responses=ERRORS, dependencies=[Depends(authenticate)])


# --- response models ---

class OverageOut(Out):
    enabled: bool
    model: Literal["per_unit"]
    unitPrice: int | str | None  # noqa: N815


class PlanFeatureOut(Out):
    code: str
    name: str
    type: Literal["boolean", "usage", "seats", "quota"]
    unitName: str | None  # noqa: N815
    enabled: bool
    includedAmount: int | str | None  # noqa: N815
    unlimited: bool
    overage: OverageOut | None


class PriceOut(Out):
    id: str
    billingInterval: Literal["weekly", "monthly", "quarterly", "yearly", "one_time"]  # noqa: N815
    intervalCount: int  # noqa: N815
    price: int
    currency: str
    isDefault: bool  # noqa: N815
    trialDays: int  # noqa: N815
    includedBalance: int  # noqa: N815
    includedCredits: int  # noqa: N815
    introOffer: None  # noqa: N815


class PlanOut(Out):
    id: str
    object: Literal["plan"]
    name: str
    code: str
    description: str | None
    consumptionModel: Literal["metered", "credits", "balance"]  # noqa: N815
    isPublic: bool  # noqa: N815
    isDefault: bool  # noqa: N815
    isFree: bool  # noqa: N815
    blockOnExhaustion: bool  # noqa: N815
    sortOrder: int  # noqa: N815
    planGroupId: None  # noqa: N815
    metadata: dict[str, Any]
    createdAt: str  # noqa: N815
    updatedAt: str  # noqa: N815
    features: list[PlanFeatureOut]
    prices: list[PriceOut]
    exchangeRates: list[Any]  # noqa: N815
    livemode: bool


class FeatureOut(Out):
    id: str
    object: Literal["feature"]
    code: str
    name: str
    type: Literal["boolean", "usage", "seats", "quota"]
    description: str | None
    unitName: str | None  # noqa: N815
    createdAt: str  # noqa: N815
    livemode: bool


# --- mapping ---

def number(value: Decimal | str | None) -> int | str | None:
    """A Folio decimal -> a JSON integer when whole, else its exact decimal text (never a
    float)."""
    if value is None:
        return None
    dec = Decimal(str(value))
    return int(dec) if dec == dec.to_integral_value() else format(dec.normalize(), "f")


def overage_unit_price(charge: dict[str, Any] | None) -> int | str | None:
    """Commet's one per-unit overage price for a Folio charge model (lossy but for
    per_unit): the first tier's unit amount for graduated and volume, the package amount
    over the package size (rounded half up to 12 places) for package."""
    if charge is None:
        return None
    model = charge.get("model")
    if model == "per_unit":
        return number(charge.get("unit_amount_decimal"))
    if model in ("graduated", "volume"):
        tiers = charge.get("tiers") or []
        return number(tiers[0].get("unit_amount_decimal")) if tiers else None
    if model == "package":
        size = Decimal(str(charge.get("package_size") or 0))
        if size <= 0:
            return None
        per_unit = Decimal(int(charge.get("package_amount") or 0)) / size
        return number(per_unit.quantize(Decimal("1e-12"), rounding=ROUND_HALF_UP))
    return None


def plan_feature_view(f: dict[str, Any], units: dict[str, str | None]) -> View:
    kind = f["kind"]
    charge = f.get("charge")
    unit = units.get(f.get("meter") or f["code"]) if kind == "metered" else (
        "seat" if kind == "seats" else None)
    return {
        "code": f["code"], "name": f["name"], "type": FEATURE_TYPE[kind], "unitName": unit,
        "enabled": True,
        "includedAmount": None if kind == "boolean" else number(f.get("included")),
        "unlimited": False,
        "overage": None if kind == "boolean" else {
            "enabled": charge is not None, "model": "per_unit",
            "unitPrice": overage_unit_price(charge)},
    }


def price_view(p: Plan) -> View:
    interval = INTERVAL.get((p.interval, p.interval_count), p.interval)
    count = 1 if (p.interval, p.interval_count) in INTERVAL else p.interval_count
    return {"id": f"{p.public_id}_price", "billingInterval": interval, "intervalCount": count,
            "price": int(p.base_amount), "currency": p.currency.lower(), "isDefault": True,
            "trialDays": p.trial_days, "includedBalance": 0, "includedCredits": 0,
            "introOffer": None}


def plan_view(p: Plan, units: dict[str, str | None]) -> View:
    charged = any(f.get("charge") for f in p.features)
    return {
        "id": p.public_id, "object": "plan", "name": p.name,
        "code": str((p.metadata_ or {}).get("code") or p.public_id),
        "description": p.description, "consumptionModel": "metered",
        "isPublic": p.active, "isDefault": False,
        "isFree": int(p.base_amount) == 0 and not charged, "blockOnExhaustion": False,
        "sortOrder": 0, "planGroupId": None, "metadata": p.metadata_ or {},
        "createdAt": mapping.iso(p.created), "updatedAt": mapping.iso(p.updated or p.created),
        "features": [plan_feature_view(f, units) for f in p.features],
        "prices": [price_view(p)], "exchangeRates": [], "livemode": p.livemode,
    }


def _unit_names(ctx: Ctx, plan_list: list[Plan]) -> dict[str, str | None]:
    codes = {f.get("meter") or f["code"] for p in plan_list for f in p.features
             if f["kind"] == "metered"}
    return {code: m.unit_label for code, m in meters.meters_by_code(ctx, codes).items()}


def _all(ctx: Ctx, lister: Any) -> list[Any]:
    """Every row of a paged Folio list, oldest first."""
    out: list[Any] = []
    cursor = None
    while True:
        rows, more = lister(ctx, Page(limit=100, starting_after=cursor))
        out.extend(rows)
        if not more or not rows:
            return list(reversed(out))
        cursor = rows[-1].public_id


def _features(ctx: Ctx) -> dict[str, View]:
    """Commet features by code: the plans' features (oldest plan first), then the meters
    that no plan names."""
    plan_list: list[Plan] = _all(ctx, plans.list_plans)
    meter_list: list[Meter] = _all(ctx, meters.list_meters)
    by_code = {m.code: m for m in meter_list}
    out: dict[str, View] = {}
    for p in plan_list:
        for f in p.features:
            if f["code"] in out:
                continue
            meter = by_code.get(f.get("meter") or f["code"]) if f["kind"] == "metered" else None
            out[f["code"]] = {
                "id": meter.public_id if meter else f"{p.public_id}_{f['code']}",
                "object": "feature", "code": f["code"], "name": f["name"],
                "type": FEATURE_TYPE[f["kind"]], "description": None,
                "unitName": meter.unit_label if meter else (
                    "seat" if f["kind"] == "seats" else None),
                "createdAt": mapping.iso(meter.created if meter else p.created),
                "livemode": p.livemode}
    for m in meter_list:
        out.setdefault(m.code, {
            "id": m.public_id, "object": "feature", "code": m.code, "name": m.name,
            "type": "usage", "description": None, "unitName": m.unit_label,
            "createdAt": mapping.iso(m.created), "livemode": m.livemode})
    return out


# --- routes ---

@router.get("/plans", response_model=ListEnvelope[PlanOut], summary="List plans")
def list_plans(request: Request,
               include_private: Annotated[bool, Query(alias="includePrivate")] = False,
               limit: Annotated[int, Query(ge=1, le=100)] = 25,
               cursor: Annotated[str | None, Query(max_length=40)] = None) -> Response:
    """Public plans are Folio's active plans; includePrivate adds the inactive ones."""
    def run(ctx: Ctx) -> View:
        rows, more = plans.list_plans(ctx, Page(limit=limit, starting_after=cursor),
                                      active=None if include_private else True)
        units = _unit_names(ctx, rows)
        return mapping.list_envelope([plan_view(p, units) for p in rows], more)
    return call(request).read(run)


@router.get("/plans/{plan_id}", response_model=Envelope[PlanOut], summary="Get plan")
def get_plan(plan_id: str, request: Request) -> Response:
    def run(ctx: Ctx) -> View:
        plan = plans.get_plan(ctx, plan_id)
        return mapping.envelope(plan_view(plan, _unit_names(ctx, [plan])))
    return call(request).read(run)


@router.get("/features", response_model=ListEnvelope[FeatureOut], summary="List features")
def list_features(request: Request, limit: Annotated[int, Query(ge=1, le=100)] = 25,
                  cursor: Annotated[str | None, Query(max_length=100)] = None) -> Response:
    """Ordered by code; the cursor is the last code of the previous page."""
    def run(ctx: Ctx) -> View:
        rows = [v for code, v in sorted(_features(ctx).items())
                if cursor is None or code > cursor]
        page = rows[:limit]
        more = len(rows) > limit
        return {"success": True, "data": page, "hasMore": more,
                "nextCursor": page[-1]["code"] if more else None}
    return call(request).read(run)


@router.get("/features/{code}", response_model=Envelope[FeatureOut], summary="Get feature")
def get_feature(code: str, request: Request) -> Response:
    def run(ctx: Ctx) -> View:
        found = _features(ctx).get(code)
        if found is None:
            raise NotFound(f"No such feature: '{code}'.", param="code")
        return mapping.envelope(found)
    return call(request).read(run)
