"""Automatic collection on a real database with a frozen clock: charge at finalize,
decline then retries on the dunning schedule, recovery, exhaustion, and collectors that
race without ever charging twice."""

from __future__ import annotations

import pytest

from folio.db.engine import Database
from folio.db.repository import Page
from folio.services import account_settings, collection, collection_hooks, payment_methods
from folio.services.context import Ctx
from folio.services.inputs.account import AccountUpdate
from folio.services.inputs.collection import PaymentMethodAttach
from tests.conftest import Tenant
from tests.integration.collection_helpers import (
    DAY,
    T0,
    attempts,
    customer_with,
    draft,
    event_types,
    in_tx,
    invoice_row,
)
from tests.integration.test_concurrency import race


def finalize(db: Database, tenant: Tenant, invoice_id: str, at: int = T0) -> None:
    in_tx(db, tenant, lambda ctx: collection.finalize_and_collect(ctx, invoice_id).id, at)


def declined_invoice(db: Database, tenant: Tenant, token: str = "pm_card_chargeDeclined"
                     ) -> tuple[str, str]:
    customer = customer_with(db, tenant, token)
    invoice_id = draft(db, tenant, customer)
    finalize(db, tenant, invoice_id)
    return customer, invoice_id


class TestFirstAttempt:
    def test_success_pays_once(self, db: Database, tenant: Tenant) -> None:
        invoice_id = draft(db, tenant, customer_with(db, tenant, "pm_card_visa"))
        finalize(db, tenant, invoice_id)
        row = invoice_row(db, invoice_id)
        assert (row.status, row.amount_paid, row.attempt_count) == ("paid", 10_000, 1)
        assert attempts(db, invoice_id) == [("succeeded", None, T0)]
        assert event_types(db, invoice_id) == ["invoice.created", "invoice.finalized",
                                               "invoice.payment_succeeded", "invoice.paid"]

    def test_requires_action_is_a_failed_attempt(self, db: Database, tenant: Tenant) -> None:
        _, invoice_id = declined_invoice(db, tenant, "pm_card_authenticationRequired")
        row = invoice_row(db, invoice_id)
        assert (row.status, row.attempt_count, row.next_payment_attempt) == (
            "open", 1, T0 + DAY)
        assert attempts(db, invoice_id) == [("requires_action", "authentication_required",
                                             T0)]

    def test_collecting_again_before_the_retry_is_due_does_nothing(
            self, db: Database, tenant: Tenant) -> None:
        _, invoice_id = declined_invoice(db, tenant)
        result = in_tx(db, tenant, lambda ctx: collection.collect_invoice(ctx, invoice_id),
                       T0 + DAY - 1)
        assert (result.outcome, result.reason) == ("skipped", "no_attempt_due")
        assert len(attempts(db, invoice_id)) == 1


class TestDunning:
    def test_decline_retry_on_schedule_then_recovery(self, db: Database,
                                                     tenant: Tenant) -> None:
        customer, invoice_id = declined_invoice(db, tenant)
        # day 1: declined again; the next retry is 3 days after the first failure
        collection.run_payment_retries(db, T0 + DAY)
        row = invoice_row(db, invoice_id)
        assert (row.status, row.attempt_count, row.next_payment_attempt) == (
            "open", 2, T0 + 3 * DAY)
        # nothing is due on day 2
        collection.run_payment_retries(db, T0 + 2 * DAY)
        assert invoice_row(db, invoice_id).attempt_count == 2

        def new_card(ctx: Ctx) -> None:
            payment_methods.attach(ctx, customer, PaymentMethodAttach(
                token="pm_card_visa", set_default=True))

        in_tx(db, tenant, new_card, T0 + 2 * DAY)
        recovered: list[str] = []
        unhook = collection_hooks.on_payment_succeeded(
            lambda ctx, invoice: recovered.append(invoice.public_id)
            if invoice.public_id == invoice_id else None)
        try:
            collection.run_payment_retries(db, T0 + 3 * DAY)
        finally:
            unhook()
        row = invoice_row(db, invoice_id)
        assert (row.status, row.attempt_count, row.amount_paid) == ("paid", 3, 10_000)
        assert row.paid_at == T0 + 3 * DAY
        assert recovered == [invoice_id]
        assert [a[0] for a in attempts(db, invoice_id)] == ["declined", "declined",
                                                            "succeeded"]
        assert event_types(db, invoice_id).count("invoice.payment_failed") == 2

    def test_exhausted_retries_make_it_uncollectible(self, db: Database,
                                                     tenant: Tenant) -> None:
        _, invoice_id = declined_invoice(db, tenant)
        exhausted: list[str] = []
        unhook = collection_hooks.on_retries_exhausted(  # other tests' invoices run too
            lambda ctx, invoice: exhausted.append(invoice.status)
            if invoice.public_id == invoice_id else None)
        try:
            for day in (1, 3, 5, 7):
                assert invoice_row(db, invoice_id).next_payment_attempt == T0 + day * DAY
                collection.run_payment_retries(db, T0 + day * DAY)
        finally:
            unhook()
        row = invoice_row(db, invoice_id)
        assert (row.status, row.attempt_count, row.next_payment_attempt) == (
            "uncollectible", 5, None)
        assert row.marked_uncollectible_at == T0 + 7 * DAY
        assert exhausted == ["uncollectible"]
        assert [a[2] for a in attempts(db, invoice_id)] == [
            T0, T0 + DAY, T0 + 3 * DAY, T0 + 5 * DAY, T0 + 7 * DAY]
        assert event_types(db, invoice_id)[-2:] == ["invoice.payment_failed",
                                                    "invoice.marked_uncollectible"]
        # a later run finds nothing to do for it
        collection.run_payment_retries(db, T0 + 30 * DAY)
        assert len(attempts(db, invoice_id)) == 5

    def test_account_schedule_and_leave_open(self, db: Database, tenant: Tenant) -> None:
        in_tx(db, tenant, lambda ctx: account_settings.update_account(ctx, AccountUpdate(
            dunning_retry_days=[2], dunning_final_action="leave_open")))
        _, invoice_id = declined_invoice(db, tenant, "pm_card_chargeDeclinedInsufficientFunds")
        assert invoice_row(db, invoice_id).next_payment_attempt == T0 + 2 * DAY
        collection.run_payment_retries(db, T0 + 2 * DAY)
        row = invoice_row(db, invoice_id)
        assert (row.status, row.attempt_count, row.next_payment_attempt) == ("open", 2, None)
        assert attempts(db, invoice_id)[-1][1] == "insufficient_funds"

    def test_detached_card_fails_the_retry(self, db: Database, tenant: Tenant) -> None:
        customer, invoice_id = declined_invoice(db, tenant)

        def detach_all(ctx: Ctx) -> None:
            methods, _ = payment_methods.list_methods(ctx, customer, Page())
            for method in methods:
                payment_methods.detach(ctx, customer, method.public_id)

        in_tx(db, tenant, detach_all)
        collection.run_payment_retries(db, T0 + DAY)
        assert attempts(db, invoice_id)[-1][:2] == ("declined", "no_payment_method")


class TestRaces:
    @pytest.mark.parametrize("collectors", [2, 6])
    def test_racing_collectors_charge_once(self, db: Database, tenant: Tenant,
                                           collectors: int) -> None:
        customer = customer_with(db, tenant, None)
        invoice_id = draft(db, tenant, customer)
        finalize(db, tenant, invoice_id)  # no card yet: nothing attempted
        assert invoice_row(db, invoice_id).attempt_count == 0
        in_tx(db, tenant, lambda ctx: payment_methods.attach(
            ctx, customer, PaymentMethodAttach(token="pm_card_visa")))
        results = race([lambda: in_tx(db, tenant, lambda ctx: collection.collect_invoice(
            ctx, invoice_id)) for _ in range(collectors)])
        outcomes = sorted(r.outcome for r in results if not isinstance(r, BaseException))
        assert outcomes == ["skipped"] * (collectors - 1) + ["succeeded"]
        assert attempts(db, invoice_id) == [("succeeded", None, T0)]
        row = invoice_row(db, invoice_id)
        assert (row.status, row.amount_paid) == ("paid", 10_000)

    def test_racing_retry_runs_retry_once(self, db: Database, tenant: Tenant) -> None:
        _, invoice_id = declined_invoice(db, tenant)
        results = race([lambda: collection.run_payment_retries(db, T0 + DAY)
                        for _ in range(4)])
        assert not [r for r in results if isinstance(r, BaseException)]
        assert [a[2] for a in attempts(db, invoice_id)] == [T0, T0 + DAY]
        assert invoice_row(db, invoice_id).attempt_count == 2
