"""The PDF attached to invoice e-mails: the invoice as the renderer draws it (typst,
PDF/A-3b, in the customer's language), named after its number."""

from __future__ import annotations

from folio.db.models import Invoice
from folio.mail.compose import Attachment
from folio.services import pdfs
from folio.services.context import Ctx


def invoice_attachment(ctx: Ctx, invoice: Invoice) -> Attachment:
    return Attachment(filename=pdfs.filename(invoice.number, invoice.public_id),
                      content=pdfs.render_invoice(ctx.account, invoice))
