"""What the worker knows how to run: job handlers by kind, and periodic due-work tasks.

    from folio.worker.registry import registry

    # a job handler: runs in one transaction together with the job's completion
    registry.add_job("subscription.bill", bill_subscription)   # fn(session, run)

    # due work called on every tick with (database, now); it opens its own transactions
    registry.add_periodic("billing.run", run_due_billing)      # fn(db, now)

Built-in registrations live in folio.worker.wiring (the one place to add a line)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from folio.db.engine import Database

if TYPE_CHECKING:
    from folio.worker.runner import JobRun

TxHandler = Callable[[Session, "JobRun"], None]
IoHandler = Callable[["JobRun"], None]
# called in the transaction that records a failed attempt: (session, run, error, final)
FailureHook = Callable[[Session, "JobRun", str, bool], None]
PeriodicTask = Callable[[Database, int], None]


class PermanentJobError(Exception):
    """Retrying cannot help (bad payload, nothing configured): the job fails at once."""


@dataclass(frozen=True)
class HandlerSpec:
    kind: str
    run: IoHandler
    on_failure: FailureHook | None = None


@dataclass
class Registry:
    handlers: dict[str, HandlerSpec] = field(default_factory=dict)
    periodic: dict[str, PeriodicTask] = field(default_factory=dict)

    def add_job(self, kind: str, handler: TxHandler, *,
                on_failure: FailureHook | None = None) -> None:
        """A handler whose writes and the job's completion commit in one transaction."""

        def run(job_run: JobRun) -> None:
            with job_run.db.transaction() as session:
                handler(session, job_run)
                job_run.complete(session)

        self.handlers[kind] = HandlerSpec(kind, run, on_failure)

    def add_io_job(self, kind: str, handler: IoHandler, *,
                   on_failure: FailureHook | None = None) -> None:
        """A handler that talks to the outside world (SMTP, HTTP) between transactions of
        its own; it calls `run.complete(session)` in its last one (if it does not, the
        worker completes the job in a transaction of its own after it returns)."""
        self.handlers[kind] = HandlerSpec(kind, handler, on_failure)

    def add_periodic(self, name: str, task: PeriodicTask) -> None:
        """Due work run on every tick of every worker with (database, now). It must be
        safe to run concurrently and repeatedly: enqueue jobs with dedupe keys, or rely on
        unique constraints, rather than doing the work twice."""
        self.periodic[name] = task

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(self.handlers)


registry = Registry()  # the process-wide registry; folio.worker.wiring fills it
