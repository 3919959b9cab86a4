"""The customer credit balance: grant, list, get, revoke; apply it to an invoice at
finalization; turn an invoice's negative total into credit; give credit back when an
invoice that used it is voided.

Concurrency: applying credit locks the customer's usable grants (`FOR UPDATE` in id order
on PostgreSQL; SQLite write transactions are serialised by `BEGIN IMMEDIATE`), so two
finalizations drawing on the same grants run one after the other and the second sees
what the first took. Revocation locks its grant the same way.
"""

from __future__ import annotations

from sqlalchemy import or_
from sqlalchemy.orm import lazyload

from folio.db.models import CreditApplication, CreditGrant, Invoice
from folio.db.repository import Page, created_filter, page, scoped
from folio.domain import credit_balance as balance
from folio.domain.calculation import InvoiceTotals
from folio.domain.errors import InvalidInput, NotFound
from folio.domain.money import normalize_currency
from folio.services import events
from folio.services.context import Ctx
from folio.services.customers import get_customer
from folio.services.inputs.payments import CreditGrantCreate
from folio.services.pricing import apply_totals
from folio.services.views import credit_grant_view, grant_model


def _record(ctx: Ctx, type_: str, grant: CreditGrant) -> None:
    events.record(ctx, type_, credit_grant_view(grant, ctx.now()))


def _new_grant(ctx: Ctx, source: Invoice | None, *, customer_id: int,
               currency: str, amount: int, reason: str | None,
               expires_at: int | None, metadata: dict[str, str] | None = None,
               ) -> CreditGrant:
    grant = CreditGrant(**ctx.owned(), customer_id=customer_id, currency=currency,
                        amount=amount, remaining=amount, reason=reason, expires_at=expires_at,
                        source_invoice_id=source.id if source else None, revoked_amount=0,
                        metadata_=metadata or {})
    ctx.session.add(grant)
    ctx.session.flush()
    _record(ctx, "credit_grant.created", grant)
    return grant


def grant_credit(ctx: Ctx, customer_id: str, data: CreditGrantCreate) -> CreditGrant:
    customer = get_customer(ctx, customer_id)
    currency = normalize_currency(data.currency)
    if data.expires_at is not None and data.expires_at <= ctx.now():
        raise InvalidInput("expires_at must be in the future.", param="expires_at",
                           code="expires_at_in_past")
    return _new_grant(ctx, None, customer_id=customer.id, currency=currency,
                      amount=data.amount, reason=data.reason, expires_at=data.expires_at,
                      metadata=data.metadata)


def get_grant(ctx: Ctx, customer_id: str, grant_id: str, *, for_update: bool = False,
              ) -> CreditGrant:
    """A grant of this customer (another customer's grant is not found, like another
    tenant's)."""
    customer = get_customer(ctx, customer_id)
    stmt = scoped(CreditGrant, ctx.scope).where(CreditGrant.public_id == grant_id,
                                                CreditGrant.customer_id == customer.id)
    if for_update:
        stmt = (stmt.options(lazyload("*")).with_for_update(of=CreditGrant)
                .execution_options(populate_existing=True))
    grant = ctx.session.scalars(stmt).first()
    if grant is None:
        raise NotFound(f"No such credit grant: '{grant_id}'.", param="grant")
    return grant


def list_grants(ctx: Ctx, customer_id: str, p: Page, *, currency: str | None = None,
                created: dict[str, int] | None = None) -> tuple[list[CreditGrant], bool]:
    customer = get_customer(ctx, customer_id)
    stmt = created_filter(scoped(CreditGrant, ctx.scope), CreditGrant, created).where(
        CreditGrant.customer_id == customer.id)
    if currency:
        stmt = stmt.where(CreditGrant.currency == normalize_currency(currency))
    return page(ctx.session, stmt, CreditGrant, ctx.scope, p)


def revoke_grant(ctx: Ctx, customer_id: str, grant_id: str) -> CreditGrant:
    """Takes away what remains unapplied; what was applied stays applied."""
    grant = get_grant(ctx, customer_id, grant_id, for_update=True)
    _, amount = balance.revoke(grant_model(grant))
    grant.remaining = 0
    grant.revoked_amount = amount
    grant.revoked_at = ctx.now()
    ctx.session.flush()
    _record(ctx, "credit_grant.revoked", grant)
    return grant


def _usable_grants(ctx: Ctx, invoice: Invoice) -> list[CreditGrant]:
    """The customer's grants that may be applied to the invoice now, locked."""
    return list(ctx.session.scalars(
        scoped(CreditGrant, ctx.scope)
        .where(CreditGrant.customer_id == invoice.customer_id,
               CreditGrant.currency == invoice.currency,
               CreditGrant.revoked_at.is_(None), CreditGrant.remaining > 0,
               or_(CreditGrant.expires_at.is_(None), CreditGrant.expires_at > ctx.now()))
        .order_by(CreditGrant.id)  # lock order: the same in every transaction
        .options(lazyload("*"))
        .with_for_update(of=CreditGrant)
        .execution_options(populate_existing=True)))


def apply_balance(ctx: Ctx, invoice: Invoice) -> InvoiceTotals:
    """Computes the invoice with the customer's usable credit offered, then takes what
    the calculation applied from the grants, oldest first (the caller holds the invoice
    lock; the grants are locked here)."""
    rows = _usable_grants(ctx, invoice)
    grants = [grant_model(g) for g in rows]
    now = ctx.now()
    totals = apply_totals(ctx, invoice, credit_balance=balance.available(
        grants, invoice.currency, now))
    if totals.credit_applied == 0:
        return totals
    applications = balance.apply_credit(grants, invoice.currency, totals.credit_applied, now)
    remaining = {g.id: g.remaining for g in balance.after(grants, applications)}
    by_id = {g.public_id: g for g in rows}
    for app in applications:
        grant = by_id[app.grant_id]
        grant.remaining = remaining[app.grant_id]
        ctx.session.add(CreditApplication(**ctx.owned(), grant_id=grant.id,
                                          invoice_id=invoice.id, amount=app.amount,
                                          metadata_={}))
    ctx.session.flush()
    for app in applications:
        grant = by_id[app.grant_id]
        ctx.session.refresh(grant, ["applications"])
        _record(ctx, "credit_grant.applied", grant)
    return totals


def grant_negative_total(ctx: Ctx, invoice: Invoice) -> CreditGrant:
    """A finalized invoice whose total is negative owes nothing: its amount becomes credit
    on the customer's balance, recorded with the invoice as its source (as Stripe credits
    the customer balance)."""
    amount = -invoice.total
    invoice.credit_granted = amount
    reason = invoice.description or f"Credit from invoice {invoice.number}"
    return _new_grant(ctx, invoice, customer_id=invoice.customer_id,
                      currency=invoice.currency, amount=amount, reason=reason[:500],
                      expires_at=None)


def return_applied_credit(ctx: Ctx, invoice: Invoice) -> CreditGrant | None:
    """A voided invoice gives back the credit it took: one new grant for the amount,
    sourced from the invoice (the applications stay as history). It expires with the
    grants it came from: never if one of them never did, else at the latest expiry."""
    if invoice.credit_applied <= 0:
        return None
    applied = list(ctx.session.scalars(
        scoped(CreditApplication, ctx.scope).where(CreditApplication.invoice_id == invoice.id)
        .options(lazyload("*"))))
    sources = list(ctx.session.scalars(
        scoped(CreditGrant, ctx.scope).where(
            CreditGrant.id.in_([a.grant_id for a in applied])).options(lazyload("*"))))
    expiries = [g.expires_at for g in sources]
    expires_at = None if None in expiries or not expiries else max(
        e for e in expiries if e is not None)
    return _new_grant(ctx, invoice, customer_id=invoice.customer_id,
                      currency=invoice.currency, amount=invoice.credit_applied,
                      reason=f"Credit returned by voided invoice {invoice.number}",
                      expires_at=expires_at)
