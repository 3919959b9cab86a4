"""What a customer may use of its credit balance now, per currency: the remaining credit
of its grants that are neither revoked nor expired. One grouped query for a page of
customers; the customer view shows it."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, or_, select

from folio.db.models import CreditGrant, Customer
from folio.services.context import Ctx
from folio.services.views import View, customer_view


def balances(ctx: Ctx, customer_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """customer id -> {currency: available minor units}; customers without usable credit
    are absent."""
    if not customer_ids:
        return {}
    now = ctx.now()
    rows = ctx.session.execute(
        select(CreditGrant.customer_id, CreditGrant.currency, func.sum(CreditGrant.remaining))
        .where(CreditGrant.account_id == ctx.account_id,
               CreditGrant.livemode == ctx.livemode,
               CreditGrant.customer_id.in_(list(customer_ids)),
               CreditGrant.revoked_at.is_(None), CreditGrant.remaining > 0,
               or_(CreditGrant.expires_at.is_(None), CreditGrant.expires_at > now))
        .group_by(CreditGrant.customer_id, CreditGrant.currency)
        .execution_options(autoflush=False)).all()
    out: dict[int, dict[str, int]] = {}
    for customer_id, currency, amount in rows:
        out.setdefault(int(customer_id), {})[str(currency)] = int(amount)
    return out


def customer_out(ctx: Ctx, customer: Customer) -> View:
    return customer_view(customer, credit_balance=balances(ctx, [customer.id]).get(
        customer.id, {}))


def customers_out(ctx: Ctx, customers: Sequence[Customer]) -> list[View]:
    found = balances(ctx, [c.id for c in customers])
    return [customer_view(c, credit_balance=found.get(c.id, {})) for c in customers]
