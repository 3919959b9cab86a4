"""Leasing jobs from the database.

A claim is one short write transaction: it picks the oldest due job (queued and due, or
running with an expired lease), marks it running under this worker's lease and counts the
attempt. PostgreSQL skips rows another claimer holds (`FOR UPDATE SKIP LOCKED`); SQLite
serialises claimers on the database write lock (the write transaction begins with
`BEGIN IMMEDIATE`, see db/engine.py). Completion is an UPDATE guarded by the lease, run
in the handler's own transaction, so a worker that lost its lease rolls its work back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import BindParameter, Table, and_, bindparam, func, select, update
from sqlalchemy.orm import Session

from folio.db.engine import Database
from folio.db.models import Job

JOBS = cast(Table, Job.__table__)
ERROR_LIMIT = 4000


class LeaseLost(Exception):
    """Another worker took the job over (this worker's lease had expired)."""


@dataclass(frozen=True)
class ClaimedJob:
    id: int
    kind: str
    dedupe_key: str
    payload: dict[str, Any]
    attempt: int  # 1 for the first run
    max_attempts: int
    backoff_seconds: int
    lease_owner: str
    lease_expires_at: int

    def retry_delay(self) -> int:
        """Exponential backoff: base, 2 x base, 4 x base, ..."""
        return int(self.backoff_seconds * 2 ** (self.attempt - 1))


_RETURNED = (JOBS.c.id, JOBS.c.kind, JOBS.c.dedupe_key, JOBS.c.payload, JOBS.c.attempts,
             JOBS.c.max_attempts, JOBS.c.backoff_seconds, JOBS.c.lease_owner,
             JOBS.c.lease_expires_at)


def _claimed(row: Any) -> ClaimedJob:
    return ClaimedJob(id=int(row[0]), kind=row[1], dedupe_key=row[2], payload=row[3] or {},
                      attempt=int(row[4]), max_attempts=int(row[5]),
                      backoff_seconds=int(row[6]), lease_owner=row[7],
                      lease_expires_at=int(row[8]))


def _claim_statement(expired: bool) -> Any:
    """Built once: the oldest queued due job (or running job with an expired lease) of
    the given kinds, marked running under the caller's lease."""
    kinds: BindParameter[str] = bindparam("kinds", expanding=True)
    if expired:
        condition = and_(JOBS.c.state == "running",
                         JOBS.c.lease_expires_at <= bindparam("now"),
                         JOBS.c.attempts < JOBS.c.max_attempts, JOBS.c.kind.in_(kinds))
        order = JOBS.c.lease_expires_at
    else:
        condition = and_(JOBS.c.state == "queued", JOBS.c.run_at <= bindparam("now"),
                         JOBS.c.kind.in_(kinds))
        order = JOBS.c.run_at
    candidate = (select(JOBS.c.id).where(condition).order_by(order, JOBS.c.id).limit(1)
                 .with_for_update(skip_locked=True).scalar_subquery())
    return (update(JOBS).where(JOBS.c.id == candidate)
            .values(state="running", lease_owner=bindparam("owner"),
                    lease_expires_at=bindparam("until"), attempts=JOBS.c.attempts + 1,
                    updated=bindparam("now"))
            .returning(*_RETURNED))


_CLAIM_QUEUED = _claim_statement(expired=False)
_CLAIM_EXPIRED = _claim_statement(expired=True)


def claim(db: Database, kinds: Sequence[str], owner: str, now: int,
          lease_seconds: int) -> ClaimedJob | None:
    """Leases the oldest due job of one of `kinds` to `owner` (a queued job whose time has
    come, else a running one whose lease expired), or returns None. Two queries, each one
    an index range (state, run_at) / (state, lease_expires_at): done jobs are never
    scanned."""
    if not kinds:
        return None
    params = {"kinds": list(kinds), "now": now, "owner": owner, "until": now + lease_seconds}
    with db.transaction() as session:
        for stmt in (_CLAIM_QUEUED, _CLAIM_EXPIRED):
            row = session.execute(stmt, params).first()
            if row is not None:
                return _claimed(row)
        return None


_COMPLETE = (
    update(JOBS).where(JOBS.c.id == bindparam("job"), JOBS.c.state == "running",
                       JOBS.c.lease_owner == bindparam("owner"),
                       JOBS.c.attempts == bindparam("attempt"))
    .values(state="done", lease_owner=None, lease_expires_at=None,
            finished_at=bindparam("now"), updated=bindparam("now")))


def complete(session: Session, job: ClaimedJob, now: int) -> None:
    """Marks the job done in `session` (the handler's transaction): both commit together.
    Raises LeaseLost when the job is no longer this lease's."""
    result = session.execute(_COMPLETE, {"job": job.id, "owner": job.lease_owner,
                                         "attempt": job.attempt, "now": now})
    if getattr(result, "rowcount", 0) != 1:
        raise LeaseLost(f"job {job.id} is no longer leased to {job.lease_owner}")


def extend(db: Database, job: ClaimedJob, until: int) -> None:
    """Moves the lease's end to `until` (a long handler's heartbeat), in a transaction of
    its own. Raises LeaseLost when the job is no longer this lease's."""
    with db.transaction() as session:
        result = session.execute(
            update(JOBS).where(JOBS.c.id == job.id, JOBS.c.state == "running",
                               JOBS.c.lease_owner == job.lease_owner,
                               JOBS.c.attempts == job.attempt)
            .values(lease_expires_at=until))
        if getattr(result, "rowcount", 0) != 1:
            raise LeaseLost(f"job {job.id} is no longer leased to {job.lease_owner}")


def fail(session: Session, job: ClaimedJob, now: int, error: str, *,
         permanent: bool = False) -> str | None:
    """Records a failed attempt: queued again after the backoff, or failed for good after
    the last attempt (or at once when `permanent`). Returns the new state, or None when
    the lease was lost (another worker owns the job now)."""
    final = permanent or job.attempt >= job.max_attempts
    state = "failed" if final else "queued"
    values: dict[str, Any] = {"state": state, "lease_owner": None, "lease_expires_at": None,
                              "last_error": error[:ERROR_LIMIT], "updated": now}
    if final:
        values["finished_at"] = now
    else:
        values["run_at"] = now + job.retry_delay()
    result = session.execute(
        update(JOBS).where(JOBS.c.id == job.id, JOBS.c.state == "running",
                           JOBS.c.lease_owner == job.lease_owner,
                           JOBS.c.attempts == job.attempt).values(**values))
    return state if getattr(result, "rowcount", 0) == 1 else None


def expired_at_last_attempt(session: Session, kinds: Sequence[str], now: int,
                            limit: int = 100) -> list[ClaimedJob]:
    """Running jobs whose lease expired after their last attempt (the worker died on
    it): locked for the caller, which fails them."""
    rows = session.execute(
        select(*_RETURNED).where(
            JOBS.c.kind.in_(list(kinds)), JOBS.c.state == "running",
            JOBS.c.lease_expires_at <= now, JOBS.c.attempts >= JOBS.c.max_attempts)
        .order_by(JOBS.c.id).limit(limit).with_for_update(skip_locked=True)).all()
    return [_claimed(row) for row in rows]


def counts_by_state(db: Database, now: int) -> tuple[dict[str, int], int]:
    """Jobs per state, and how many queued jobs are due now (the backlog)."""
    with db.transaction(write=False) as session:
        rows = session.execute(select(JOBS.c.state, func.count()).group_by(JOBS.c.state))
        counts = {str(state): int(n) for state, n in rows}
        due = session.execute(select(func.count()).where(
            JOBS.c.state == "queued", JOBS.c.run_at <= now)).scalar_one()
    return counts, int(due)
