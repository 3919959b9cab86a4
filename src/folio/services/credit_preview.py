"""The customer credit an invoice would draw on if it were finalized at a given time,
applied to an unsaved draft (previews): the same calculation, nothing written."""

from __future__ import annotations

from sqlalchemy import or_
from sqlalchemy.orm import lazyload

from folio.db.models import CreditGrant, Invoice
from folio.db.repository import scoped
from folio.domain import credit_balance as balance
from folio.services.context import Ctx
from folio.services.pricing import apply_totals
from folio.services.views import grant_model


def apply_available_credit(ctx: Ctx, invoice: Invoice, at: int) -> None:
    grants = [grant_model(g) for g in ctx.session.scalars(
        scoped(CreditGrant, ctx.scope)
        .where(CreditGrant.customer_id == invoice.customer.id,
               CreditGrant.currency == invoice.currency,
               CreditGrant.revoked_at.is_(None), CreditGrant.remaining > 0,
               or_(CreditGrant.expires_at.is_(None), CreditGrant.expires_at > at))
        .options(lazyload("*")))]
    apply_totals(ctx, invoice, credit_balance=balance.available(grants, invoice.currency, at))
