"""Recurring schedules run on a real database with a frozen clock: occurrences by interval
and by RRULE across month ends, completion by count and by end date, pause skipping,
automation (finalize, send, charge) and runners racing without duplicates."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select

from folio.db.engine import Database
from folio.db.models import Invoice, RecurringOccurrence, RecurringSchedule
from folio.services import recurring_schedules as schedules
from folio.services.inputs.collection import ScheduleCreate, ScheduleUpdate
from folio.services.schedule_runner import run_due_schedules
from tests.conftest import Tenant
from tests.integration.collection_helpers import DAY, customer_with, event_types, in_tx
from tests.integration.test_concurrency import race


def ts(year: int, month: int, day: int, hour: int = 9) -> int:
    return int(datetime(year, month, day, hour, tzinfo=UTC).timestamp())


def create(db: Database, tenant: Tenant, at: int, *, token: str | None = None,
           **fields: Any) -> str:
    customer = customer_with(db, tenant, token)
    body = {"customer": customer, "currency": "eur",
            "template": {"lines": [{"description": "Retainer", "unit_amount": 25_000}],
                         "memo": "Thank you"}, **fields}
    data = ScheduleCreate.model_validate(body)
    return in_tx(db, tenant, lambda ctx: schedules.create_schedule(ctx, data).public_id, at)


def issued(db: Database, schedule_id: str) -> list[tuple[int, date, str]]:
    """(occurrence, scheduled UTC date, invoice status) of every issued occurrence."""
    with db.transaction(write=False) as session:
        rows = session.execute(
            select(RecurringOccurrence.occurrence, RecurringOccurrence.scheduled_at,
                   Invoice.status, Invoice.recurring_schedule_ref,
                   Invoice.recurring_occurrence)
            .join(RecurringSchedule, RecurringSchedule.id == RecurringOccurrence.schedule_id)
            .join(Invoice, Invoice.id == RecurringOccurrence.invoice_id)
            .where(RecurringSchedule.public_id == schedule_id)
            .order_by(RecurringOccurrence.occurrence)).all()
    assert all(ref == schedule_id and n == number for number, _, _, ref, n in rows)
    return [(int(n), datetime.fromtimestamp(at, UTC).date(), str(status))
            for n, at, status, _, _ in rows]


def state(db: Database, schedule_id: str) -> tuple[str, int, int | None]:
    with db.transaction(write=False) as session:
        s = session.scalars(select(RecurringSchedule).where(
            RecurringSchedule.public_id == schedule_id)).one()
        return s.status, s.next_occurrence, s.next_run_at


class TestOccurrences:
    def test_monthly_interval_clamps_to_month_ends(self, db: Database,
                                                   tenant: Tenant) -> None:
        start = ts(2024, 1, 31)
        sid = create(db, tenant, start - DAY, start_at=start,
                     frequency={"interval": "month"}, count=5)
        run_due_schedules(db, ts(2024, 3, 1))
        assert [(n, d) for n, d, _ in issued(db, sid)] == [
            (1, date(2024, 1, 31)), (2, date(2024, 2, 29))]
        assert state(db, sid) == ("active", 3, ts(2024, 3, 31))
        run_due_schedules(db, ts(2024, 12, 1))  # a runner that was down catches up
        assert [(n, d) for n, d, _ in issued(db, sid)] == [
            (1, date(2024, 1, 31)), (2, date(2024, 2, 29)), (3, date(2024, 3, 31)),
            (4, date(2024, 4, 30)), (5, date(2024, 5, 31))]
        assert state(db, sid) == ("completed", 6, None)
        types = event_types(db, sid)
        assert types[0] == "recurring_schedule.created"
        assert types[-1] == "recurring_schedule.completed"
        assert types.count("recurring_schedule.updated") == 5

    def test_rrule_month_ends(self, db: Database, tenant: Tenant) -> None:
        start = ts(2023, 1, 31)
        last_day = create(db, tenant, start, start_at=start,
                          rrule="FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=3")
        strict = create(db, tenant, start, start_at=start, rrule="RRULE:FREQ=MONTHLY",
                        count=3)
        run_due_schedules(db, ts(2023, 12, 31))
        assert [d for _, d, _ in issued(db, last_day)] == [
            date(2023, 1, 31), date(2023, 2, 28), date(2023, 3, 31)]
        # RFC 5545: a monthly rule from the 31st skips the months without one
        assert [d for _, d, _ in issued(db, strict)] == [
            date(2023, 1, 31), date(2023, 3, 31), date(2023, 5, 31)]
        assert state(db, last_day)[0] == state(db, strict)[0] == "completed"

    def test_weekly_until_the_end_date(self, db: Database, tenant: Tenant) -> None:
        start = ts(2022, 6, 6)
        sid = create(db, tenant, start, start_at=start, frequency={
            "interval": "week", "interval_count": 2}, end_at=start + 30 * DAY)
        run_due_schedules(db, start + 60 * DAY)
        assert [d for _, d, _ in issued(db, sid)] == [
            date(2022, 6, 6), date(2022, 6, 20), date(2022, 7, 4)]
        assert state(db, sid) == ("completed", 4, None)

    def test_rrule_by_weekday(self, db: Database, tenant: Tenant) -> None:
        start = ts(2022, 9, 1)  # a Thursday
        sid = create(db, tenant, start, start_at=start,
                     rrule="FREQ=MONTHLY;BYDAY=1MO;COUNT=2")
        run_due_schedules(db, ts(2022, 11, 1))
        assert [d for _, d, _ in issued(db, sid)] == [date(2022, 9, 5), date(2022, 10, 3)]


class TestPause:
    def test_occurrences_due_while_paused_are_skipped(self, db: Database,
                                                      tenant: Tenant) -> None:
        start = ts(2021, 1, 1)
        sid = create(db, tenant, start, start_at=start, frequency={"interval": "month"},
                     count=6)
        run_due_schedules(db, start)
        in_tx(db, tenant, lambda ctx: schedules.pause_schedule(ctx, sid), start + 10 * DAY)
        run_due_schedules(db, ts(2021, 3, 15))  # Feb 1 and Mar 1 fall due while paused
        assert [n for n, _, _ in issued(db, sid)] == [1]
        in_tx(db, tenant, lambda ctx: schedules.resume_schedule(ctx, sid), ts(2021, 3, 15))
        assert state(db, sid) == ("active", 4, ts(2021, 4, 1))
        run_due_schedules(db, ts(2021, 6, 2))
        assert [(n, d) for n, d, _ in issued(db, sid)] == [
            (1, date(2021, 1, 1)), (4, date(2021, 4, 1)), (5, date(2021, 5, 1)),
            (6, date(2021, 6, 1))]
        assert state(db, sid)[0] == "completed"
        assert "recurring_schedule.paused" in event_types(db, sid)
        assert "recurring_schedule.resumed" in event_types(db, sid)

    def test_canceled_issues_nothing(self, db: Database, tenant: Tenant) -> None:
        start = ts(2021, 2, 1)
        sid = create(db, tenant, start, start_at=start, frequency={"interval": "day"},
                     count=10)
        in_tx(db, tenant, lambda ctx: schedules.cancel_schedule(ctx, sid), start)
        run_due_schedules(db, start + 20 * DAY)
        assert issued(db, sid) == []
        assert state(db, sid) == ("canceled", 1, None)


class TestAutomation:
    def test_finalized_and_charged(self, db: Database, tenant: Tenant) -> None:
        start = ts(2020, 5, 1)
        sid = create(db, tenant, start, token="pm_card_visa", start_at=start,
                     frequency={"interval": "month"}, count=2)
        summary = run_due_schedules(db, ts(2020, 6, 1))
        assert [s for _, _, s in issued(db, sid)] == ["paid", "paid"]
        assert summary.collected >= 2

    def test_sent(self, db: Database, tenant: Tenant) -> None:
        start = ts(2020, 5, 2)
        sid = create(db, tenant, start, start_at=start, frequency={"interval": "year"},
                     count=1, auto_send=True,
                     template={"lines": [{"unit_amount": 100}], "days_until_due": 14,
                               "collection_method": "send_invoice"})
        run_due_schedules(db, start)
        assert [s for _, _, s in issued(db, sid)] == ["open"]
        with db.transaction(write=False) as session:
            invoice = session.scalars(select(Invoice).where(
                Invoice.recurring_schedule_ref == sid)).one()
            assert invoice.sent_at == start
            assert invoice.due_date == start + 14 * DAY
            assert invoice.invoice_type == "recurring"
            assert invoice.number is not None

    def test_drafts_only(self, db: Database, tenant: Tenant) -> None:
        start = ts(2020, 5, 3)
        sid = create(db, tenant, start, start_at=start, frequency={"interval": "day"},
                     count=2, auto_finalize=False)
        run_due_schedules(db, start + DAY)
        assert [s for _, _, s in issued(db, sid)] == ["draft", "draft"]


class TestRaces:
    def test_racing_runners_issue_each_occurrence_once(self, db: Database,
                                                       tenant: Tenant) -> None:
        start = ts(2019, 1, 1)
        ids = [create(db, tenant, start, token="pm_card_visa", start_at=start,
                      frequency={"interval": "day"}, count=4) for _ in range(3)]
        results = race([lambda: run_due_schedules(db, start + 10 * DAY) for _ in range(4)])
        summaries = [r for r in results if not isinstance(r, BaseException)]
        assert len(summaries) == 4
        assert [e for s in summaries for e in s.errors if e[0] in ids] == []
        assert sum(len(s.invoices) for s in summaries) >= 12
        for sid in ids:
            assert [(n, s) for n, _, s in issued(db, sid)] == [
                (1, "paid"), (2, "paid"), (3, "paid"), (4, "paid")]
            assert state(db, sid)[0] == "completed"
        with db.transaction(write=False) as session:
            refs = list(session.scalars(select(Invoice.recurring_schedule_ref).where(
                Invoice.recurring_schedule_ref.in_(ids))))
        assert len(refs) == 12


class TestUpdate:
    def test_extending_a_completed_schedule_reopens_it(self, db: Database,
                                                       tenant: Tenant) -> None:
        start = ts(2018, 1, 1)
        sid = create(db, tenant, start, start_at=start, frequency={"interval": "month"},
                     count=2)
        run_due_schedules(db, ts(2018, 3, 1))
        assert state(db, sid) == ("completed", 3, None)
        data = ScheduleUpdate(count=5)
        in_tx(db, tenant, lambda ctx: schedules.update_schedule(ctx, sid, data).id,
              ts(2018, 3, 15))
        assert state(db, sid) == ("active", 4, ts(2018, 4, 1))  # March is not back-filled
        run_due_schedules(db, ts(2018, 12, 1))
        assert [n for n, _, _ in issued(db, sid)] == [1, 2, 4, 5]
        assert state(db, sid)[0] == "completed"
