"""Issues the due occurrences of recurring schedules.

`run_due_schedules(database, at)` issues, for every active schedule, each occurrence
due at or before `at` (a runner that was down catches up), one transaction per
occurrence: the invoice referencing its schedule and occurrence number, finalized if
auto_finalize (and charged when charge_automatically), sent if auto_send. A failing
occurrence is reported and retried on the next run; it never stops the others.

Two runners never issue one occurrence twice: the schedule row is locked (FOR UPDATE
SKIP LOCKED on PostgreSQL — the other runner moves on; SQLite serialises writers),
re-read, and the occurrence row is UNIQUE (schedule, occurrence) besides.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from folio.db.engine import Database
from folio.db.models import RecurringOccurrence, RecurringSchedule
from folio.domain.errors import DomainError
from folio.domain.states import ScheduleStatus
from folio.services import collection, events, lifecycle
from folio.services.card_vault import SavedCardGateway
from folio.services.collection_views import schedule_view
from folio.services.context import Ctx
from folio.services.invoices import create_invoice
from folio.services.recurring_schedules import complete, invoice_input, recurrence_of


@dataclass
class ScheduleRunSummary:
    invoices_created: int = 0
    finalized: int = 0
    sent: int = 0
    collected: int = 0  # charges that succeeded
    completed: int = 0  # schedules that reached their count or end
    errors: list[tuple[str, int, str]] = field(default_factory=list)  # schedule, n, reason
    invoices: list[str] = field(default_factory=list)

    def add(self, part: ScheduleRunSummary) -> None:
        self.invoices_created += part.invoices_created
        self.finalized += part.finalized
        self.sent += part.sent
        self.collected += part.collected
        self.completed += part.completed
        self.invoices += part.invoices


def _issue(ctx: Ctx, s: RecurringSchedule, summary: ScheduleRunSummary,
           vault: SavedCardGateway | None) -> None:
    number, scheduled_at = s.next_occurrence, s.next_run_at
    assert scheduled_at is not None
    invoice = create_invoice(ctx, invoice_input(s, number))
    occurrence = RecurringOccurrence(schedule_id=s.id, occurrence=number,
                                     scheduled_at=scheduled_at, invoice_id=invoice.id,
                                     created=ctx.now())
    with ctx.session.begin_nested():  # the unique row: a racing runner's duplicate fails
        ctx.session.add(occurrence)
    if s.auto_send:
        lifecycle.send_invoice(ctx, invoice.public_id)
        summary.finalized += 1
        summary.sent += 1
    elif s.auto_finalize:
        lifecycle.finalize_invoice(ctx, invoice.public_id)
        summary.finalized += 1
    if invoice.status == "open" and invoice.collection_method == "charge_automatically" \
            and collection.collect_invoice(ctx, invoice.public_id, vault=vault).outcome \
            == "succeeded":
        summary.collected += 1
    s.invoices_created += 1
    s.next_occurrence = number + 1
    s.next_run_at = recurrence_of(s).occurrence_at(number + 1)
    s.updated = ctx.now()
    ctx.session.flush()
    events.record(ctx, "recurring_schedule.updated", schedule_view(s))
    if s.next_run_at is None:
        complete(ctx, s)
        summary.completed += 1
    summary.invoices_created += 1
    summary.invoices.append(invoice.public_id)


def _lock_due(ctx: Ctx, schedule_id: int, at: int, skip_locked: bool
              ) -> RecurringSchedule | None:
    stmt = select(RecurringSchedule).where(
        RecurringSchedule.id == schedule_id,
        RecurringSchedule.status == ScheduleStatus.ACTIVE.value,
        RecurringSchedule.next_run_at <= at).with_for_update(
        of=RecurringSchedule, skip_locked=skip_locked)
    return ctx.session.scalars(stmt).first()


def run_due_schedules(database: Database, at: int, *,
                      vault: SavedCardGateway | None = None) -> ScheduleRunSummary:
    """Issues every occurrence due at `at` (see the module text)."""
    summary = ScheduleRunSummary()
    with database.transaction(write=False) as session:
        due = session.execute(
            select(RecurringSchedule.id, RecurringSchedule.public_id,
                   RecurringSchedule.account_id, RecurringSchedule.livemode)
            .where(RecurringSchedule.status == ScheduleStatus.ACTIVE.value,
                   RecurringSchedule.next_run_at <= at)
            .order_by(RecurringSchedule.next_run_at, RecurringSchedule.id)).all()
    skip_locked = database.dialect == "postgresql"
    for schedule_id, public_id, account_id, livemode in due:
        while True:  # one transaction per occurrence, until nothing of it is due
            number, part = 0, ScheduleRunSummary()
            try:
                with database.transaction() as session:
                    ctx = Ctx(session, account_id=account_id, livemode=livemode,
                              clock=lambda: at)
                    schedule = _lock_due(ctx, schedule_id, at, skip_locked)
                    if schedule is None:  # done, or another runner holds it
                        break
                    number = schedule.next_occurrence
                    _issue(ctx, schedule, part, vault)
            except IntegrityError:
                break  # another runner issued this occurrence first
            except DomainError as exc:
                summary.errors.append((public_id, number, exc.message))
                break
            except Exception as exc:  # reported; the run goes on with other schedules
                summary.errors.append((public_id, number,
                                       f"{type(exc).__name__}: {str(exc)[:200]}"))
                break
            summary.add(part)  # counted once committed
    return summary
