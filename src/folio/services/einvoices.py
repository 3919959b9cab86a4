"""EN 16931 e-invoices of finalized invoices and issued credit notes: UBL 2.1 (Peppol BIS
Billing 3.0), UN/CEFACT CII, and Factur-X (EN 16931 profile: the CII embedded in the
document's PDF/A-3b, rendered as issued). A document that breaks a business rule is never
written; the refusal names every failing rule and field."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from folio.db.models import Account
from folio.documents.cii import to_cii
from folio.documents.facturx import embed_cii
from folio.documents.labels import language
from folio.documents.model import Document
from folio.documents.rules import Profile, validate
from folio.documents.ubl import to_ubl
from folio.domain.errors import InvalidState
from folio.services import pdfs
from folio.services.context import Ctx
from folio.services.credit_notes import get_credit_note
from folio.services.documents import credit_note_view_model, invoice_view_model
from folio.services.einvoice_checks import einvoice_invalid
from folio.services.invoices import get_invoice

XML = "application/xml"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class EInvoiceFormat(str, Enum):
    UBL = "ubl"
    CII = "cii"
    FACTURX = "facturx"

    @property
    def profile(self) -> Profile:
        return Profile.PEPPOL if self is EInvoiceFormat.UBL else Profile.EN16931


@dataclass(frozen=True)
class EInvoice:
    content: bytes
    media_type: str
    filename: str


def _export(doc: Document, fmt: EInvoiceFormat, what: str, account: Account,
            locale: str | None, created: int) -> EInvoice:
    failures = validate(doc, fmt.profile)
    if failures:
        raise einvoice_invalid(what, failures)
    name = _UNSAFE.sub("_", doc.number or doc.id)
    if fmt is EInvoiceFormat.FACTURX:
        pdf = pdfs.render(account, pdfs.as_issued(doc), locale, created)
        return EInvoice(content=embed_cii(pdf, to_cii(doc), lang=language(locale)),
                        media_type=pdfs.PDF, filename=f"{name}-facturx.pdf")
    content = to_ubl(doc) if fmt is EInvoiceFormat.UBL else to_cii(doc)
    return EInvoice(content=content, media_type=XML, filename=f"{name}-{fmt.value}.xml")


def invoice_einvoice(ctx: Ctx, invoice_id: str, fmt: EInvoiceFormat) -> EInvoice:
    invoice = get_invoice(ctx, invoice_id)
    if invoice.number is None or invoice.finalized_at is None:
        raise InvalidState(f"Invoice {invoice.public_id} is a draft; only a finalized "
                           "invoice has an e-invoice.", code="invoice_not_finalized")
    return _export(invoice_view_model(ctx.account, invoice), fmt,
                   f"Invoice {invoice.public_id}", ctx.account, invoice.customer.locale,
                   invoice.created)


def credit_note_einvoice(ctx: Ctx, note_id: str, fmt: EInvoiceFormat) -> EInvoice:
    note = get_credit_note(ctx, note_id)
    if note.number is None or note.issued_at is None:
        raise InvalidState(f"Credit note {note.public_id} is a draft; only an issued credit "
                           "note has an e-invoice.", code="credit_note_not_issued")
    return _export(credit_note_view_model(ctx.account, note), fmt,
                   f"Credit note {note.public_id}", ctx.account,
                   note.invoice.customer.locale, note.created)
