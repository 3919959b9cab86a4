"""PDFs of invoices and credit notes: the document view model rendered with typst to
PDF/A-3b, in the customer's language and locale, with the account's logo and colour.

Works for every state: a draft's PDF is marked as a draft (watermark and notice). The
PDF shows where the invoice stands now (paid, credited, due), so it follows payments;
the branding is read live (it is presentation, not part of the issued document)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from folio.db.models import Account, CreditNote, Invoice
from folio.documents.logo import logo_svg
from folio.documents.model import Document
from folio.documents.pdf import render_pdf
from folio.documents.typst_source import Branding, typst_source
from folio.services.context import Ctx
from folio.services.credit_notes import get_credit_note
from folio.services.documents import credit_note_view_model, day, invoice_view_model
from folio.services.invoices import get_invoice

PDF = "application/pdf"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class PdfFile:
    content: bytes
    filename: str
    media_type: str = PDF


def as_issued(doc: Document) -> Document:
    """The document as it was issued, without where it stands now (the PDF inside a
    Factur-X: the same bytes whatever is paid later, like the XML it carries)."""
    return replace(doc, balance=None, status="void" if doc.status == "void" else "issued")


def branding(account: Account) -> Branding:
    svg = logo_svg(account.logo, account.logo_media_type or "") \
        if account.logo and account.logo_media_type else None
    return Branding(logo_svg=svg, color=account.brand_color)


def render(account: Account, doc: Document, locale: str | None, created: int) -> bytes:
    """`created` (unix seconds) dates a draft's PDF; an issued one carries its issue
    date."""
    source = typst_source(doc, locale=locale, branding=branding(account))
    when = doc.issue_date or day(created)
    assert when is not None
    return render_pdf(source, when)


def render_invoice(account: Account, invoice: Invoice) -> bytes:
    """The PDF of a loaded invoice of `account` (no tenancy check: the caller's)."""
    return render(account, invoice_view_model(account, invoice), invoice.customer.locale,
                   invoice.created)


def render_credit_note(account: Account, note: CreditNote) -> bytes:
    return render(account, credit_note_view_model(account, note),
                   note.invoice.customer.locale, note.created)


def invoice_pdf(ctx: Ctx, invoice_id: str) -> bytes:
    """The PDF of one of the acting account's invoices (404 for anyone else's)."""
    return render_invoice(ctx.account, get_invoice(ctx, invoice_id))


def credit_note_pdf(ctx: Ctx, credit_note_id: str) -> bytes:
    return render_credit_note(ctx.account, get_credit_note(ctx, credit_note_id))


def filename(number: str | None, public_id: str) -> str:
    return _UNSAFE.sub("_", number or f"draft-{public_id}") + ".pdf"


def invoice_pdf_file(ctx: Ctx, invoice_id: str) -> PdfFile:
    invoice = get_invoice(ctx, invoice_id)
    return PdfFile(render_invoice(ctx.account, invoice),
                   filename(invoice.number, invoice.public_id))


def credit_note_pdf_file(ctx: Ctx, credit_note_id: str) -> PdfFile:
    note = get_credit_note(ctx, credit_note_id)
    return PdfFile(render_credit_note(ctx.account, note), filename(note.number, note.public_id))
