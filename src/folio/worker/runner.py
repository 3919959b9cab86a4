"""The worker loop: on each tick it runs the periodic due-work tasks, purges expired
finished jobs (at most every few minutes, a few batches at a time), fails jobs whose
worker died on their last attempt, then claims and runs due jobs one at a time until none
is due. Each job runs in its own transaction(s); a failure is recorded in a transaction of
its own and never stops the loop."""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from folio.config import Settings
from folio.db.engine import Database
from folio.services.context import system_clock
from folio.worker import queue
from folio.worker.queue import ClaimedJob, LeaseLost
from folio.worker.registry import PermanentJobError, Registry
from folio.worker.retention import RetentionPolicy, purge_finished

log = logging.getLogger("folio.worker")

DEFAULT_LEASE_SECONDS = 300
PURGE_EVERY_SECONDS = 300  # how often a worker looks for expired finished jobs
PURGE_MAX_BATCHES = 20  # per look: the rest waits for the next one, jobs come first


def new_owner_id() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{secrets.token_hex(4)}"


@dataclass
class JobRun:
    """What a handler receives: the leased job, the database, the worker's clock reading
    and the server settings."""

    job: ClaimedJob
    db: Database
    now: int
    settings: Settings
    completed: bool = False

    @property
    def payload(self) -> dict[str, object]:
        return self.job.payload

    def complete(self, session: Session) -> None:
        """Marks the job done inside `session`; raises LeaseLost (rolling the session's
        work back) when another worker has taken the job over."""
        queue.complete(session, self.job, self.now)
        self.completed = True

    def extend_lease(self, now: int, seconds: int = DEFAULT_LEASE_SECONDS) -> None:
        """For a handler that works longer than its lease: keeps the job its own until
        `now + seconds` (call it between chunks of work). Raises LeaseLost when another
        worker has taken the job over."""
        queue.extend(self.db, self.job, now + seconds)


@dataclass
class TickStats:
    done: int = 0
    retried: int = 0
    failed: int = 0
    lost: int = 0
    purged: int = 0  # expired finished jobs deleted (not counted in `ran`)

    @property
    def ran(self) -> int:
        return self.done + self.retried + self.failed + self.lost


@dataclass
class Worker:
    db: Database
    settings: Settings
    registry: Registry
    clock: Callable[[], int] = system_clock
    owner: str = field(default_factory=new_owner_id)
    lease_seconds: int = DEFAULT_LEASE_SECONDS
    stop: threading.Event = field(default_factory=threading.Event)
    last_tick: int | None = None
    totals: TickStats = field(default_factory=TickStats)
    purge_every_seconds: int = PURGE_EVERY_SECONDS
    next_purge: int | None = None  # the worker's clock reading; None: on the next tick

    def tick(self) -> TickStats:
        """Periodic tasks, then every due job until none is due (or a stop is asked)."""
        stats = TickStats()
        self._run_periodic()
        self._purge_expired(stats)
        self._fail_abandoned(stats)
        while not self.stop.is_set():
            job = queue.claim(self.db, self.registry.kinds, self.owner, self.clock(),
                              self.lease_seconds)
            if job is None:
                break
            self.run_job(job, stats)
        self.last_tick = self.clock()
        for name in ("done", "retried", "failed", "lost", "purged"):
            setattr(self.totals, name, getattr(self.totals, name) + getattr(stats, name))
        return stats

    def run_forever(self, poll_seconds: float) -> None:
        log.info("worker started", extra={"fields": {
            "owner": self.owner, "kinds": list(self.registry.kinds),
            "periodic": list(self.registry.periodic), "poll_seconds": poll_seconds}})
        while not self.stop.is_set():
            try:
                self.tick()
            except Exception:  # the database went away, ...: log, wait, try again
                log.exception("worker tick failed", extra={"fields": {"owner": self.owner}})
            self.stop.wait(poll_seconds)
        log.info("worker stopped", extra={"fields": {"owner": self.owner}})

    def start_thread(self, poll_seconds: float) -> threading.Thread:
        thread = threading.Thread(target=self.run_forever, args=(poll_seconds,),
                                  name="folio-worker", daemon=True)
        thread.start()
        return thread

    def run_job(self, job: ClaimedJob, stats: TickStats) -> None:
        spec = self.registry.handlers[job.kind]
        run = JobRun(job=job, db=self.db, now=self.clock(), settings=self.settings)
        fields = {"job": job.id, "kind": job.kind, "attempt": job.attempt,
                  "owner": self.owner}
        try:
            spec.run(run)
            if not run.completed:
                with self.db.transaction() as session:
                    run.complete(session)
        except LeaseLost:
            stats.lost += 1
            log.warning("job lease lost", extra={"fields": fields})
            return
        except Exception as exc:
            permanent = isinstance(exc, PermanentJobError)
            error = f"{type(exc).__name__}: {exc}"
            state = self._record_failure(run, error, permanent)
            if state == "failed":
                stats.failed += 1
            elif state == "queued":
                stats.retried += 1
            else:
                stats.lost += 1
            log.warning("job failed", extra={"fields": {
                **fields, "error": error, "state": state,
                "trace": "".join(traceback.format_exception(exc)[-3:])}})
            return
        stats.done += 1
        log.info("job done", extra={"fields": fields})

    def _record_failure(self, run: JobRun, error: str, permanent: bool) -> str | None:
        hook = self.registry.handlers[run.job.kind].on_failure
        with self.db.transaction() as session:
            state = queue.fail(session, run.job, self.clock(), error, permanent=permanent)
            if state is not None and hook is not None:
                hook(session, run, error, state == "failed")
            return state

    def _fail_abandoned(self, stats: TickStats) -> None:
        """A job whose worker died during its last attempt ends failed."""
        kinds = self.registry.kinds
        if not kinds:
            return
        now = self.clock()
        with self.db.transaction() as session:
            for job in queue.expired_at_last_attempt(session, kinds, now):
                run = JobRun(job=job, db=self.db, now=now, settings=self.settings)
                error = "the lease expired during the last attempt (the worker stopped)"
                if queue.fail(session, job, now, error, permanent=True) is None:
                    continue
                hook = self.registry.handlers[job.kind].on_failure
                if hook is not None:
                    hook(session, run, error, True)
                stats.failed += 1

    def _purge_expired(self, stats: TickStats) -> None:
        """Deletes finished jobs past their retention (worker/retention.py), in short
        batches; a failure is logged and tried again at the next purge."""
        now = self.clock()
        if self.next_purge is not None and now < self.next_purge:
            return
        self.next_purge = now + self.purge_every_seconds
        try:
            purged = purge_finished(self.db, now, RetentionPolicy.from_settings(self.settings),
                                    max_batches=PURGE_MAX_BATCHES, stop=self.stop.is_set)
        except Exception:
            log.exception("job purge failed", extra={"fields": {"owner": self.owner}})
            return
        stats.purged += sum(purged.values())
        if stats.purged:
            log.info("finished jobs purged", extra={"fields": {
                **{f"purged_{state}": n for state, n in purged.items()},
                "owner": self.owner}})

    def _run_periodic(self) -> None:
        for name, task in self.registry.periodic.items():
            if self.stop.is_set():
                return
            try:
                task(self.db, self.clock())
            except Exception:  # one failing task never stops the others nor the jobs
                log.exception("periodic task failed", extra={"fields": {
                    "task": name, "owner": self.owner}})
