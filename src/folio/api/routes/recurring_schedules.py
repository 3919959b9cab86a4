"""Recurring schedules of hand-made invoices: a template issued on a frequency or an
RFC 5545 RRULE, with pause, resume and cancel."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from folio.api.deps import CallDep
from folio.api.routes.common import ERRORS, CreatedDep, PageDep, listing
from folio.api.schemas.collection import RecurringScheduleOut
from folio.api.schemas.common import ListOf
from folio.services import recurring_schedules as schedules
from folio.services.collection_views import schedule_view
from folio.services.inputs.collection import ScheduleCreate, ScheduleUpdate

router = APIRouter(prefix="/v1/recurring_schedules", tags=["recurring_schedules"],
                   responses=ERRORS)


@router.post("", response_model=RecurringScheduleOut, summary="Create a recurring schedule")
def create_schedule(body: ScheduleCreate, call: CallDep) -> Response:
    return call.write(lambda ctx: schedule_view(schedules.create_schedule(ctx, body)), body)


@router.get("/{schedule_id}", response_model=RecurringScheduleOut,
            summary="Retrieve a recurring schedule")
def get_schedule(schedule_id: str, call: CallDep) -> Response:
    return call.read(lambda ctx: schedule_view(schedules.get_schedule(ctx, schedule_id)))


@router.get("", response_model=ListOf[RecurringScheduleOut],
            summary="List recurring schedules")
def list_schedules(call: CallDep, page: PageDep, created: CreatedDep,
                   status: Literal["active", "paused", "completed", "canceled"] | None = None,
                   customer: Annotated[str | None, Query(max_length=40)] = None,
                   ) -> Response:
    return call.read(lambda ctx: listing(
        schedules.list_schedules(ctx, page, status=status, customer=customer,
                                 created=created),
        schedule_view, "/v1/recurring_schedules"))


@router.post("/{schedule_id}", response_model=RecurringScheduleOut,
             summary="Update a recurring schedule's template, automation or end")
def update_schedule(schedule_id: str, body: ScheduleUpdate, call: CallDep) -> Response:
    return call.write(lambda ctx: schedule_view(
        schedules.update_schedule(ctx, schedule_id, body)), body)


@router.post("/{schedule_id}/pause", response_model=RecurringScheduleOut,
             summary="Pause: no occurrence is issued until resumed")
def pause_schedule(schedule_id: str, call: CallDep) -> Response:
    return call.write(lambda ctx: schedule_view(schedules.pause_schedule(ctx, schedule_id)))


@router.post("/{schedule_id}/resume", response_model=RecurringScheduleOut,
             summary="Resume: occurrences that fell due while paused are skipped")
def resume_schedule(schedule_id: str, call: CallDep) -> Response:
    return call.write(lambda ctx: schedule_view(schedules.resume_schedule(ctx, schedule_id)))


@router.post("/{schedule_id}/cancel", response_model=RecurringScheduleOut,
             summary="Cancel: no further occurrence is ever issued")
def cancel_schedule(schedule_id: str, call: CallDep) -> Response:
    return call.write(lambda ctx: schedule_view(schedules.cancel_schedule(ctx, schedule_id)))
