"""The hosted invoice page's use cases: the capability token in its URL, and paying by
card through the payment gateway.

A finalized invoice gets an unguessable token; whoever holds the URL may see the invoice
and pay it, nothing else. Rotating the token revokes the old URL. Paying records the
payment through lifecycle.record_payment, exactly as the API does, and every gateway call
is recorded as a ChargeAttempt whose key is unique: a double-submitted form never charges
twice.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from folio.db.models import ChargeAttempt, Invoice
from folio.domain.errors import InvalidState
from folio.domain.states import InvoiceStatus
from folio.services import events
from folio.services.context import Ctx
from folio.services.gateway import Card, Outcome, PaymentGateway
from folio.services.invoices import get_invoice
from folio.services.lifecycle import new_hosted_token, record_payment
from folio.services.views import invoice_view

PAYABLE = (InvoiceStatus.OPEN.value, InvoiceStatus.UNCOLLECTIBLE.value)


def is_payable(invoice: Invoice) -> bool:
    """Whether a payer may pay the invoice now: open or uncollectible, with money due."""
    return invoice.status in PAYABLE and invoice.amount_due > 0


def invoice_for_token(session: Session, token: str) -> Invoice | None:
    """The invoice a hosted-page token opens, in whichever account it lives (the token is
    the capability); None for an unknown or revoked token or a draft."""
    if not token or len(token) > 64 or "\x00" in token:  # PostgreSQL text holds no NUL
        return None
    invoice = session.scalars(select(Invoice).where(Invoice.hosted_token == token)).first()
    if invoice is None or invoice.status == InvoiceStatus.DRAFT.value:
        return None
    return invoice


def rotate_token(ctx: Ctx, invoice_id: str) -> Invoice:
    """Revokes the invoice's hosted URL and issues a new one."""
    invoice = get_invoice(ctx, invoice_id, for_update=True)
    if invoice.status == InvoiceStatus.DRAFT.value:
        raise InvalidState("A draft has no hosted page; finalize it first.",
                           code="invoice_not_finalized")
    invoice.hosted_token = new_hosted_token()
    invoice.updated = ctx.now()
    ctx.session.flush()
    events.record(ctx, "invoice.updated", invoice_view(invoice))
    return invoice


def pay_by_card(ctx: Ctx, invoice_id: str, card: Card, *, attempt_key: str,
                gateway: PaymentGateway) -> ChargeAttempt:
    """Charges what is due once for this attempt key. A succeeded charge pays the invoice;
    a declined one leaves it open and emits invoice.payment_failed. Replaying a key
    returns the first attempt without calling the gateway again."""
    invoice = get_invoice(ctx, invoice_id, for_update=True)  # serialises attempts
    earlier = ctx.session.scalars(select(ChargeAttempt).where(
        ChargeAttempt.account_id == ctx.account_id, ChargeAttempt.livemode == ctx.livemode,
        ChargeAttempt.attempt_key == attempt_key)).first()
    if earlier is not None:
        return earlier
    if not is_payable(invoice):
        raise InvalidState(f"Cannot pay an invoice that is {invoice.status}.",
                           code="invoice_not_payable")
    amount = invoice.amount_due
    result = gateway.charge(amount=amount, currency=invoice.currency, card=card,
                            idempotency_key=f"{ctx.account_id}:{attempt_key}")
    attempt = ChargeAttempt(**ctx.owned(), invoice_id=invoice.id, attempt_key=attempt_key,
                            gateway=gateway.name, amount=amount, currency=invoice.currency,
                            outcome=result.outcome.value, decline_code=result.decline_code,
                            reference=result.reference, payment_method=card.masked,
                            metadata_={"message": result.message})
    ctx.session.add(attempt)
    ctx.session.flush()
    if result.outcome is Outcome.SUCCEEDED:
        record_payment(ctx, invoice, amount, method="card", reference=result.reference,
                       paid_at=None, metadata={"charge_attempt": attempt.public_id})
    else:
        events.record(ctx, "invoice.payment_failed", {
            **invoice_view(invoice), "last_payment_error": {
                "code": result.decline_code, "message": result.message,
                "charge_attempt": attempt.public_id}})
    return attempt
