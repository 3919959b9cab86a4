"""Rendering many invoice PDFs (`folio render`): which invoices a filter selects, and
one invoice's PDF with the name it is filed under. Each invoice is read in its own
short transaction by the caller, so a long batch holds no lock and no snapshot."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from folio.db.models import Account, Customer, Invoice
from folio.domain.errors import NotFound
from folio.services import pdfs


@dataclass(frozen=True)
class RenderFilter:
    account_id: int | None = None  # None: every account
    livemode: bool | None = None  # None: both modes
    status: str | None = None
    customer: str | None = None  # a customer's public id
    created_gte: int | None = None  # unix seconds
    created_lt: int | None = None
    limit: int | None = None


@dataclass(frozen=True)
class RenderedPdf:
    folder: str  # the account's public id, and "test" in test mode
    filename: str
    content: bytes


def account_id_of(session: Session, public_id: str) -> int:
    found = session.scalars(select(Account.id).where(Account.public_id == public_id)).first()
    if found is None:
        raise NotFound(f"No such account: '{public_id}'.", param="account")
    return found


def select_invoices(session: Session, f: RenderFilter) -> list[int]:
    """The row ids of the invoices to render, oldest first."""
    query = select(Invoice.id).order_by(Invoice.id)
    if f.account_id is not None:
        query = query.where(Invoice.account_id == f.account_id)
    if f.livemode is not None:
        query = query.where(Invoice.livemode == f.livemode)
    if f.status:
        query = query.where(Invoice.status == f.status)
    if f.customer:
        query = query.join(Customer, Customer.id == Invoice.customer_id).where(
            Customer.public_id == f.customer)
    if f.created_gte is not None:
        query = query.where(Invoice.created >= f.created_gte)
    if f.created_lt is not None:
        query = query.where(Invoice.created < f.created_lt)
    if f.limit is not None:
        query = query.limit(f.limit)
    return list(session.scalars(query))


def render_invoice_row(session: Session, invoice_id: int) -> RenderedPdf:
    invoice = session.get(Invoice, invoice_id)
    account = session.get(Account, invoice.account_id) if invoice is not None else None
    if invoice is None or account is None:
        raise NotFound(f"Invoice row {invoice_id} is gone.")
    folder = account.public_id + ("" if invoice.livemode else "/test")
    return RenderedPdf(folder=folder, filename=pdfs.filename(invoice.number,
                                                             invoice.public_id),
                       content=pdfs.render_invoice(account, invoice))
