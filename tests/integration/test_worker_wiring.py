"""The worker's built-in wiring: one tick of a worker on the built-in registry retries the
automatic charges whose dunning retry is due and issues the recurring invoices that have
fallen due (the same runners the tests of collection and schedules drive directly)."""

from __future__ import annotations

from folio.config import Settings
from folio.db.engine import Database
from folio.services import payment_methods
from folio.services.context import Ctx
from folio.services.inputs.collection import PaymentMethodAttach
from folio.worker.registry import Registry
from folio.worker.runner import Worker
from folio.worker.wiring import register_builtin
from tests.conftest import Tenant
from tests.integration.collection_helpers import DAY, T0, in_tx, invoice_row
from tests.integration.test_collection import declined_invoice
from tests.integration.test_recurring_schedules import create, issued, ts


def test_builtin_registry_names_its_periodic_tasks() -> None:
    assert set(register_builtin(Registry()).periodic) >= {"payments.retry", "schedules.run"}


def test_a_tick_retries_a_due_charge(db: Database, settings: Settings,
                                     tenant: Tenant) -> None:
    customer, invoice_id = declined_invoice(db, tenant)

    def new_card(ctx: Ctx) -> None:
        payment_methods.attach(ctx, customer, PaymentMethodAttach(token="pm_card_visa",
                                                                  set_default=True))

    in_tx(db, tenant, new_card, T0 + DAY // 2)
    Worker(db=db, settings=settings, registry=register_builtin(Registry()),
           clock=lambda: T0 + DAY // 2).tick()
    assert invoice_row(db, invoice_id).status == "open"  # the retry is not due yet
    Worker(db=db, settings=settings, registry=register_builtin(Registry()),
           clock=lambda: T0 + DAY).tick()
    row = invoice_row(db, invoice_id)
    assert (row.status, row.attempt_count) == ("paid", 2)


def test_a_tick_issues_due_recurring_invoices(db: Database, settings: Settings,
                                              tenant: Tenant) -> None:
    start = ts(2025, 4, 1)
    sid = create(db, tenant, start - DAY, start_at=start, frequency={"interval": "month"},
                 count=2)
    worker = Worker(db=db, settings=settings, registry=register_builtin(Registry()),
                    clock=lambda: ts(2025, 4, 2))
    worker.tick()
    worker.tick()  # every tick runs the task again: nothing is issued twice
    assert [n for n, _, _ in issued(db, sid)] == [1]
