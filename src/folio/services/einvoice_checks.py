"""Accounts that require e-invoicing issue nothing that could not produce a valid EN 16931
e-invoice: finalize (and issuing a credit note) validate the document first and refuse,
naming every failing rule and field. The check runs inside the issuing transaction, after
the number and snapshots are set, so a refusal rolls all of it back."""

from __future__ import annotations

from folio.db.models import CreditNote, Invoice
from folio.documents.failures import Failure
from folio.documents.model import Document
from folio.documents.rules import Profile, validate
from folio.domain.errors import RuleViolation
from folio.services.context import Ctx
from folio.services.documents import credit_note_view_model, invoice_view_model


def einvoice_invalid(what: str, failures: list[Failure]) -> RuleViolation:
    named = "; ".join(f"{f.rule} ({f.field})" for f in failures)
    return RuleViolation(f"{what} cannot produce a valid EN 16931 e-invoice: {named}.",
                         code="einvoice_invalid",
                         details=tuple(f.as_dict() for f in failures))


def _require_valid(doc: Document, what: str) -> None:
    # EN 16931 itself (what CII and Factur-X need); UBL adds Peppol's rules at export
    failures = validate(doc, Profile.EN16931)
    if failures:
        raise einvoice_invalid(what, failures)


def check_invoice_for_issue(ctx: Ctx, invoice: Invoice) -> None:
    if ctx.account.einvoice_required:
        _require_valid(invoice_view_model(ctx.account, invoice),
                       f"Invoice {invoice.public_id}")


def check_credit_note_for_issue(ctx: Ctx, note: CreditNote) -> None:
    if ctx.account.einvoice_required:
        _require_valid(credit_note_view_model(ctx.account, note),
                       f"Credit note {note.public_id}")
