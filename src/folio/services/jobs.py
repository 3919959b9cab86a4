"""Enqueueing jobs inside the caller's transaction (the outbox): a job exists exactly when
the change that asked for it commits. The worker (folio.worker) runs them after commit."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from folio.db.models import Job

_JOBS = cast(Table, Job.__table__)

DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_BACKOFF_SECONDS = 60


def enqueue(session: Session, kind: str, *, dedupe_key: str, run_at: int, now: int,
            payload: dict[str, Any] | None = None,
            max_attempts: int = DEFAULT_MAX_ATTEMPTS,
            backoff_seconds: int = DEFAULT_BACKOFF_SECONDS) -> bool:
    """Adds a job unless one with this dedupe key already exists (then nothing happens).
    Returns whether a job was added. Nothing commits here."""
    values = {
        "kind": kind, "dedupe_key": dedupe_key, "payload": payload or {}, "run_at": run_at,
        "state": "queued", "attempts": 0, "max_attempts": max_attempts,
        "backoff_seconds": backoff_seconds, "created": now, "updated": now,
    }
    bind = session.get_bind()
    insert = pg_insert if bind.dialect.name == "postgresql" else sqlite_insert
    stmt = insert(_JOBS).values(**values).on_conflict_do_nothing(
        index_elements=["dedupe_key"]).returning(_JOBS.c.id)
    with session.no_autoflush:
        return session.execute(stmt).first() is not None
