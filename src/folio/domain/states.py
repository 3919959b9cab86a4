"""Status machines. The transition tables here are the only place a status changes."""

from __future__ import annotations

from enum import Enum
from typing import Final

from folio.domain.errors import InvalidState


class InvoiceStatus(str, Enum):
    DRAFT = "draft"
    OPEN = "open"
    PAID = "paid"
    VOID = "void"
    UNCOLLECTIBLE = "uncollectible"


class InvoiceAction(str, Enum):
    FINALIZE = "finalize"
    PAY = "pay"  # fully paid, by payments and/or pre-payment credit notes
    VOID = "void"
    MARK_UNCOLLECTIBLE = "mark_uncollectible"
    # void a draft and keep its row (Dolfin's DELETE); /v1 deletes drafts instead
    VOID_DRAFT = "void_draft"


INVOICE_TRANSITIONS: Final[dict[tuple[InvoiceStatus, InvoiceAction], InvoiceStatus]] = {
    (InvoiceStatus.DRAFT, InvoiceAction.FINALIZE): InvoiceStatus.OPEN,
    (InvoiceStatus.DRAFT, InvoiceAction.VOID_DRAFT): InvoiceStatus.VOID,
    (InvoiceStatus.OPEN, InvoiceAction.PAY): InvoiceStatus.PAID,
    (InvoiceStatus.OPEN, InvoiceAction.VOID): InvoiceStatus.VOID,
    (InvoiceStatus.OPEN, InvoiceAction.MARK_UNCOLLECTIBLE): InvoiceStatus.UNCOLLECTIBLE,
    (InvoiceStatus.UNCOLLECTIBLE, InvoiceAction.PAY): InvoiceStatus.PAID,
    (InvoiceStatus.UNCOLLECTIBLE, InvoiceAction.VOID): InvoiceStatus.VOID,
}

FINAL_INVOICE_STATUSES: Final = frozenset({InvoiceStatus.PAID, InvoiceStatus.VOID})


def next_invoice_status(current: InvoiceStatus, action: InvoiceAction) -> InvoiceStatus:
    try:
        return INVOICE_TRANSITIONS[(current, action)]
    except KeyError:
        raise InvalidState(
            f"Cannot {action.value.replace('_', ' ')} an invoice that is {current.value}.",
            code=f"invoice_not_{_allowed_from(action)}",
        ) from None


def _allowed_from(action: InvoiceAction) -> str:
    sources = sorted(s.value for (s, a) in INVOICE_TRANSITIONS if a is action)
    return "_or_".join(sources)


def can(current: InvoiceStatus, action: InvoiceAction) -> bool:
    return (current, action) in INVOICE_TRANSITIONS


class PaymentState(str, Enum):
    UNPAID = "unpaid"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    CREDITED = "credited"


def payment_state(total: int, amount_paid: int, amount_credited: int) -> PaymentState:
    """Derived, never stored: how much of an invoice's total is settled, and how. A total
    of zero or below (its negative part went to the customer's credit balance) is paid."""
    due = total - amount_paid - amount_credited
    if due <= 0 and total > 0 and amount_paid == 0 and amount_credited > 0:
        return PaymentState.CREDITED
    if due <= 0 and (amount_paid > 0 or amount_credited > 0 or total <= 0):
        return PaymentState.PAID
    if amount_paid > 0 or amount_credited > 0:
        return PaymentState.PARTIALLY_PAID
    return PaymentState.UNPAID


class CreditNoteStatus(str, Enum):
    ISSUED = "issued"
    VOID = "void"
    DRAFT = "draft"  # prepared, not yet applied to the invoice (Dolfin's create-then-issue)


class CreditNoteAction(str, Enum):
    ISSUE = "issue"
    VOID = "void"


CREDIT_NOTE_TRANSITIONS: Final[
    dict[tuple[CreditNoteStatus, CreditNoteAction], CreditNoteStatus]] = {
    (CreditNoteStatus.DRAFT, CreditNoteAction.ISSUE): CreditNoteStatus.ISSUED,
    (CreditNoteStatus.ISSUED, CreditNoteAction.VOID): CreditNoteStatus.VOID,
}


def next_credit_note_status(current: CreditNoteStatus,
                            action: CreditNoteAction = CreditNoteAction.VOID
                            ) -> CreditNoteStatus:
    try:
        return CREDIT_NOTE_TRANSITIONS[(current, action)]
    except KeyError:
        if current is CreditNoteStatus.VOID:
            raise InvalidState("This credit note is already void.",
                               code="credit_note_void") from None
        if action is CreditNoteAction.ISSUE:
            raise InvalidState("This credit note is already issued.",
                               code="credit_note_not_draft") from None
        raise InvalidState("A draft credit note cannot be voided; it was never applied.",
                           code="credit_note_not_issued") from None


class ScheduleStatus(str, Enum):
    ACTIVE = "active"
    PAUSED = "paused"
    COMPLETED = "completed"  # its count or end date was reached
    CANCELED = "canceled"


class ScheduleAction(str, Enum):
    PAUSE = "pause"
    RESUME = "resume"
    CANCEL = "cancel"
    COMPLETE = "complete"
    EXTEND = "extend"  # an update moved its end or count past what was issued


SCHEDULE_TRANSITIONS: Final[dict[tuple[ScheduleStatus, ScheduleAction], ScheduleStatus]] = {
    (ScheduleStatus.ACTIVE, ScheduleAction.PAUSE): ScheduleStatus.PAUSED,
    (ScheduleStatus.PAUSED, ScheduleAction.RESUME): ScheduleStatus.ACTIVE,
    (ScheduleStatus.ACTIVE, ScheduleAction.CANCEL): ScheduleStatus.CANCELED,
    (ScheduleStatus.PAUSED, ScheduleAction.CANCEL): ScheduleStatus.CANCELED,
    (ScheduleStatus.COMPLETED, ScheduleAction.CANCEL): ScheduleStatus.CANCELED,
    (ScheduleStatus.ACTIVE, ScheduleAction.COMPLETE): ScheduleStatus.COMPLETED,
    (ScheduleStatus.PAUSED, ScheduleAction.COMPLETE): ScheduleStatus.COMPLETED,
    (ScheduleStatus.COMPLETED, ScheduleAction.EXTEND): ScheduleStatus.ACTIVE,
}


def next_schedule_status(current: ScheduleStatus, action: ScheduleAction) -> ScheduleStatus:
    try:
        return SCHEDULE_TRANSITIONS[(current, action)]
    except KeyError:
        raise InvalidState(f"Cannot {action.value} a recurring schedule that is "
                           f"{current.value}.", code=f"schedule_not_{_schedule_sources(action)}"
                           ) from None


def _schedule_sources(action: ScheduleAction) -> str:
    return "_or_".join(sorted(s.value for (s, a) in SCHEDULE_TRANSITIONS if a is action))
