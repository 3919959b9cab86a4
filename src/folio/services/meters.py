"""Meters: the metered features usage events are recorded against."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import StringConstraints
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from folio.db.models import Meter
from folio.db.repository import Page, created_filter, get_by_public_id, page, scoped
from folio.domain.billing.aggregation import Aggregation
from folio.domain.errors import InvalidInput, NotFound
from folio.services import events
from folio.services.context import Ctx
from folio.services.inputs.common import Name, WithMetadata

FeatureCode = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,100}$")]
PropertyName = Annotated[str, StringConstraints(min_length=1, max_length=40)]
AggregationName = Literal["sum", "count", "max", "unique_count", "latest"]


class MeterCreate(WithMetadata):
    code: FeatureCode
    name: Name
    aggregation: AggregationName = "sum"
    property: PropertyName | None = None
    unit_label: Annotated[str, StringConstraints(max_length=40)] | None = None


def _check_property(data: MeterCreate) -> None:
    if data.aggregation == "unique_count" and data.property is None:
        raise InvalidInput("A unique_count meter needs `property`: the event property whose "
                           "distinct values it counts.", param="property",
                           code="meter_property_required")
    if data.aggregation == "count" and data.property is not None:
        raise InvalidInput("A count meter counts events; it reads no property.",
                           param="property")


def meter_view(m: Meter) -> dict[str, Any]:
    return {"id": m.public_id, "object": "meter", "uuid": m.uuid, "livemode": m.livemode,
            "created": m.created, "code": m.code, "name": m.name,
            "aggregation": m.aggregation, "property": m.property, "unit_label": m.unit_label,
            "metadata": m.metadata_ or {}}


def _code_taken(code: str) -> InvalidInput:
    return InvalidInput(f"A meter with code '{code}' already exists.", param="code",
                        code="meter_code_taken")


def create_meter(ctx: Ctx, data: MeterCreate) -> Meter:
    _check_property(data)
    if ctx.session.scalars(scoped(Meter, ctx.scope).where(Meter.code == data.code)).first():
        raise _code_taken(data.code)
    meter = Meter(**ctx.owned(), code=data.code, name=data.name,
                  aggregation=Aggregation(data.aggregation).value, property=data.property,
                  unit_label=data.unit_label, metadata_=data.metadata or {})
    try:
        with ctx.session.begin_nested():  # a concurrent create of the same code
            ctx.session.add(meter)
    except IntegrityError:
        raise _code_taken(data.code) from None
    events.record(ctx, "meter.created", meter_view(meter))
    return meter


def get_meter(ctx: Ctx, meter_id: str) -> Meter:
    return get_by_public_id(ctx.session, Meter, ctx.scope, meter_id)


def meter_by_code(ctx: Ctx, code: str, param: str = "feature") -> Meter:
    meter = ctx.session.scalars(scoped(Meter, ctx.scope).where(Meter.code == code)).first()
    if meter is None:
        raise NotFound(f"No such meter: '{code}'.", param=param)
    return meter


def list_meters(ctx: Ctx, p: Page, created: dict[str, int] | None = None
                ) -> tuple[list[Meter], bool]:
    return page(ctx.session, created_filter(scoped(Meter, ctx.scope), Meter, created),
                Meter, ctx.scope, p)


def meters_by_code(ctx: Ctx, codes: set[str]) -> dict[str, Meter]:
    if not codes:
        return {}
    rows = ctx.session.scalars(select(Meter).where(
        Meter.account_id == ctx.account_id, Meter.livemode == ctx.livemode,
        Meter.code.in_(sorted(codes))))
    return {m.code: m for m in rows}
