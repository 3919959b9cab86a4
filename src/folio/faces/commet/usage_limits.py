"""Commet's POST /usage/check and PUT /usage, translated to Folio's feature usage service
(services/feature_usage.py). No business rule lives here: the service decides what is
allowed and how a period's usage is set; this module renames fields."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request, Response
from pydantic import Field, StrictInt, StringConstraints

from folio.faces.commet import mapping
from folio.faces.commet.auth import authenticate, call
from folio.faces.commet.catalog import FEATURE_TYPE, number, overage_unit_price
from folio.faces.commet.routes import ERRORS, customer_ref
from folio.faces.commet.schemas import Envelope, In, Out
from folio.services import feature_usage
from folio.services.context import Ctx

CustomerRef = Annotated[str, StringConstraints(min_length=1, max_length=200)]
FeatureCode = Annotated[str, StringConstraints(min_length=1, max_length=100,
                                               pattern=r"^[a-z0-9_]+$")]
Amount = int | str | None

router = APIRouter(responses=ERRORS, dependencies=[Depends(authenticate)])


class UsageCheckIn(In):
    customer_id: CustomerRef
    feature_code: FeatureCode
    quantity: Annotated[StrictInt, Field(gt=0, le=10**15)] = 1


class UsageSetIn(In):
    customer_id: CustomerRef
    feature_code: FeatureCode
    value: Annotated[StrictInt, Field(ge=0, le=10**15)]
    reason: Annotated[str, StringConstraints(max_length=500)] | None = None


class UsageCheckOut(Out):
    allowed: bool
    consumptionModel: Literal["metered"]  # noqa: N815
    feature: str
    featureType: Literal["boolean", "usage", "seats"] | None  # noqa: N815
    quantity: int
    current: Amount
    remaining: Amount
    unlimited: bool
    included: Amount
    overageEnabled: bool  # noqa: N815
    overageUnitPrice: Amount  # noqa: N815
    unitPrice: Amount  # noqa: N815
    creditsPerUnit: None  # noqa: N815
    estimatedCredits: None  # noqa: N815
    planCredits: None  # noqa: N815
    purchasedCredits: None  # noqa: N815
    totalCredits: None  # noqa: N815
    subscriptionId: str | None  # noqa: N815
    periodStart: str | None  # noqa: N815
    periodEnd: str | None  # noqa: N815


class UsageSetOut(Out):
    object: Literal["usage_set"]
    customerId: str  # noqa: N815
    featureCode: str  # noqa: N815
    subscriptionId: str  # noqa: N815
    value: Amount
    previousValue: Amount  # noqa: N815
    delta: Amount
    eventId: str | None  # noqa: N815
    reason: str | None
    periodStart: str  # noqa: N815
    periodEnd: str  # noqa: N815
    livemode: bool


def check_view(s: feature_usage.FeatureStanding, customer_id: str) -> dict[str, Any]:
    overage = s.charge is not None
    return {
        "allowed": s.allowed, "consumptionModel": "metered", "feature": s.code,
        "featureType": FEATURE_TYPE[s.kind] if s.kind else None,
        "quantity": int(s.quantity), "current": number(s.used),
        "remaining": number(s.remaining), "unlimited": False,
        "included": number(s.included), "overageEnabled": overage,
        "overageUnitPrice": overage_unit_price(s.charge) if overage else None,
        "unitPrice": overage_unit_price(s.charge) if overage else None,
        "creditsPerUnit": None, "estimatedCredits": None, "planCredits": None,
        "purchasedCredits": None, "totalCredits": None,
        "subscriptionId": s.subscription.public_id if s.subscription else None,
        "periodStart": mapping.iso(s.period_start), "periodEnd": mapping.iso(s.period_end),
    }


def set_view(done: dict[str, Any], customer_id: str) -> dict[str, Any]:
    return {"object": "usage_set", "customerId": customer_id, "featureCode": done["feature"],
            "subscriptionId": done["subscription"], "value": number(done["value"]),
            "previousValue": number(done["previous"]), "delta": number(done["delta"]),
            "eventId": done["event_id"], "reason": done["reason"],
            "periodStart": mapping.iso(done["period_start"]),
            "periodEnd": mapping.iso(done["period_end"]), "livemode": done["livemode"]}


@router.post("/usage/check", response_model=Envelope[UsageCheckOut],
             summary="Check whether a customer may use more of a feature")
def check_usage(body: UsageCheckIn, request: Request) -> Response:
    """Reads only: the usage of the current period of the customer's live subscription."""
    def run(ctx: Ctx) -> dict[str, Any]:
        standing = feature_usage.feature_standing(
            ctx, customer_ref(ctx, body.customer_id), body.feature_code,
            Decimal(body.quantity))
        return mapping.envelope(check_view(standing, body.customer_id))
    return call(request).read(run)


@router.put("/usage", response_model=Envelope[UsageSetOut],
            summary="Set the exact usage of a feature in the current period (sum meters)")
def set_usage(body: UsageSetIn, request: Request) -> Response:
    def run(ctx: Ctx) -> dict[str, Any]:
        done = feature_usage.set_period_usage(
            ctx, customer_ref(ctx, body.customer_id), body.feature_code,
            Decimal(body.value), body.reason)
        return mapping.envelope(set_view(done, body.customer_id))
    return call(request, idempotent=True).write(run, body)
