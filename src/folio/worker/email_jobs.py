"""The `invoice.email` job: sends one delivery (an invoice or a reminder) over SMTP.

Three steps, so that no database transaction (on SQLite: the write lock) is held while
the SMTP server is talked to: read what to send; hand the message to SMTP; record the
delivery as sent together with the job's completion. A delivery already sent is never
sent again (a replayed job finds it sent). A crash between the SMTP server's acceptance
and the commit sends the message again on the retry, with the same Message-ID: delivery
is at least once, see docs/adr/0014."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage

from sqlalchemy.orm import Session

from folio.db.models import Account, EmailDelivery, Invoice
from folio.domain.reminders import SETTLED_STATUSES
from folio.mail.attachment import invoice_attachment
from folio.mail.compose import InvoiceMail, compose
from folio.mail.smtp import SmtpConfig, deliver, smtp_config
from folio.services import deliveries
from folio.services.context import Ctx
from folio.services.links import hosted_invoice_url
from folio.services.sealing import SealBroken
from folio.web.formatting import day, money
from folio.worker.registry import PermanentJobError, Registry
from folio.worker.runner import JobRun


@dataclass(frozen=True)
class Outgoing:
    config: SmtpConfig
    message: EmailMessage
    recipients: list[str]


def _ctx(session: Session, delivery: EmailDelivery, now: int) -> Ctx:
    return Ctx(session, account_id=delivery.account_id, livemode=delivery.livemode,
               clock=lambda: now)


def _delivery(session: Session, run: JobRun, *, lock: bool = False) -> EmailDelivery:
    delivery_id = run.payload.get("delivery")
    delivery = session.get(EmailDelivery, delivery_id, with_for_update=lock) \
        if isinstance(delivery_id, int) else None
    if delivery is None:
        raise PermanentJobError(f"no e-mail delivery {delivery_id!r}")
    return delivery


def invoice_mail(invoice: Invoice, account: Account, delivery: EmailDelivery) -> InvoiceMail:
    customer = invoice.customer
    locale = customer.locale or "en"
    seller = (invoice.seller_snapshot or {}).get("name") or account.legal_name or account.name
    return InvoiceMail(
        kind=delivery.kind, seller=str(seller), customer=customer.name or customer.email or "",
        number=invoice.number or invoice.public_id,
        amount_due=money(invoice.amount_due, invoice.currency, locale),
        total=money(invoice.total, invoice.currency, locale),
        due_date=day(invoice.due_date, locale),
        hosted_url=hosted_invoice_url(invoice.hosted_token),
        memo=invoice.memo, offset_days=delivery.offset_days,
        paid=invoice.status == "paid")


def _prepare(run: JobRun) -> Outgoing | str | None:
    """The message to send; a reason to skip (a reminder for a settled invoice); or None
    when the delivery was already sent (or closed)."""
    with run.db.transaction(write=False) as session:
        delivery = _delivery(session, run)
        if delivery.status != "scheduled":
            return None
        invoice = delivery.invoice
        if delivery.kind == "reminder" and invoice.status in SETTLED_STATUSES:
            return f"invoice is {invoice.status}"
        ctx = _ctx(session, delivery, run.now)
        account = ctx.account
        try:
            config = smtp_config(account, run.settings)
        except SealBroken:
            raise PermanentJobError("the account's SMTP password cannot be opened with this "
                                    "server's FOLIO_SECRET (was it changed?): set it "
                                    "again with POST /v1/account") from None
        if config is None:
            raise PermanentJobError("no SMTP server is configured for this account "
                                    "(account smtp settings or FOLIO_SMTP_HOST)")
        recipients = list(delivery.recipients or []) or \
            deliveries.recipients_for(invoice.customer)
        if not recipients:
            raise PermanentJobError("the customer has no billing contact nor e-mail address")
        mail = invoice_mail(invoice, account, delivery)
        attachment = invoice_attachment(ctx, invoice) if delivery.kind == "invoice" \
            else None
        message = compose(mail, config=config, recipients=recipients, key=delivery.key,
                          sent_at=run.now, attachment=attachment)
        return Outgoing(config=config, message=message, recipients=recipients)


def send_delivery(run: JobRun) -> None:
    outgoing = _prepare(run)
    if isinstance(outgoing, Outgoing):
        deliver(outgoing.config, outgoing.message)
    with run.db.transaction() as session:
        delivery = _delivery(session, run, lock=True)
        ctx = _ctx(session, delivery, run.now)
        if isinstance(outgoing, Outgoing) and delivery.status == "scheduled":
            deliveries.record_sent(ctx, delivery, recipients=outgoing.recipients,
                                   message_id=str(outgoing.message["Message-ID"]))
        elif isinstance(outgoing, str) and delivery.status == "scheduled":
            deliveries.record_skipped(ctx, delivery, outgoing)
        run.complete(session)


def record_failure(session: Session, run: JobRun, error: str, final: bool) -> None:
    try:
        delivery = _delivery(session, run, lock=True)
    except PermanentJobError:
        return
    if delivery.status == "scheduled":
        deliveries.record_failure(_ctx(session, delivery, run.now), delivery, error,
                                  final=final)


def register(registry: Registry) -> None:
    registry.add_io_job(deliveries.EMAIL_JOB, send_delivery, on_failure=record_failure)

