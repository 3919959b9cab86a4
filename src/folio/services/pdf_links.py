"""Signed, expiring download links for invoice PDFs (Commet's download links). No row is
stored: the link carries the invoice's public id and its expiry, signed with HMAC-SHA256
under the server secret over the owning account and mode too, so a link is good for one
invoice, in one tenant, until it expires. Rotating FOLIO_SECRET revokes every link."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from folio.db.models import Account, Invoice
from folio.services import links, pdfs
from folio.services.context import Ctx
from folio.services.invoices import get_invoice

LINK_LIFETIME = 7 * 24 * 3600  # seconds (Commet: a signed URL expires after 7 days)
_TOKEN = re.compile(r"([A-Za-z0-9_]{3,40})\.([0-9]{1,12})\.([A-Za-z0-9_-]{43})")


@dataclass(frozen=True)
class PdfLink:
    url: str
    expires_at: int
    livemode: bool


def _signature(secret: str, invoice: Invoice, expires: int) -> str:
    message = (f"folio-pdf-link:v1:{invoice.account_id}:{int(invoice.livemode)}:"
               f"{invoice.public_id}:{expires}").encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def issue_pdf_link(ctx: Ctx, invoice_id: str, secret: str) -> PdfLink:
    """A link to the PDF of one of the acting account's invoices, valid LINK_LIFETIME."""
    invoice = get_invoice(ctx, invoice_id)
    expires = ctx.now() + LINK_LIFETIME
    token = f"{invoice.public_id}.{expires}.{_signature(secret, invoice, expires)}"
    return PdfLink(url=f"{links.public_base_url()}/pdf/{token}", expires_at=expires,
                   livemode=invoice.livemode)


def pdf_for_link(session: Session, token: str, secret: str, now: int
                 ) -> pdfs.PdfFile | None:
    """The PDF a link leads to, or None when the link is forged, altered or expired
    (indistinguishable to the holder)."""
    shape = _TOKEN.fullmatch(token)
    if shape is None:
        return None
    public_id, expires_text, signature = shape.groups()
    expires = int(expires_text)
    if expires <= now:
        return None
    invoice = session.scalars(select(Invoice).where(Invoice.public_id == public_id)).first()
    if invoice is None or not hmac.compare_digest(
            signature, _signature(secret, invoice, expires)):
        return None
    account = session.get(Account, invoice.account_id)
    if account is None:
        return None
    return pdfs.PdfFile(pdfs.render_invoice(account, invoice),
                        pdfs.filename(invoice.number, invoice.public_id))
