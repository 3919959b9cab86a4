"""The credit balance under concurrency and over time, on a real database: finalizations
racing for the same grants never apply more than was granted, a revocation racing them
never takes what was applied, and expiry follows the clock."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TypeVar

from sqlalchemy import func, select

from folio.db.engine import Database
from folio.db.models import Account, CreditApplication, CreditGrant, Invoice
from folio.domain.errors import DomainError
from folio.services import credit_balance, customers, invoices, lifecycle
from folio.services.balances import balances
from folio.services.context import Ctx
from folio.services.inputs.customers import CustomerCreate
from folio.services.inputs.invoices import InvoiceCreate
from folio.services.inputs.payments import CreditGrantCreate
from tests.conftest import Tenant
from tests.integration.test_concurrency import NOW, all_ok, race

T = TypeVar("T")


def in_tx(db: Database, tenant: Tenant, fn: Callable[[Ctx], T], at: int = NOW) -> T:
    with db.transaction() as session:
        account = session.get(Account, tenant.keys.account.id)
        assert account is not None
        return fn(Ctx(session=session, account=account, livemode=False, clock=lambda: at))


def setup(db: Database, tenant: Tenant, grants: list[int], drafts: int, unit_amount: int,
          expires_at: int | None = None) -> tuple[str, list[str], list[str]]:
    def run(ctx: Ctx) -> tuple[str, list[str], list[str]]:
        customer = customers.create_customer(ctx, CustomerCreate(name="Ada")).public_id
        made = [credit_balance.grant_credit(ctx, customer, CreditGrantCreate(
            amount=a, currency="eur", expires_at=expires_at)).public_id for a in grants]
        data = InvoiceCreate.model_validate({
            "customer": customer, "currency": "eur", "apply_credit_balance": True,
            "lines": [{"description": "Plan", "unit_amount": unit_amount}]})
        ids = [invoices.create_invoice(ctx, data).public_id for _ in range(drafts)]
        return customer, made, ids
    return in_tx(db, tenant, run)


def finalize(db: Database, tenant: Tenant, invoice_id: str) -> int:
    return in_tx(db, tenant, lambda ctx: lifecycle.finalize_invoice(ctx, invoice_id)
                 .credit_applied)


def ledger(db: Database, tenant: Tenant, customer: str
           ) -> tuple[dict[str, tuple[int, int, int]], dict[str, int], int]:
    """Per grant (amount, remaining, revoked); applied per grant from the applications;
    the credit the invoices record."""
    with db.transaction(write=False) as session:
        rows = session.scalars(select(CreditGrant).where(
            CreditGrant.account_id == tenant.keys.account.id)).all()
        grants = {g.public_id: (g.amount, g.remaining, g.revoked_amount) for g in rows
                  if g.customer.public_id == customer}
        applied = {public_id: int(total) for public_id, total in session.execute(
            select(CreditGrant.public_id, func.sum(CreditApplication.amount))
            .join(CreditApplication, CreditApplication.grant_id == CreditGrant.id)
            .where(CreditGrant.public_id.in_(list(grants)))
            .group_by(CreditGrant.public_id))}
        on_invoices = session.scalar(select(func.coalesce(func.sum(Invoice.credit_applied), 0))
                                     .where(Invoice.account_id == tenant.keys.account.id))
    return grants, applied, int(on_invoices or 0)


def test_racing_finalizes_never_over_apply(db: Database, tenant: Tenant) -> None:
    customer, made, drafts = setup(db, tenant, [5_000, 4_000, 1_500], drafts=8,
                                   unit_amount=3_000)
    results = all_ok(race([partial(finalize, db, tenant, d) for d in drafts]))
    # 10500 of credit over 8 x 3000: exactly all of it applied, no invoice over its amount
    assert sum(results) == 10_500
    assert all(0 <= r <= 3_000 for r in results)
    assert sorted(results) == [0, 0, 0, 0, 1_500, 3_000, 3_000, 3_000]
    grants, applied, on_invoices = ledger(db, tenant, customer)
    assert on_invoices == 10_500
    for gid in made:
        amount, remaining, revoked = grants[gid]
        assert (remaining, revoked, applied[gid]) == (0, 0, amount)


def test_racing_finalizes_and_a_revocation(db: Database, tenant: Tenant) -> None:
    customer, (gid,), drafts = setup(db, tenant, [10_000], drafts=6, unit_amount=3_000)

    def revoke() -> int:
        return in_tx(db, tenant, lambda ctx: credit_balance.revoke_grant(
            ctx, customer, gid).revoked_amount)

    workers: list[Callable[[], int]] = [partial(finalize, db, tenant, d) for d in drafts]
    results = race([*workers[:3], revoke, *workers[3:]])
    assert not [r for r in results if isinstance(r, BaseException)
                and not isinstance(r, DomainError)]
    revoked = results[3]
    assert isinstance(revoked, int)
    finalized = [r for i, r in enumerate(results) if i != 3]
    assert all(isinstance(r, int) for r in finalized)
    grants, applied, on_invoices = ledger(db, tenant, customer)
    amount, remaining, revoked_amount = grants[gid]
    # what was applied before the revocation stays; the rest was revoked; nothing twice
    assert remaining == 0
    assert revoked_amount == revoked
    assert applied.get(gid, 0) == on_invoices == sum(r for r in finalized if isinstance(r, int))
    assert applied.get(gid, 0) + revoked_amount == amount == 10_000


def test_expiry_follows_the_clock(db: Database, tenant: Tenant) -> None:
    expires = NOW + 100
    customer, (gid,), (first, second) = setup(db, tenant, [1_000], drafts=2,
                                              unit_amount=600, expires_at=expires)
    at_end = in_tx(db, tenant, lambda ctx: lifecycle.finalize_invoice(ctx, first)
                   .credit_applied, at=expires - 1)
    assert at_end == 600

    def balance_at(at: int) -> dict[str, int]:
        def run(ctx: Ctx) -> dict[str, int]:
            cus = customers.get_customer(ctx, customer)
            return balances(ctx, [cus.id]).get(cus.id, {})
        return in_tx(db, tenant, run, at=at)

    assert balance_at(expires - 1) == {"eur": 400}
    assert balance_at(expires) == {}
    after = in_tx(db, tenant, lambda ctx: lifecycle.finalize_invoice(ctx, second)
                  .credit_applied, at=expires)
    assert after == 0
    status = in_tx(db, tenant, lambda ctx: credit_balance.get_grant(ctx, customer, gid)
                   .remaining, at=expires)
    assert status == 400  # unallocated, but expired: never applied again
