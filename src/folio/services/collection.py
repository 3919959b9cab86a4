"""Automatic collection (collection_method charge_automatically): charge the customer's
default payment method for what an open invoice owes, and retry a failed charge on the
account's dunning schedule.

One charge per invoice attempt, never two: the invoice row is locked while it is
charged, attempt n's key is `collect:<invoice>:<n>` (UNIQUE in charge_attempts, and the
gateway's idempotency key), and an attempt is only made when it is due — the first one
while no attempt was made, a retry once `next_payment_attempt` has passed. A collector
that lost a race finds the attempt made (or the next one not yet due) and does nothing.

A success records the payment through lifecycle.record_payment, as the API does. A
failure (declined, authentication required, or no payment method left) leaves the
invoice open, emits invoice.payment_failed, counts the attempt and plans the next one;
after the last retry the account's final action applies (uncollectible, or left open).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy import select

from folio.db.engine import Database
from folio.db.models import ChargeAttempt, Customer, Invoice
from folio.domain.dunning import (
    DEFAULT_FINAL_ACTION,
    DEFAULT_RETRY_DAYS,
    FinalAction,
    next_retry_at,
)
from folio.domain.errors import DomainError
from folio.domain.states import InvoiceAction, InvoiceStatus
from folio.services import collection_hooks, events
from folio.services.card_vault import SavedCardGateway, default_vault
from folio.services.context import Ctx
from folio.services.gateway import ChargeResult, Outcome
from folio.services.invoices import get_invoice
from folio.services.lifecycle import finalize_invoice, record_payment, transition
from folio.services.payment_methods import default_method
from folio.services.views import invoice_view

Result = Literal["succeeded", "failed", "exhausted", "skipped"]
NO_PAYMENT_METHOD = ChargeResult(outcome=Outcome.DECLINED, decline_code="no_payment_method",
                                 message="The customer has no default payment method.")


@dataclass(frozen=True)
class CollectionResult:
    invoice: str
    outcome: Result
    attempt: str | None = None  # the charge attempt's public id
    decline_code: str | None = None
    reason: str | None = None  # why nothing was attempted


def attempt_key(invoice: Invoice, number: int) -> str:
    return f"collect:{invoice.public_id}:{number}"


def _why_not_due(invoice: Invoice, now: int) -> str | None:
    if invoice.collection_method != "charge_automatically":
        return "not_charge_automatically"
    if invoice.status != InvoiceStatus.OPEN.value:
        return f"invoice_{invoice.status}"
    if invoice.amount_due <= 0:
        return "nothing_due"
    if invoice.attempt_count and (invoice.next_payment_attempt is None
                                  or invoice.next_payment_attempt > now):
        return "no_attempt_due"
    return None


def _first_failure_at(ctx: Ctx, invoice: Invoice) -> int:
    first = ctx.session.scalars(select(ChargeAttempt.created).where(
        ChargeAttempt.account_id == ctx.account_id, ChargeAttempt.livemode == ctx.livemode,
        ChargeAttempt.attempt_key == attempt_key(invoice, 1))).first()
    return int(first) if first is not None else ctx.now()


def _failed(ctx: Ctx, invoice: Invoice, attempt: ChargeAttempt, result: ChargeResult
            ) -> CollectionResult:
    account = ctx.account
    days = DEFAULT_RETRY_DAYS if account.dunning_retry_days is None \
        else tuple(account.dunning_retry_days)
    invoice.next_payment_attempt = next_retry_at(_first_failure_at(ctx, invoice),
                                                 invoice.attempt_count, days)
    invoice.updated = ctx.now()
    ctx.session.flush()
    events.record(ctx, "invoice.payment_failed", {
        **invoice_view(invoice), "last_payment_error": {
            "code": result.decline_code, "message": result.message,
            "charge_attempt": attempt.public_id}})
    collection_hooks.payment_failed(ctx, invoice)
    if invoice.next_payment_attempt is not None:
        return CollectionResult(invoice.public_id, "failed", attempt.public_id,
                                result.decline_code)
    final = FinalAction(account.dunning_final_action or DEFAULT_FINAL_ACTION.value)
    if final is FinalAction.MARK_UNCOLLECTIBLE:
        transition(ctx, invoice, InvoiceAction.MARK_UNCOLLECTIBLE)
        invoice.marked_uncollectible_at = ctx.now()
        ctx.session.flush()
        events.record(ctx, "invoice.marked_uncollectible", invoice_view(invoice))
    collection_hooks.retries_exhausted(ctx, invoice)
    return CollectionResult(invoice.public_id, "exhausted", attempt.public_id,
                            result.decline_code)


def collect_invoice(ctx: Ctx, invoice_id: str, *, vault: SavedCardGateway | None = None
                    ) -> CollectionResult:
    """Makes the invoice's due automatic charge, if one is due (see the module text);
    otherwise does nothing and says why."""
    invoice = get_invoice(ctx, invoice_id, for_update=True)  # serialises collectors
    return collect_locked_invoice(ctx, invoice, vault=vault)


def collect_locked_invoice(ctx: Ctx, invoice: Invoice, *,
                           vault: SavedCardGateway | None = None) -> CollectionResult:
    """`collect_invoice` for an invoice this transaction holds locked."""
    reason = _why_not_due(invoice, ctx.now())
    method = default_method(ctx, invoice.customer) if reason is None else None
    if reason is None and method is None and not invoice.attempt_count:
        reason = "no_payment_method"  # awaits payment by other means; never dunned
    if reason is not None:
        return CollectionResult(invoice.public_id, "skipped", reason=reason)
    number = invoice.attempt_count + 1
    key = attempt_key(invoice, number)
    earlier = ctx.session.scalars(select(ChargeAttempt).where(
        ChargeAttempt.account_id == ctx.account_id, ChargeAttempt.livemode == ctx.livemode,
        ChargeAttempt.attempt_key == key)).first()
    if earlier is not None:  # pragma: no cover - the attempt count moves with the attempt
        return CollectionResult(invoice.public_id, "skipped", earlier.public_id,
                                reason="already_attempted")
    vault = vault or default_vault()
    amount = invoice.amount_due
    result = NO_PAYMENT_METHOD if method is None else vault.charge_saved(
        amount=amount, currency=invoice.currency, token=method.gateway_token,
        idempotency_key=f"{ctx.account_id}:{key}")
    attempt = ChargeAttempt(**ctx.owned(), invoice_id=invoice.id, attempt_key=key,
                            gateway=vault.name, amount=amount, currency=invoice.currency,
                            outcome=result.outcome.value, decline_code=result.decline_code,
                            reference=result.reference,
                            payment_method=method.masked if method else "none",
                            metadata_={"message": result.message,
                                       "payment_method": method.public_id if method else ""})
    ctx.session.add(attempt)
    invoice.attempt_count = number
    ctx.session.flush()
    if result.outcome is not Outcome.SUCCEEDED:
        return _failed(ctx, invoice, attempt, result)
    invoice.next_payment_attempt = None
    record_payment(ctx, invoice, amount, method="card", reference=result.reference,
                   paid_at=None, metadata={"charge_attempt": attempt.public_id})
    collection_hooks.payment_succeeded(ctx, invoice)
    return CollectionResult(invoice.public_id, "succeeded", attempt.public_id)


def finalize_and_collect(ctx: Ctx, invoice_id: str, *,
                         vault: SavedCardGateway | None = None) -> Invoice:
    """Finalizes a draft and, for charge_automatically, charges it at once in the same
    transaction (see ADR 16 for why collection is synchronous)."""
    invoice = finalize_invoice(ctx, invoice_id)  # locks the invoice
    collect_locked_invoice(ctx, invoice, vault=vault)
    return invoice


@dataclass
class RetrySummary:
    due: int = 0
    succeeded: int = 0
    failed: int = 0
    exhausted: int = 0
    skipped: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)  # (invoice, reason)


def fixed_clock(instant: int) -> Callable[[], int]:
    return lambda: instant


def run_payment_retries(database: Database, at: int, *,
                        vault: SavedCardGateway | None = None,
                        test_clock_id: int | None = None) -> RetrySummary:
    """Retries every automatic charge due at `at`, one transaction per invoice (one
    failing invoice never stops the run). Safe to run from several workers at once.

    Customers on a test clock live on its time, not the real one: without
    `test_clock_id` their invoices are left out; with it, only theirs are retried, each
    at its own due instant (advancing the clock calls this)."""
    summary = RetrySummary()
    on_a_clock = select(Customer.id).where(Customer.id == Invoice.customer_id,
                                           Customer.test_clock_id.is_not(None)).exists()
    on_this_clock = select(Customer.id).where(Customer.id == Invoice.customer_id,
                                              Customer.test_clock_id == test_clock_id
                                              ).exists()
    with database.transaction(write=False) as session:
        due = session.execute(select(Invoice.public_id, Invoice.account_id, Invoice.livemode,
                                     Invoice.next_payment_attempt)
                              .where(Invoice.status == InvoiceStatus.OPEN.value,
                                     Invoice.collection_method == "charge_automatically",
                                     Invoice.next_payment_attempt <= at,
                                     on_this_clock if test_clock_id is not None
                                     else ~on_a_clock)
                              .order_by(Invoice.next_payment_attempt, Invoice.id)).all()
    summary.due = len(due)
    for public_id, account_id, livemode, due_at in due:
        instant = due_at if test_clock_id is not None and due_at is not None else at
        try:
            with database.transaction() as session:
                ctx = Ctx(session, account_id=account_id, livemode=livemode,
                          clock=fixed_clock(instant))
                result = collect_invoice(ctx, public_id, vault=vault)
        except DomainError as exc:
            summary.errors.append((public_id, exc.message))
            continue
        except Exception as exc:  # reported in the summary; the run goes on
            summary.errors.append((public_id, f"{type(exc).__name__}: {str(exc)[:200]}"))
            continue
        if result.outcome == "succeeded":
            summary.succeeded += 1
        elif result.outcome == "failed":
            summary.failed += 1
        elif result.outcome == "exhausted":
            summary.exhausted += 1
        else:
            summary.skipped += 1
    return summary
