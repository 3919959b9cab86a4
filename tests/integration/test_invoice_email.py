"""Invoice e-mails end to end on a real database and a real SMTP listener: `send` records
a delivery in its transaction, the worker sends it with the PDF attached and the hosted
link; transient SMTP failures are retried and the message arrives once; a replayed job
never sends again; reminders follow the due date with a frozen clock.

The worker here runs the e-mail jobs with the test clock; other tests' jobs in the shared
database are not due at these (past) times, and messages are told apart by recipient."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from typing import TypeVar

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import select, update

from folio.config import Settings
from folio.db.engine import Database
from folio.db.models import Account, EmailDelivery, Event, Job
from folio.domain.reminders import DAY
from folio.services import account_settings, customers, invoices, lifecycle
from folio.services.context import Ctx
from folio.services.inputs.account import AccountUpdate
from folio.services.inputs.customers import CustomerCreate
from folio.services.inputs.invoices import InvoiceCreate
from folio.worker import email_jobs
from folio.worker.registry import Registry
from folio.worker.runner import TickStats, Worker
from tests.conftest import Tenant, make_tenant
from tests.integration.smtp_listener import SmtpListener, smtp_listener
from tests.integration.test_concurrency import race

__all__ = ["smtp_listener"]  # the fixture, used by name

T = TypeVar("T")
NOW = 1_780_000_000  # 2026-05-28T20:26:40Z


class Clock:
    def __init__(self, now: int = NOW) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now


def in_tx(db: Database, tenant: Tenant, clock: Clock, fn: Callable[[Ctx], T]) -> T:
    with db.transaction() as session:
        account = session.get(Account, tenant.keys.account.id)
        assert account is not None
        return fn(Ctx(session=session, account=account, livemode=False, clock=clock))


@pytest.fixture
def mail_tenant(db: Database, client: TestClient, smtp_listener: SmtpListener) -> Tenant:
    """A tenant whose account sends through the test SMTP listener."""
    tenant = make_tenant(db, client, name="Seller GmbH")
    body = {"smtp": {"host": smtp_listener.host, "port": smtp_listener.port, "tls": "none",
                     "username": None, "from_email": "billing@seller.example",
                     "from_name": "Seller Billing"}}
    response = tenant.post("/v1/account", body)
    assert response.status_code == 200, response.text
    return tenant


def email_worker(db: Database, settings: Settings, clock: Callable[[], int]) -> Worker:
    registry = Registry()
    email_jobs.register(registry)
    return Worker(db=db, settings=settings, registry=registry, clock=clock)


def open_invoice(db: Database, tenant: Tenant, clock: Clock, *, days_until_due: int = 30,
                 reminder_offsets: list[int] | None = None) -> tuple[str, str]:
    """A customer with a billing contact and a sent invoice; returns (invoice id, the
    billing contact's address)."""
    billing = f"accounts-{uuid.uuid4().hex[:8]}@buyer.example"

    def make(ctx: Ctx) -> str:
        customer = customers.create_customer(ctx, CustomerCreate.model_validate({
            "name": "Buyer Ltd", "email": "ceo@buyer.example",
            "contacts": [{"name": "Accounts", "email": billing, "roles": ["billing"]},
                         {"name": "Admin", "email": "admin@buyer.example",
                          "roles": ["admin"]}]}))
        data = {"customer": customer.public_id, "currency": "eur",
                "collection_method": "send_invoice", "days_until_due": days_until_due,
                "lines": [{"description": "Consulting", "quantity": "3",
                           "unit_amount": 12000}]}
        if reminder_offsets is not None:
            data["reminder_offsets"] = reminder_offsets
        return invoices.create_invoice(ctx, InvoiceCreate.model_validate(data)).public_id

    return in_tx(db, tenant, clock, make), billing


def send(db: Database, tenant: Tenant, clock: Clock, invoice_id: str) -> None:
    in_tx(db, tenant, clock, lambda ctx: lifecycle.send_invoice(ctx, invoice_id))


def deliveries_of(db: Database, invoice_id: str) -> list[EmailDelivery]:
    with db.transaction(write=False) as session:
        rows = list(session.scalars(select(EmailDelivery).join(EmailDelivery.invoice).where(
            EmailDelivery.invoice.has(public_id=invoice_id)).order_by(EmailDelivery.id)))
        session.expunge_all()
        return rows


def tick(db: Database, settings: Settings, clock: Callable[[], int]) -> TickStats:
    return email_worker(db, settings, clock).tick()


class TestInvoiceEmail:
    def test_the_message_arrives_with_its_pdf_and_hosted_link(
            self, db: Database, settings: Settings, mail_tenant: Tenant,
            smtp_listener: SmtpListener) -> None:
        clock = Clock()
        invoice_id, billing = open_invoice(db, mail_tenant, clock)
        send(db, mail_tenant, clock, invoice_id)
        assert smtp_listener.to(billing) == []  # nothing is sent before the worker runs
        tick(db, settings, clock)
        (message,) = smtp_listener.to(billing)
        invoice = mail_tenant.ok("GET", f"/v1/invoices/{invoice_id}")
        assert message["Subject"] == f"Invoice {invoice['number']} from Seller GmbH"
        assert message["From"] == "Seller Billing <billing@seller.example>"
        assert message["To"] == billing  # the billing contact, not the admin
        text = message.get_body(("plain",))
        html = message.get_body(("html",))
        assert text is not None
        assert html is not None
        link = invoice["hosted_invoice_url"]
        assert link in text.get_content()
        assert f'href="{link}"' in html.get_content()
        assert "€360.00" in text.get_content()
        (attachment,) = list(message.iter_attachments())
        assert attachment.get_content_type() == "application/pdf"
        assert attachment.get_filename() == f"{invoice['number']}.pdf"
        pdf = attachment.get_content()
        assert pdf.startswith(b"%PDF-")
        text_of_pdf = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
        assert invoice["number"] in text_of_pdf
        (delivery,) = [d for d in deliveries_of(db, invoice_id) if d.kind == "invoice"]
        assert (delivery.status, delivery.attempts, delivery.recipients) == (
            "sent", 1, [billing])
        assert delivery.message_id == message["Message-ID"]

    def test_a_transient_failure_is_retried_and_the_message_arrives_once(
            self, db: Database, settings: Settings, mail_tenant: Tenant,
            smtp_listener: SmtpListener) -> None:
        clock = Clock()
        invoice_id, billing = open_invoice(db, mail_tenant, clock)
        send(db, mail_tenant, clock, invoice_id)
        smtp_listener.refuse_next = 1
        assert tick(db, settings, clock).retried == 1
        assert smtp_listener.to(billing) == []
        (delivery,) = [d for d in deliveries_of(db, invoice_id) if d.kind == "invoice"]
        assert (delivery.status, delivery.attempts) == ("scheduled", 1)
        assert "451" in (delivery.last_error or "")
        assert tick(db, settings, clock).ran == 0  # waits for the backoff
        clock.now += 60
        assert tick(db, settings, clock).done == 1
        clock.now += 10 * DAY // 10  # later ticks send nothing more
        tick(db, settings, clock)
        assert len(smtp_listener.to(billing)) == 1
        (delivery,) = [d for d in deliveries_of(db, invoice_id) if d.kind == "invoice"]
        assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 2, None)

    def test_a_replayed_job_never_sends_twice_but_a_second_send_does(
            self, db: Database, settings: Settings, mail_tenant: Tenant,
            smtp_listener: SmtpListener) -> None:
        clock = Clock()
        invoice_id, billing = open_invoice(db, mail_tenant, clock)
        send(db, mail_tenant, clock, invoice_id)
        tick(db, settings, clock)
        # the job runs again (say its completion was lost): the delivery is already sent
        with db.transaction() as session:
            session.execute(update(Job).where(Job.dedupe_key.like(
                f"email:send:{invoice_id}:%")).values(state="queued", run_at=NOW))
        assert tick(db, settings, clock).done == 1
        assert len(smtp_listener.to(billing)) == 1
        # a second `send` of the same invoice is a new delivery with its own Message-ID
        clock.now += 3600
        send(db, mail_tenant, clock, invoice_id)
        tick(db, settings, clock)
        first, second = smtp_listener.to(billing)
        assert first["Message-ID"] != second["Message-ID"]
        kinds = [d.kind for d in deliveries_of(db, invoice_id)]
        assert kinds.count("invoice") == 2
        assert kinds.count("reminder") == 5  # not scheduled twice

    def test_without_an_smtp_server_the_delivery_fails_with_its_reason(
            self, db: Database, client: TestClient, settings: Settings) -> None:
        tenant = make_tenant(db, client, name="No SMTP")
        clock = Clock()
        invoice_id, _ = open_invoice(db, tenant, clock)
        send(db, tenant, clock, invoice_id)
        tick(db, settings, clock)
        (delivery,) = [d for d in deliveries_of(db, invoice_id) if d.kind == "invoice"]
        assert delivery.status == "failed"
        assert "no SMTP server" in (delivery.last_error or "")
        with db.transaction(write=False) as session:
            types = list(session.scalars(select(Event.type).where(
                Event.account_id == tenant.keys.account.id,
                Event.type.like("invoice.email%"))))
        assert types == ["invoice.email_failed"]


class TestReminders:
    def test_past_offsets_are_skipped_and_reminders_follow_the_due_date(
            self, db: Database, settings: Settings, mail_tenant: Tenant,
            smtp_listener: SmtpListener) -> None:
        clock = Clock()
        invoice_id, billing = open_invoice(db, mail_tenant, clock, days_until_due=5)
        send(db, mail_tenant, clock, invoice_id)
        due = NOW + 5 * DAY
        reminders = [(d.offset_days, d.scheduled_at) for d in deliveries_of(db, invoice_id)
                     if d.kind == "reminder"]
        # a week before the due date is already past: skipped
        assert reminders == [(-2, due - 2 * DAY), (0, due), (2, due + 2 * DAY),
                             (7, due + 7 * DAY)]
        tick(db, settings, clock)
        assert len(smtp_listener.to(billing)) == 1  # the invoice only
        clock.now = due - 2 * DAY
        tick(db, settings, clock)
        _invoice_mail, reminder = smtp_listener.to(billing)
        assert str(reminder["Subject"]).strip().startswith("Reminder: invoice ")
        assert list(reminder.iter_attachments()) == []
        text = reminder.get_body(("plain",))
        assert text is not None
        assert "is due on" in text.get_content()
        clock.now = due + 7 * DAY
        tick(db, settings, clock)
        subjects = [str(m["Subject"]).strip() for m in smtp_listener.to(billing)]
        assert len(subjects) == 5
        assert subjects[2].endswith("is due today")
        assert subjects[3].startswith("Overdue: invoice")

    def test_a_paid_invoice_gets_no_reminder(
            self, db: Database, settings: Settings, mail_tenant: Tenant,
            smtp_listener: SmtpListener) -> None:
        clock = Clock()
        invoice_id, billing = open_invoice(db, mail_tenant, clock, days_until_due=10)
        send(db, mail_tenant, clock, invoice_id)
        tick(db, settings, clock)
        clock.now += DAY
        in_tx(db, mail_tenant, clock, lambda ctx: lifecycle.pay_invoice(ctx, invoice_id))
        clock.now = NOW + 30 * DAY
        tick(db, settings, clock)
        assert len(smtp_listener.to(billing)) == 1  # the invoice, no reminder
        reminders = [d for d in deliveries_of(db, invoice_id) if d.kind == "reminder"]
        assert {d.status for d in reminders} == {"skipped"}
        assert {d.last_error for d in reminders} == {"invoice is paid"}

    @pytest.mark.parametrize("close", ["void", "mark_uncollectible"])
    def test_a_void_or_uncollectible_invoice_gets_no_reminder(
            self, db: Database, settings: Settings, mail_tenant: Tenant,
            smtp_listener: SmtpListener, close: str) -> None:
        clock = Clock()
        invoice_id, billing = open_invoice(db, mail_tenant, clock, days_until_due=10)
        send(db, mail_tenant, clock, invoice_id)
        tick(db, settings, clock)
        closing = lifecycle.void_invoice if close == "void" else lifecycle.mark_uncollectible
        in_tx(db, mail_tenant, clock, lambda ctx: closing(ctx, invoice_id))
        clock.now = NOW + 30 * DAY
        tick(db, settings, clock)
        assert len(smtp_listener.to(billing)) == 1
        reminders = [d for d in deliveries_of(db, invoice_id) if d.kind == "reminder"]
        assert {d.status for d in reminders} == {"skipped"}

    def test_offsets_per_invoice_and_per_account(
            self, db: Database, settings: Settings, mail_tenant: Tenant) -> None:
        clock = Clock()
        own, _ = open_invoice(db, mail_tenant, clock, reminder_offsets=[3, -1, 3])
        send(db, mail_tenant, clock, own)
        assert [d.offset_days for d in deliveries_of(db, own) if d.kind == "reminder"] == [
            -1, 3]
        in_tx(db, mail_tenant, clock, lambda ctx: account_settings.update_account(
            ctx, AccountUpdate(reminder_offsets=[])))
        none, _ = open_invoice(db, mail_tenant, clock)
        send(db, mail_tenant, clock, none)
        assert [d.kind for d in deliveries_of(db, none)] == ["invoice"]


class TestRacingWorkers:
    def test_two_workers_send_each_invoice_exactly_once(
            self, db: Database, settings: Settings, mail_tenant: Tenant,
            smtp_listener: SmtpListener) -> None:
        clock = Clock(NOW + 40 * DAY)  # after every earlier test's reminders in this module
        tick(db, settings, clock)  # those go out first, outside the race
        sent = [open_invoice(db, mail_tenant, clock) for _ in range(8)]
        for invoice_id, _ in sent:
            send(db, mail_tenant, clock, invoice_id)
        workers = [email_worker(db, settings, clock) for _ in range(2)]
        results = race([w.tick for w in workers])
        assert all(isinstance(r, TickStats) for r in results), results
        assert sum(r.done for r in results if isinstance(r, TickStats)) == 8
        assert [len(smtp_listener.to(billing)) for _, billing in sent] == [1] * 8
