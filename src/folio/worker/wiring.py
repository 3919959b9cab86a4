"""Everything the worker runs, registered in one place. To plug in more due work, add a
line to `register_builtin`:

    target.add_periodic("billing.run", billing.run_due)          # fn(db, now), every tick
    target.add_job("subscription.bill", billing.bill_one)        # fn(session, run)
"""

from __future__ import annotations

from folio.db.engine import Database
from folio.jobs import billing_run
from folio.services import collection, schedule_runner
from folio.worker import email_jobs
from folio.worker.registry import Registry, registry


def retry_payments(db: Database, now: int) -> None:
    """Automatic charges whose dunning retry is due (one transaction per invoice)."""
    collection.run_payment_retries(db, now)


def issue_recurring_invoices(db: Database, now: int) -> None:
    """Occurrences of recurring schedules that have fallen due (unique per occurrence)."""
    schedule_runner.run_due_schedules(db, now)


def bill_due_subscriptions(db: Database, now: int) -> None:
    """Subscriptions whose period has ended: one invoice per subscription and period
    (the billing_periods constraint), each subscription in its own transaction."""
    billing_run.run_billing(db, now)


def register_builtin(target: Registry = registry) -> Registry:
    email_jobs.register(target)
    target.add_periodic("billing.run", bill_due_subscriptions)
    target.add_periodic("payments.retry", retry_payments)
    target.add_periodic("schedules.run", issue_recurring_invoices)
    return target


def default_registry() -> Registry:
    """The process-wide registry with the built-in handlers (idempotent)."""
    return register_builtin(registry)
