"""Commet's usage paths, translated to Folio's usage ingestion. No business rule lives here:
a Commet feature code is a Folio meter code, a Commet event id (or the older docs'
idempotencyKey) is Folio's deduplicated event_id."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request, Response
from pydantic import Field, StrictBool, StrictInt, StringConstraints, model_validator

from folio.domain.errors import NotFound
from folio.faces.commet import mapping
from folio.faces.commet.auth import authenticate, call
from folio.faces.commet.routes import ERRORS, customer_ref
from folio.faces.commet.schemas import Envelope, In, Out
from folio.services import usage_events
from folio.services.context import Ctx

FeatureCode = Annotated[str, StringConstraints(min_length=1, max_length=100,
                                               pattern=r"^[a-z0-9_]+$")]
EventKey = Annotated[str, StringConstraints(min_length=1, max_length=100)]
DecimalText = Annotated[str, StringConstraints(min_length=1, max_length=40,
                                               pattern=r"^-?\d+(\.\d+)?$")]
Scalar = StrictBool | StrictInt | Annotated[str, StringConstraints(max_length=500)] | None

router = APIRouter(responses=ERRORS, dependencies=[Depends(authenticate)])


class PropertyIn(In):
    property: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    value: Scalar = None


class UsageEventIn(In):
    """The SDK's shape (featureCode, eventId) and the older docs' (feature, idempotencyKey)."""

    feature_code: FeatureCode | None = None
    feature: FeatureCode | None = None
    customer_id: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    event_id: EventKey | None = None
    idempotency_key: EventKey | None = None
    timestamp: StrictInt | Annotated[str, StringConstraints(max_length=40)] | None = None
    value: StrictInt | DecimalText | None = None
    properties: Annotated[list[PropertyIn], Field(max_length=100)] | None = None

    @model_validator(mode="after")
    def _one_feature(self) -> UsageEventIn:
        if self.feature_code is None and self.feature is None:
            raise ValueError("featureCode is required")
        return self


class PropertyOut(Out):
    property: str
    value: int | str | bool | None


class ConsumptionOut(Out):
    model: Literal["metered"]
    deducted: int
    remaining: int | None
    blocked: bool


class UsageEventOut(Out):
    id: str
    object: Literal["usage_event"]
    feature: str
    value: int | str | None
    customerId: str  # noqa: N815
    idempotencyKey: str | None  # noqa: N815
    ts: str
    createdAt: str  # noqa: N815
    properties: list[PropertyOut]
    consumption: ConsumptionOut
    livemode: bool


def _number(value: Decimal | None) -> int | str | None:
    """Whole quantities as JSON integers (Commet's values are integers), others as exact
    decimal text, never a float."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else str(value)


def _event_view(stored: dict[str, Any], customer_id: str, key: str | None,
                livemode: bool) -> dict[str, Any]:
    properties = stored["properties"] or {}
    return {
        "id": stored["event_id"], "object": "usage_event", "feature": stored["feature_code"],
        "value": _number(stored["value"]), "customerId": customer_id, "idempotencyKey": key,
        "ts": mapping.iso(stored["timestamp"]), "createdAt": mapping.iso(stored["created"]),
        "properties": [{"property": k, "value": v} for k, v in properties.items()],
        # metered consumption: usage is billed in arrears, nothing is drawn down up front
        "consumption": {"model": "metered", "deducted": 0, "remaining": None,
                        "blocked": False},
        "livemode": livemode,
    }


def _customer(ctx: Ctx, ref: str) -> str:
    public_id = customer_ref(ctx, ref)
    if len(public_id) > 40:  # neither a Folio id nor a known external id
        raise NotFound(f"No such customer: '{ref}'.", param="customer")
    return public_id


@router.post("/usage/events", response_model=Envelope[UsageEventOut], status_code=201,
             summary="Track a usage event")
def track_usage_event(body: UsageEventIn, request: Request) -> Response:
    key = body.event_id or body.idempotency_key

    def run(ctx: Ctx) -> dict[str, Any]:
        event_id = key or f"commet_{uuid.uuid4().hex}"  # no key: every call is a new event
        event: dict[str, Any] = {
            "event_id": event_id, "customer": _customer(ctx, body.customer_id),
            "feature": body.feature_code or body.feature}
        if body.timestamp is not None:
            event["timestamp"] = body.timestamp
        if body.value is not None:
            event["value"] = body.value
        if body.properties:
            event["properties"] = {p.property: p.value for p in body.properties}
        usage_events.ingest(ctx, event)
        return mapping.envelope(_event_view(usage_events.recorded_event(ctx, event_id),
                                            body.customer_id, key, ctx.livemode))
    return call(request, idempotent=True).write(run, body, status_code=201)
