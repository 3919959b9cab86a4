"""Meters, usage events and a customer's usage."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from folio.api.deps import CallDep
from folio.api.routes.common import ERRORS, MAX_TIME, CreatedDep, PageDep, listing
from folio.api.schemas.common import ListOf
from folio.api.schemas.usage import (
    USAGE_EVENTS_BODY,
    CustomerUsageOut,
    MeterOut,
    UsageEventBatchOut,
)
from folio.domain.errors import InvalidInput
from folio.services import meters, usage_events, usage_reads
from folio.services.meters import MeterCreate, meter_view
from folio.services.usage_validation import InexactNumber, body_text_is_clean

router = APIRouter(prefix="/v1", responses=ERRORS)
Instant = Annotated[int | None, Query(ge=0, le=MAX_TIME)]


@router.post("/meters", response_model=MeterOut, tags=["meters"])
def create_meter(body: MeterCreate, call: CallDep) -> Response:
    return call.write(lambda ctx: meter_view(meters.create_meter(ctx, body)), body)


@router.get("/meters/{meter_id}", response_model=MeterOut, tags=["meters"])
def get_meter(meter_id: str, call: CallDep) -> Response:
    return call.read(lambda ctx: meter_view(meters.get_meter(ctx, meter_id)))


@router.get("/meters", response_model=ListOf[MeterOut], tags=["meters"])
def list_meters(call: CallDep, page: PageDep, created: CreatedDep) -> Response:
    return call.read(lambda ctx: listing(meters.list_meters(ctx, page, created=created),
                                         meter_view, "/v1/meters"))


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def parse_json(raw: bytes) -> Any:
    """The body's JSON; numbers with a fraction are parsed as exact Decimals (never a
    float), NaN and Infinity are refused."""
    if not raw.strip():
        raise InvalidInput("A JSON request body is required.", code="body_invalid")
    try:
        return json.loads(raw, parse_float=Decimal, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        raise InvalidInput("The request body must be valid JSON.", code="body_invalid"
                           ) from None


def parse_json_fast(raw: bytes) -> Any:
    """The body's JSON by orjson (about twice as fast), numbers with a fraction as floats:
    ingestion raises `InexactNumber` when it meets one, and the body is parsed again by
    `parse_json`. Whatever orjson refuses is left to `parse_json` to judge."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return parse_json(raw)


@router.post("/usage_events", response_model=UsageEventBatchOut, tags=["usage"],
             openapi_extra=USAGE_EVENTS_BODY,
             summary="Record one usage event or a batch of up to 10,000")
async def create_usage_events(request: Request, call: CallDep) -> Response:
    """One event object, or `{"events": [...]}`. A batch is all or nothing: when any event
    is invalid nothing is recorded, and the error lists each bad event by index. An
    `event_id` already recorded (or repeated in the batch) is skipped and reported as a
    duplicate, never counted twice."""
    raw = await request.body()

    def run() -> Response:
        clean = body_text_is_clean(raw)
        payload = parse_json_fast(raw)
        try:
            return call.write(lambda ctx: usage_events.ingest(ctx, payload,
                                                              text_checked=clean), raw)
        except InexactNumber:  # a float: parse exactly and start over (rare)
            exact = parse_json(raw)
            return call.write(lambda ctx: usage_events.ingest(ctx, exact,
                                                              text_checked=clean), raw)

    return await run_in_threadpool(run)


@router.get("/customers/{customer_id}/usage", response_model=CustomerUsageOut,
            tags=["usage"], summary="A customer's usage per meter over a window")
def get_customer_usage(customer_id: str, call: CallDep,
                       feature: Annotated[str | None, Query(max_length=100)] = None,
                       from_: Annotated[int | None, Query(alias="from", ge=0, le=MAX_TIME)
                                        ] = None,
                       to: Instant = None) -> Response:
    """Aggregated usage over [from, to) in unix seconds (default: the current calendar
    month in the customer's time zone), for one meter (`feature`) or all of them."""
    return call.read(lambda ctx: usage_reads.customer_usage(ctx, customer_id, feature,
                                                            from_, to))
