"""Retention of finished jobs: the worker deletes done jobs after a retention period
(FOLIO_JOB_RETENTION_DAYS, 30) and failed ones after a longer one
(FOLIO_FAILED_JOB_RETENTION_DAYS, 90); queued and running jobs are never touched.

Deletion goes in small batches, each its own short transaction (on SQLite each one holds
the database write lock only for its batch), oldest first, over the index
(state, finished_at), so a purge with nothing to do reads a few index entries.

A purged job's dedupe key can be enqueued again; nothing relies on a finished job for
deduplication (e-mail jobs follow the unique key of their delivery row), see
docs/adr/0014."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, delete, func, select

from folio.config import Settings
from folio.db.engine import Database
from folio.worker.queue import JOBS

DAY = 86_400
PURGED_STATES = ("done", "failed")

# called after each batch with (state, rows deleted in it)
BatchCallback = Callable[[str, int], None]


@dataclass(frozen=True)
class RetentionPolicy:
    """Days a finished job is kept, per state (0 keeps it for good), and the batch size."""

    done_days: int = 30
    failed_days: int = 90
    batch_size: int = 500

    @classmethod
    def from_settings(cls, settings: Settings) -> RetentionPolicy:
        return cls(done_days=settings.job_retention_days,
                   failed_days=settings.failed_job_retention_days,
                   batch_size=settings.job_purge_batch)

    def cutoffs(self, now: int) -> dict[str, int]:
        """Per purged state: jobs that finished before this instant go."""
        days = {"done": self.done_days, "failed": self.failed_days}
        return {state: now - n * DAY for state, n in days.items() if n > 0}


def _expired_ids(limit: Any) -> Any:
    return (select(JOBS.c.id)
            .where(JOBS.c.state == bindparam("state"),
                   JOBS.c.finished_at < bindparam("before"))
            .order_by(JOBS.c.finished_at).limit(limit)
            .with_for_update(skip_locked=True))


# built once: the oldest `batch` expired jobs of one state; rows another transaction
# holds are skipped (PostgreSQL), not waited for
_DELETE_BATCH = delete(JOBS).where(
    JOBS.c.id.in_(_expired_ids(bindparam("batch")).scalar_subquery()))
_COUNT = select(func.count()).where(JOBS.c.state == bindparam("state"),
                                    JOBS.c.finished_at < bindparam("before"))


def delete_batch(db: Database, state: str, before: int, batch_size: int) -> int:
    """Deletes at most `batch_size` jobs in `state` that finished before `before`, in one
    transaction. Returns how many went."""
    with db.transaction() as session:
        result = session.execute(_DELETE_BATCH, {"state": state, "before": before,
                                                 "batch": batch_size})
        return int(getattr(result, "rowcount", 0) or 0)


def count_expired(db: Database, now: int, policy: RetentionPolicy) -> dict[str, int]:
    """How many finished jobs the policy would delete now, per state."""
    with db.transaction(write=False) as session:
        return {state: int(session.execute(_COUNT, {"state": state, "before": before})
                           .scalar_one())
                for state, before in policy.cutoffs(now).items()}


def purge_finished(db: Database, now: int, policy: RetentionPolicy, *,
                   max_batches: int | None = None,
                   on_batch: BatchCallback | None = None,
                   stop: Callable[[], bool] | None = None) -> dict[str, int]:
    """Deletes expired finished jobs batch by batch until none is left, `max_batches`
    have run (the rest waits for the next purge) or `stop()` says so. Returns the number
    deleted per state."""
    purged = dict.fromkeys(policy.cutoffs(now), 0)
    batches = 0
    for state, before in policy.cutoffs(now).items():
        while max_batches is None or batches < max_batches:
            if stop is not None and stop():
                return purged
            n = delete_batch(db, state, before, policy.batch_size)
            batches += 1
            purged[state] += n
            if on_batch is not None and n:
                on_batch(state, n)
            if n < policy.batch_size:
                break
    return purged
