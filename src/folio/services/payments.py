"""Payments recorded against invoices: partial, several per invoice, never above due."""

from __future__ import annotations

from folio.db.models import Payment
from folio.db.repository import Page, created_filter, get_by_public_id, page, scoped
from folio.services.context import Ctx
from folio.services.customers import get_customer
from folio.services.inputs.payments import PaymentCreate
from folio.services.invoices import get_invoice
from folio.services.lifecycle import record_payment


def create_payment(ctx: Ctx, data: PaymentCreate) -> Payment:
    invoice = get_invoice(ctx, data.invoice, param="invoice", for_update=True)
    return record_payment(ctx, invoice, data.amount, method=data.method,
                          reference=data.reference, paid_at=data.paid_at,
                          metadata=data.metadata)


def get_payment(ctx: Ctx, payment_id: str) -> Payment:
    return get_by_public_id(ctx.session, Payment, ctx.scope, payment_id)


def list_payments(ctx: Ctx, p: Page, *, invoice: str | None = None,
                  created: dict[str, int] | None = None,
                  customer: str | None = None) -> tuple[list[Payment], bool]:
    stmt = created_filter(scoped(Payment, ctx.scope), Payment, created)
    if invoice:
        stmt = stmt.where(Payment.invoice_id == get_invoice(ctx, invoice, param="invoice").id)
    if customer:
        stmt = stmt.where(Payment.customer_id == get_customer(ctx, customer, "customer").id)
    return page(ctx.session, stmt, Payment, ctx.scope, p)
