"""Everything the worker runs, registered in one place. To plug in more due work, add a
line to `register_builtin`:

    target.add_periodic("billing.run", billing.run_due)          # fn(db, now), every tick
    target.add_job("subscription.bill", billing.bill_one)        # fn(session, run)
"""

from __future__ import annotations

from folio.worker import email_jobs
from folio.worker.registry import Registry, registry


def register_builtin(target: Registry = registry) -> Registry:
    email_jobs.register(target)
    return target


def default_registry() -> Registry:
    """The process-wide registry with the built-in handlers (idempotent)."""
    return register_builtin(registry)
