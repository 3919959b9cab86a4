"""Helpers of the collection and schedule tests: services run in one transaction each,
as the API and the worker do, on a clock the test sets."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import TypeVar

from sqlalchemy import select

from folio.db.engine import Database
from folio.db.models import Account, ChargeAttempt, Event, Invoice
from folio.services import customers, invoices, payment_methods
from folio.services.context import Ctx
from folio.services.inputs.collection import PaymentMethodAttach
from folio.services.inputs.customers import CustomerCreate
from folio.services.inputs.invoices import InvoiceCreate
from tests.conftest import Tenant

T = TypeVar("T")
DAY = 86_400
# 2025-03-01T00:00:00Z: long before the wall clock the rest of the suite runs on, so runs
# at these times never reach objects that other tests made with the real clock
T0 = 1_740_787_200


def in_tx(db: Database, tenant: Tenant, fn: Callable[[Ctx], T], at: int = T0) -> T:
    with db.transaction() as session:
        account = session.get(Account, tenant.keys.account.id)
        assert account is not None
        return fn(Ctx(session, account=account, livemode=False, clock=lambda: at))


def customer_with(db: Database, tenant: Tenant, token: str | None) -> str:
    def run(ctx: Ctx) -> str:
        cus = customers.create_customer(ctx, CustomerCreate(name="Grace"))
        if token:
            payment_methods.attach(ctx, cus.public_id, PaymentMethodAttach(token=token))
        return cus.public_id

    return in_tx(db, tenant, run)


def draft(db: Database, tenant: Tenant, customer: str, amount: int = 10_000) -> str:
    data = InvoiceCreate.model_validate({"customer": customer, "currency": "eur",
                                         "lines": [{"unit_amount": amount}]})
    return in_tx(db, tenant, lambda ctx: invoices.create_invoice(ctx, data).public_id)


def invoice_row(db: Database, invoice_id: str) -> SimpleNamespace:
    """The invoice's columns, read in their own transaction."""
    with db.transaction(write=False) as session:
        row = session.scalars(select(Invoice).where(Invoice.public_id == invoice_id)).one()
        return SimpleNamespace(**{c.key: getattr(row, c.key)
                                  for c in Invoice.__mapper__.column_attrs})


def attempts(db: Database, invoice_id: str) -> list[tuple[str, str | None, int]]:
    """(outcome, decline code, created) of the invoice's charge attempts, in order."""
    with db.transaction(write=False) as session:
        invoice = session.scalars(select(Invoice).where(Invoice.public_id == invoice_id)).one()
        rows = session.execute(select(ChargeAttempt.outcome, ChargeAttempt.decline_code,
                                      ChargeAttempt.created)
                               .where(ChargeAttempt.invoice_id == invoice.id)
                               .order_by(ChargeAttempt.id)).all()
    return [(str(o), d, int(c)) for o, d, c in rows]


def event_types(db: Database, object_id: str) -> list[str]:
    with db.transaction(write=False) as session:
        return list(session.scalars(select(Event.type).where(Event.object_id == object_id)
                                    .order_by(Event.id)))
