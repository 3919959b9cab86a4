"""Invoice lifecycle: finalize, send, pay, void, mark uncollectible. Every status change
goes through domain.states.next_invoice_status."""

from __future__ import annotations

import secrets

from folio.db.models import Invoice, Payment
from folio.domain.errors import InvalidInput, InvalidState, RuleViolation
from folio.domain.states import InvoiceAction, InvoiceStatus, next_invoice_status
from folio.services import credit_balance, deliveries, events
from folio.services.context import Ctx
from folio.services.documents import seller_snapshot
from folio.services.einvoice_checks import check_invoice_for_issue
from folio.services.inputs.invoices import InvoiceCreate
from folio.services.invoices import create_invoice, get_invoice
from folio.services.numbering import invoice_pattern, take_number
from folio.services.pricing import apply_totals
from folio.services.views import customer_snapshot, invoice_view, payment_view

DAY = 86_400


def new_hosted_token() -> str:
    """The capability in a hosted invoice page's URL (256 random bits)."""
    return secrets.token_urlsafe(32)


def transition(ctx: Ctx, invoice: Invoice, action: InvoiceAction) -> None:
    invoice.status = next_invoice_status(InvoiceStatus(invoice.status), action).value
    invoice.updated = ctx.now()


def settle_if_due(ctx: Ctx, invoice: Invoice) -> None:
    """An open or uncollectible invoice with nothing left to pay becomes paid."""
    if invoice.amount_due == 0 and invoice.status in (InvoiceStatus.OPEN.value,
                                                      InvoiceStatus.UNCOLLECTIBLE.value):
        transition(ctx, invoice, InvoiceAction.PAY)
        invoice.paid_at = ctx.now()
        ctx.session.flush()
        events.record(ctx, "invoice.paid", invoice_view(invoice))


def _finalize(ctx: Ctx, invoice: Invoice) -> None:
    transition(ctx, invoice, InvoiceAction.FINALIZE)
    if not invoice.lines:
        raise InvalidState("An invoice needs at least one line to be finalized.",
                           code="invoice_no_lines")
    # tax rates are snapshotted on the lines from here on; the customer's credit balance
    # is drawn on (before tax) only now, and only when the invoice asks for it
    if invoice.apply_credit_balance:
        credit_balance.apply_balance(ctx, invoice)
    else:
        apply_totals(ctx, invoice)
    account = ctx.account
    pattern = invoice_pattern(account.numbering_scope, account.invoice_number_pattern)
    invoice.number = take_number(ctx, pattern, customer_prefix=invoice.customer.invoice_prefix)
    now = ctx.now()
    invoice.finalized_at = now
    invoice.hosted_token = new_hosted_token()
    invoice.customer_snapshot = customer_snapshot(invoice.customer)
    invoice.seller_snapshot = seller_snapshot(account)
    if invoice.collection_method == "send_invoice" and invoice.due_date is None:
        invoice.due_date = now + DAY * (invoice.days_until_due or 0)
    check_invoice_for_issue(ctx, invoice)
    ctx.session.flush()
    if invoice.total < 0:  # nothing is owed: the amount becomes the customer's credit
        credit_balance.grant_negative_total(ctx, invoice)
    events.record(ctx, "invoice.finalized", invoice_view(invoice))
    settle_if_due(ctx, invoice)


def finalize_invoice(ctx: Ctx, invoice_id: str) -> Invoice:
    invoice = get_invoice(ctx, invoice_id, for_update=True)
    _finalize(ctx, invoice)
    return invoice


def finalize_new_invoice(ctx: Ctx, invoice: Invoice) -> Invoice:
    """Finalizes a draft this transaction has just created (so nobody else can hold
    it): the billing run's path, without reading the invoice back."""
    _finalize(ctx, invoice)
    return invoice


def create_adjustment(ctx: Ctx, data: InvoiceCreate) -> Invoice:
    """An adjustment invoice. A positive one is a draft, issued when it is sent; a
    negative one is a credit and is issued at once: numbered, paid, and its amount put on
    the customer's credit balance (there is nothing to send or to collect)."""
    invoice = create_invoice(ctx, data)
    if invoice.total < 0:
        _finalize(ctx, invoice)
    return invoice


def send_invoice(ctx: Ctx, invoice_id: str) -> Invoice:
    """Finalizes a draft if needed, marks it sent, and (in the same transaction) records
    its e-mail delivery and the reminders, which the worker sends after commit."""
    return send_loaded_invoice(ctx, get_invoice(ctx, invoice_id, for_update=True))


def send_loaded_invoice(ctx: Ctx, invoice: Invoice) -> Invoice:
    """`send_invoice` for an invoice the caller holds locked (or has just created)."""
    if invoice.collection_method != "send_invoice":
        raise InvalidState("Only invoices with collection_method 'send_invoice' are sent.",
                           code="invoice_not_send_invoice")
    if invoice.status == InvoiceStatus.DRAFT.value:
        _finalize(ctx, invoice)
    if invoice.status not in (InvoiceStatus.OPEN.value, InvoiceStatus.PAID.value,
                              InvoiceStatus.UNCOLLECTIBLE.value):
        raise InvalidState(f"Cannot send an invoice that is {invoice.status}.",
                           code="invoice_not_sendable")
    invoice.sent_at = ctx.now()
    if invoice.due_date is None:
        invoice.due_date = invoice.sent_at + DAY * (invoice.days_until_due or 0)
    invoice.updated = ctx.now()
    ctx.session.flush()
    events.record(ctx, "invoice.sent", invoice_view(invoice))
    deliveries.on_send(ctx, invoice)
    return invoice


def record_payment(ctx: Ctx, invoice: Invoice, amount: int, *, method: str,
                   reference: str | None, paid_at: int | None,
                   metadata: dict[str, str] | None) -> Payment:
    """The one place money is applied to an invoice (the caller holds the invoice lock)."""
    if invoice.status not in (InvoiceStatus.OPEN.value, InvoiceStatus.UNCOLLECTIBLE.value):
        raise InvalidState(f"Cannot pay an invoice that is {invoice.status}.",
                           code="invoice_not_payable")
    if amount > invoice.amount_due:
        raise RuleViolation(f"Amount {amount} is more than the amount due "
                           f"({invoice.amount_due}).", param="amount",
                           code="amount_exceeds_due")
    payment = Payment(**ctx.owned(), invoice_id=invoice.id, customer_id=invoice.customer_id,
                      amount=amount, currency=invoice.currency, status="succeeded",
                      method=method, reference=reference, paid_at=paid_at or ctx.now(),
                      metadata_=metadata or {})
    payment.invoice = invoice
    ctx.session.add(payment)
    invoice.amount_paid += amount
    invoice.updated = ctx.now()
    ctx.session.flush()
    events.record(ctx, "payment.created", payment_view(payment))
    events.record(ctx, "invoice.payment_succeeded", invoice_view(invoice))
    settle_if_due(ctx, invoice)
    return payment


def pay_invoice(ctx: Ctx, invoice_id: str, *, method: str = "manual",
                reference: str | None = None) -> Invoice:
    """Pays what is due in full (out of band: the money arrived outside Folio)."""
    invoice = get_invoice(ctx, invoice_id, for_update=True)
    if invoice.amount_due > 0:
        record_payment(ctx, invoice, invoice.amount_due, method=method, reference=reference,
                       paid_at=None, metadata=None)
    else:
        settle_if_due(ctx, invoice)
    if invoice.status != InvoiceStatus.PAID.value:
        raise InvalidState(f"Cannot pay an invoice that is {invoice.status}.",
                           code="invoice_not_payable")
    return invoice


def void_invoice(ctx: Ctx, invoice_id: str, *, allow_draft: bool = False) -> Invoice:
    """`allow_draft` also voids a draft, keeping its row (faces whose delete is a void)."""
    invoice = get_invoice(ctx, invoice_id, for_update=True)
    draft = allow_draft and invoice.status == InvoiceStatus.DRAFT.value
    transition(ctx, invoice, InvoiceAction.VOID_DRAFT if draft else InvoiceAction.VOID)
    if invoice.amount_paid > 0:
        raise InvalidState("This invoice has payments; credit it with a credit note instead.",
                           code="invoice_has_payments")
    invoice.voided_at = ctx.now()
    ctx.session.flush()
    credit_balance.return_applied_credit(ctx, invoice)
    events.record(ctx, "invoice.voided", invoice_view(invoice))
    return invoice


def mark_uncollectible(ctx: Ctx, invoice_id: str) -> Invoice:
    invoice = get_invoice(ctx, invoice_id, for_update=True)
    transition(ctx, invoice, InvoiceAction.MARK_UNCOLLECTIBLE)
    invoice.marked_uncollectible_at = ctx.now()
    ctx.session.flush()
    events.record(ctx, "invoice.marked_uncollectible", invoice_view(invoice))
    return invoice


def close_open_invoice(ctx: Ctx, invoice_id: str, outcome: str) -> Invoice:
    """Closes an open invoice as 'paid' (what is due, paid in full out of band) or 'void'.
    Only an open invoice may be closed this way: paid and void are final, and a draft or
    uncollectible invoice is refused (the Commet face's status change)."""
    invoice = get_invoice(ctx, invoice_id, for_update=True)
    if invoice.status != InvoiceStatus.OPEN.value:
        raise InvalidState(f"Invoice {invoice.public_id} is {invoice.status}; only an open "
                           "invoice can be marked paid or void.", code="invoice_not_open")
    if outcome == "paid":
        return pay_invoice(ctx, invoice_id)
    if outcome == "void":
        return void_invoice(ctx, invoice_id)
    raise InvalidInput(f"Unknown outcome '{outcome}'; use 'paid' or 'void'.", param="status")
