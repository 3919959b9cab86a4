"""Recurring schedules of hand-made invoices: create, read, list, update, pause, resume,
cancel. The runner that issues their occurrences lives in schedule_runner.

A schedule's template is checked at create and update by building (not saving) the
invoice an occurrence would issue, through the same path as invoice preview, so a
template that could not make an invoice is refused up front.

A start in the past is not back-filled: the first occurrence issued is the first one at
or after the creation. Pausing stops issuing; resuming skips every occurrence that fell
due while paused (it is not back-filled either): the next occurrence is the first one at
or after the moment of resume.
"""

from __future__ import annotations

from typing import Any

from folio.db.models import RecurringSchedule
from folio.db.repository import Page, created_filter, get_by_public_id, page, scoped
from folio.domain.errors import DomainError, InvalidInput, InvalidState
from folio.domain.money import normalize_currency
from folio.domain.recurrence import Recurrence
from folio.domain.states import ScheduleAction, ScheduleStatus, next_schedule_status
from folio.services import events
from folio.services.collection_views import schedule_view
from folio.services.context import Ctx
from folio.services.customers import get_customer
from folio.services.inputs.collection import ScheduleCreate, ScheduleTemplate, ScheduleUpdate
from folio.services.inputs.common import merge_metadata, provided
from folio.services.inputs.invoices import InvoiceCreate
from folio.services.invoices import build_draft


def recurrence_of(s: RecurringSchedule) -> Recurrence:
    return Recurrence(start=s.start_at, interval=s.interval, interval_count=s.interval_count,
                      rrule=s.rrule, end=s.end_at, count=s.count)


def invoice_input(s: RecurringSchedule, occurrence: int | None = None) -> InvoiceCreate:
    """The invoice an occurrence issues."""
    template = dict(s.template)
    return InvoiceCreate.model_validate({
        **template, "customer": s.customer.public_id, "currency": s.currency,
        "recurring_schedule": s.public_id, "recurring_occurrence": occurrence,
        "invoice_type": "recurring"})


def _template(ctx: Ctx, template: ScheduleTemplate, customer: str, currency: str
              ) -> dict[str, Any]:
    _check_template(template)
    stored = template.model_dump(mode="json", exclude_none=True)
    # build the invoice an occurrence would issue (writes nothing): refuses unknown tax
    # rates, prices in another currency, ... with the parameter named as in the template
    try:
        build_draft(ctx, InvoiceCreate.model_validate(
            {**stored, "customer": customer, "currency": currency}))
    except DomainError as exc:
        if exc.param and not exc.param.startswith("template."):
            exc.param = f"template.{exc.param}"
        raise
    return stored


def _check_template(t: ScheduleTemplate) -> None:
    if t.collection_method == "send_invoice" and t.days_until_due is None:
        raise InvalidInput("send_invoice needs days_until_due.",
                           param="template.days_until_due", code="days_until_due_required")
    if t.collection_method == "charge_automatically" and t.days_until_due is not None:
        raise InvalidInput("days_until_due applies only to send_invoice.",
                           param="template.days_until_due")


def _check_automation(s: RecurringSchedule) -> None:
    if s.auto_send and s.template.get("collection_method") != "send_invoice":
        raise InvalidInput("auto_send needs the template's collection_method to be "
                           "send_invoice.", param="auto_send")
    if s.auto_send and not s.auto_finalize:
        raise InvalidInput("auto_send also finalizes: set auto_finalize too.",
                           param="auto_finalize")


def _record(ctx: Ctx, type_: str, s: RecurringSchedule) -> None:
    events.record(ctx, type_, schedule_view(s))


def create_schedule(ctx: Ctx, data: ScheduleCreate) -> RecurringSchedule:
    customer = get_customer(ctx, data.customer, param="customer")
    currency = normalize_currency(data.currency or customer.currency
                                  or ctx.account.default_currency)
    freq = data.frequency
    recurrence = Recurrence(start=data.start_at, interval=freq.interval if freq else None,
                            interval_count=freq.interval_count if freq else None,
                            rrule=data.rrule, end=data.end_at, count=data.count)
    recurrence.validate()
    schedule = RecurringSchedule(
        **ctx.owned(), customer_id=customer.id, status=ScheduleStatus.ACTIVE.value,
        currency=currency, template=_template(ctx, data.template, customer.public_id,
                                              currency),
        interval=recurrence.interval, interval_count=recurrence.interval_count,
        rrule=data.rrule.strip() if data.rrule else None, start_at=data.start_at,
        end_at=data.end_at, count=data.count, auto_finalize=data.auto_finalize,
        auto_send=data.auto_send, invoices_created=0,
        metadata_=data.metadata or {})
    schedule.customer = customer
    schedule.updated = schedule.created
    # a start in the past is not back-filled: the first occurrence issued is the first one
    # at or after now (occurrences keep their numbers from the start)
    schedule.next_occurrence, schedule.next_run_at = recurrence.first_at_or_after(1, ctx.now())
    if schedule.next_run_at is None:
        raise InvalidInput("Every occurrence of the schedule is in the past.", param="end_at",
                           code="schedule_empty")
    _check_automation(schedule)
    ctx.session.add(schedule)
    ctx.session.flush()
    _record(ctx, "recurring_schedule.created", schedule)
    return schedule


def get_schedule(ctx: Ctx, schedule_id: str, *, for_update: bool = False
                 ) -> RecurringSchedule:
    return get_by_public_id(ctx.session, RecurringSchedule, ctx.scope, schedule_id,
                            for_update=for_update)


def list_schedules(ctx: Ctx, p: Page, *, status: str | None = None,
                   customer: str | None = None, created: dict[str, int] | None = None,
                   ) -> tuple[list[RecurringSchedule], bool]:
    stmt = created_filter(scoped(RecurringSchedule, ctx.scope), RecurringSchedule, created)
    if status:
        stmt = stmt.where(RecurringSchedule.status == status)
    if customer:
        stmt = stmt.where(RecurringSchedule.customer_id
                          == get_customer(ctx, customer, "customer").id)
    return page(ctx.session, stmt, RecurringSchedule, ctx.scope, p)


def _set_status(ctx: Ctx, s: RecurringSchedule, action: ScheduleAction) -> None:
    s.status = next_schedule_status(ScheduleStatus(s.status), action).value
    s.updated = ctx.now()


def complete(ctx: Ctx, s: RecurringSchedule) -> None:
    """No occurrence is left: the count or the end date was reached."""
    _set_status(ctx, s, ScheduleAction.COMPLETE)
    s.next_run_at = None
    s.completed_at = ctx.now()
    ctx.session.flush()
    _record(ctx, "recurring_schedule.completed", s)


def update_schedule(ctx: Ctx, schedule_id: str, data: ScheduleUpdate) -> RecurringSchedule:
    s = get_schedule(ctx, schedule_id, for_update=True)
    if s.status == ScheduleStatus.CANCELED.value:
        raise InvalidState("A canceled recurring schedule cannot be updated.",
                           code="schedule_canceled")
    changes = provided(data)
    if changes.get("template") is not None:
        assert data.template is not None
        s.template = _template(ctx, data.template, s.customer.public_id, s.currency)
    for name in ("auto_finalize", "auto_send"):
        if changes.get(name) is not None:
            setattr(s, name, changes[name])
    if "end_at" in changes:
        s.end_at = changes["end_at"]
    if "count" in changes:
        s.count = changes["count"]
    if "metadata" in changes:
        s.metadata_ = merge_metadata(s.metadata_, changes["metadata"])
    if s.end_at is not None and s.end_at < s.start_at:
        raise InvalidInput("end_at is before start_at.", param="end_at")
    _check_automation(s)
    s.updated = ctx.now()
    _reschedule(ctx, s)
    ctx.session.flush()
    _record(ctx, "recurring_schedule.updated", s)
    return s


def _reschedule(ctx: Ctx, s: RecurringSchedule) -> None:
    """After the end or count changed: the next occurrence's time, completing or
    reopening the schedule as needed."""
    at = recurrence_of(s).occurrence_at(s.next_occurrence)
    if s.status == ScheduleStatus.COMPLETED.value and at is not None:
        # reopened: like a resume, what fell due meanwhile is not back-filled
        s.next_occurrence, at = recurrence_of(s).first_at_or_after(s.next_occurrence,
                                                                   ctx.now())
        if at is None:
            return
        _set_status(ctx, s, ScheduleAction.EXTEND)
        s.completed_at = None
    if s.status != ScheduleStatus.COMPLETED.value:
        s.next_run_at = at
        if at is None:
            complete(ctx, s)


def pause_schedule(ctx: Ctx, schedule_id: str) -> RecurringSchedule:
    s = get_schedule(ctx, schedule_id, for_update=True)
    _set_status(ctx, s, ScheduleAction.PAUSE)
    s.paused_at = ctx.now()
    ctx.session.flush()
    _record(ctx, "recurring_schedule.paused", s)
    return s


def resume_schedule(ctx: Ctx, schedule_id: str) -> RecurringSchedule:
    """Skips the occurrences that fell due while paused (see the module text)."""
    s = get_schedule(ctx, schedule_id, for_update=True)
    _set_status(ctx, s, ScheduleAction.RESUME)
    s.paused_at = None
    s.next_occurrence, s.next_run_at = recurrence_of(s).first_at_or_after(
        s.next_occurrence, ctx.now())
    ctx.session.flush()
    _record(ctx, "recurring_schedule.resumed", s)
    if s.next_run_at is None:
        complete(ctx, s)
    return s


def cancel_schedule(ctx: Ctx, schedule_id: str) -> RecurringSchedule:
    s = get_schedule(ctx, schedule_id, for_update=True)
    _set_status(ctx, s, ScheduleAction.CANCEL)
    s.canceled_at = ctx.now()
    s.next_run_at = None
    ctx.session.flush()
    _record(ctx, "recurring_schedule.canceled", s)
    return s
