"""Credit notes: reduce what an issued invoice asks for, never more than can be credited.

Before payment (open or uncollectible invoice) a credit note lowers the amount due, up to
what is still due. After payment (paid invoice) it records money owed back to the
customer, up to what was paid and not yet credited. Tax is credited in the same
proportion as the credited amounts carry it on the invoice.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from folio.db.models import CreditNote, Invoice, InvoiceLine, TaxRate
from folio.db.repository import Page, created_filter, get_by_public_id, page, scoped
from folio.domain.errors import InvalidInput, InvalidState, NotFound, RuleViolation
from folio.domain.money import RoundingMode, format_decimal, round_minor
from folio.domain.states import (
    CreditNoteAction,
    CreditNoteStatus,
    InvoiceStatus,
    next_credit_note_status,
)
from folio.services import events
from folio.services.context import Ctx
from folio.services.customers import get_customer
from folio.services.einvoice_checks import check_credit_note_for_issue
from folio.services.inputs.payments import CreditNoteCreate, CreditNoteLineInput
from folio.services.invoices import get_invoice
from folio.services.lifecycle import settle_if_due
from folio.services.numbering import take_number
from folio.services.pricing import tax_rates_by_id
from folio.services.views import credit_note_view, invoice_view


def _line_gross(line: InvoiceLine) -> int:
    """What the line adds to the invoice total: after its discounts and customer credit,
    with its exclusive tax."""
    exclusive = sum(int(t["amount"]) for t in line.taxes or [] if not t["inclusive"])
    return line.amount - line.discount_amount - line.credit_amount + exclusive


def _share(amount: int, part: int, whole: int, rounding: RoundingMode) -> int:
    return 0 if whole == 0 else round_minor(Decimal(amount) * part / whole, rounding)


def _credit_lines(invoice: Invoice, lines: list[CreditNoteLineInput]
                  ) -> tuple[int, int, list[dict[str, Any]]]:
    rounding = RoundingMode(invoice.rounding_mode)
    by_id = {x.public_id: x for x in invoice.lines}
    total = tax = 0
    out: list[dict[str, Any]] = []
    for i, item in enumerate(lines):
        line = by_id.get(item.invoice_line)
        if line is None:
            raise NotFound(f"No such line on invoice {invoice.public_id}: "
                           f"'{item.invoice_line}'.", param=f"lines[{i}].invoice_line")
        gross = _line_gross(line)
        if (item.quantity is None) == (item.amount is None):
            raise InvalidInput("A credit note line needs exactly one of quantity or amount.",
                               param=f"lines[{i}]")
        if item.quantity is not None:
            if item.quantity > line.quantity:
                raise InvalidInput("Cannot credit more than the line's quantity.",
                                   param=f"lines[{i}].quantity")
            amount = round_minor(Decimal(gross) * item.quantity / line.quantity, rounding)
        else:
            assert item.amount is not None
            amount = item.amount
        if amount > gross:
            raise InvalidInput("Cannot credit more than the line's total.",
                               param=f"lines[{i}].amount")
        line_tax = _share(amount, line.tax_amount, gross, rounding)
        total += amount
        tax += line_tax
        out.append({"invoice_line": line.public_id, "description": line.description,
                    "quantity": format_decimal(item.quantity) if item.quantity else None,
                    "amount": amount, "tax_amount": line_tax})
    return total, tax, out


def _rate_tax(amount: int, rate: TaxRate, rounding: RoundingMode) -> int:
    """The tax inside a tax-inclusive amount at one rate."""
    pct = Decimal(rate.percentage)
    return round_minor(Decimal(amount) * pct / (Decimal(100) + pct), rounding)


def _rate_snapshot(rate: TaxRate, taxable: int, tax: int) -> dict[str, Any]:
    return {"tax_rate": rate.public_id, "display_name": rate.display_name,
            "percentage": format_decimal(rate.percentage), "inclusive": True,
            "category": rate.category, "country": rate.country,
            "exemption_reason": rate.exemption_reason,
            "exemption_reason_code": rate.exemption_reason_code,
            "taxable_amount": taxable, "amount": tax}


def create_credit_note(ctx: Ctx, data: CreditNoteCreate, *, draft: bool = False,
                       tax_rate: str | None = None, zero_rated: bool = False) -> CreditNote:
    """`draft` creates it unapplied (issue it with issue_credit_note). `tax_rate` (a tax
    rate public id) or `zero_rated` replace the invoice's proportional tax for an amount
    credit; with `lines`, one line may name the invoice line it credits."""
    invoice = get_invoice(ctx, data.invoice, param="invoice", for_update=True)
    status = InvoiceStatus(invoice.status)
    if status in (InvoiceStatus.DRAFT, InvoiceStatus.VOID):
        raise InvalidState(f"Cannot credit an invoice that is {status.value}.",
                           code="invoice_not_creditable")
    if (data.amount is None) == (not data.lines):
        raise InvalidInput("Give exactly one of amount or lines.", param="amount")
    rounding = RoundingMode(invoice.rounding_mode)
    if tax_rate is not None or zero_rated:
        line_ref = None
        if data.lines:  # one line named by the credit, with its amount
            item = data.lines[0]
            if len(data.lines) != 1 or item.amount is None:
                raise InvalidInput("With a tax rate or zero rating, give one line with an "
                                   "amount.", param="lines")
            if item.invoice_line not in {x.public_id for x in invoice.lines}:
                raise NotFound(f"No such line on invoice {invoice.public_id}: "
                               f"'{item.invoice_line}'.", param="lines[0].invoice_line")
            line_ref, amount = item.invoice_line, item.amount
        else:
            assert data.amount is not None
            amount = data.amount
        tax, taxes = 0, []
        if tax_rate is not None:
            rate = tax_rates_by_id(ctx, [tax_rate], "tax_rate")[tax_rate]
            tax = _rate_tax(amount, rate, rounding)
            taxes = [_rate_snapshot(rate, amount - tax, tax)]
        lines = [{"invoice_line": line_ref, "description": None, "quantity": None,
                  "amount": amount, "tax_amount": tax, "taxes": taxes}]
    elif data.lines:
        amount, tax, lines = _credit_lines(invoice, data.lines)
    else:
        assert data.amount is not None
        amount = data.amount
        tax = _share(amount, invoice.tax_total, invoice.total, rounding)
        lines = []
    if status is InvoiceStatus.PAID and not draft:
        kind = "post_payment"
        creditable = invoice.amount_paid - invoice.post_payment_credited
    else:
        kind = "pre_payment"
        creditable = invoice.amount_due
    if amount > creditable:
        raise RuleViolation(f"Amount {amount} is more than can still be credited "
                           f"({creditable}).", param="amount", code="credit_exceeds_creditable")
    note = CreditNote(
        **ctx.owned(), invoice_id=invoice.id, customer_id=invoice.customer_id,
        number=None if draft else _next_number(ctx, invoice),
        status=(CreditNoteStatus.DRAFT if draft else CreditNoteStatus.ISSUED).value,
        issued_at=None if draft else ctx.now(), type=kind,
        currency=invoice.currency,
        amount=amount, tax_amount=tax, reason=data.reason, memo=data.memo, lines=lines,
        metadata_=data.metadata or {},
    )
    note.invoice = invoice
    ctx.session.add(note)
    if draft:
        ctx.session.flush()
        events.record(ctx, "credit_note.created", credit_note_view(note))
        return note
    ctx.session.flush()  # its id, for the check's message
    check_credit_note_for_issue(ctx, note)
    _apply(ctx, note)
    events.record(ctx, "credit_note.created", credit_note_view(note))
    events.record(ctx, "invoice.updated", invoice_view(invoice))
    settle_if_due(ctx, invoice)
    return note


def _next_number(ctx: Ctx, invoice: Invoice) -> str:
    return take_number(ctx, ctx.account.credit_note_number_pattern,
                       customer_prefix=invoice.customer.invoice_prefix)


def _apply(ctx: Ctx, note: CreditNote) -> None:
    invoice = note.invoice
    if note.type == "pre_payment":
        invoice.amount_credited += note.amount
    else:
        invoice.post_payment_credited += note.amount
    invoice.updated = ctx.now()
    ctx.session.flush()


def issue_credit_note(ctx: Ctx, note_id: str) -> CreditNote:
    """Applies a draft credit note to what the invoice still owes; it is numbered now."""
    note = get_credit_note(ctx, note_id, for_update=True)
    invoice = get_invoice(ctx, note.invoice.public_id, for_update=True)
    note.status = next_credit_note_status(CreditNoteStatus(note.status),
                                          CreditNoteAction.ISSUE).value
    if invoice.status not in (InvoiceStatus.OPEN.value, InvoiceStatus.UNCOLLECTIBLE.value):
        raise InvalidState(f"Cannot credit an invoice that is {invoice.status}.",
                           code="invoice_not_creditable")
    if note.amount > invoice.amount_due:
        raise RuleViolation(f"Amount {note.amount} is more than can still be credited "
                           f"({invoice.amount_due}).", param="amount",
                           code="credit_exceeds_creditable")
    note.number = _next_number(ctx, invoice)
    note.issued_at = ctx.now()
    check_credit_note_for_issue(ctx, note)
    _apply(ctx, note)
    events.record(ctx, "credit_note.issued", credit_note_view(note))
    events.record(ctx, "invoice.updated", invoice_view(invoice))
    settle_if_due(ctx, invoice)
    return note


def get_credit_note(ctx: Ctx, note_id: str, *, for_update: bool = False) -> CreditNote:
    return get_by_public_id(ctx.session, CreditNote, ctx.scope, note_id, for_update=for_update)


def void_credit_note(ctx: Ctx, note_id: str) -> CreditNote:
    note = get_credit_note(ctx, note_id, for_update=True)
    note.status = next_credit_note_status(CreditNoteStatus(note.status),
                                          CreditNoteAction.VOID).value
    invoice = note.invoice
    if note.type == "pre_payment":
        if invoice.status == InvoiceStatus.PAID.value:
            raise InvalidState("The invoice is paid; its pre-payment credit notes stay.",
                               code="invoice_already_paid")
        invoice.amount_credited -= note.amount
    else:
        invoice.post_payment_credited -= note.amount
    note.voided_at = invoice.updated = ctx.now()
    ctx.session.flush()
    events.record(ctx, "credit_note.voided", credit_note_view(note))
    return note


def list_credit_notes(ctx: Ctx, p: Page, *, invoice: str | None = None,
                      created: dict[str, int] | None = None, customer: str | None = None,
                      ) -> tuple[list[CreditNote], bool]:
    stmt = created_filter(scoped(CreditNote, ctx.scope), CreditNote, created)
    if customer:
        stmt = stmt.where(CreditNote.customer_id == get_customer(ctx, customer,
                                                                 param="customer").id)
    if invoice:
        stmt = stmt.where(CreditNote.invoice_id == get_invoice(ctx, invoice,
                                                               param="invoice").id)
    return page(ctx.session, stmt, CreditNote, ctx.scope, p)
