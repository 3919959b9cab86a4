"""The job queue and the e-mail deliveries it carries out.

A job is a row: claimed by one worker at a time under a lease (a crashed worker's lease
expires and another worker takes the job again), retried with exponential backoff up to
its maximum number of attempts, then kept as failed with its last error. Finished jobs
are deleted after their retention period (folio.worker.retention)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from folio.db.base import Base, TenantOwned
from folio.db.models.invoices import Invoice
from folio.db.types import IntPK


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (
        # the claim query: due queued jobs and expired leases, oldest first
        Index("ix_jobs_claim", "state", "run_at"),
        Index("ix_jobs_lease", "state", "lease_expires_at"),
        # retention: the oldest finished jobs of a state (worker/retention.py)
        Index("ix_jobs_finished", "state", "finished_at"),
    )

    id: Mapped[int] = mapped_column(IntPK, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(64))
    # at most one job per key while the job is kept: enqueueing the same key again is a
    # no-op (a finished job past its retention is deleted, and its key with it)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    run_at: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(16), default="queued")  # queued running done failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=5)
    backoff_seconds: Mapped[int] = mapped_column(Integer, default=60)  # doubled per attempt
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_expires_at: Mapped[int | None] = mapped_column(BigInteger)
    last_error: Mapped[str | None] = mapped_column(Text)
    created: Mapped[int] = mapped_column(BigInteger)
    updated: Mapped[int] = mapped_column(BigInteger)
    finished_at: Mapped[int | None] = mapped_column(BigInteger)


class EmailDelivery(TenantOwned, Base):
    """One e-mail about an invoice: the invoice itself (one per `send`) or a reminder
    (one per invoice and offset). Its key makes the Message-ID, so a retried or replayed
    delivery carries the same Message-ID."""

    __tablename__ = "email_deliveries"
    id_prefix = "emd"

    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # invoice | reminder
    key: Mapped[str] = mapped_column(String(120), unique=True)
    offset_days: Mapped[int | None] = mapped_column(Integer)  # reminders: days from due date
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    # scheduled sent failed skipped
    recipients: Mapped[list[Any]] = mapped_column(JSON, default=list)
    scheduled_at: Mapped[int] = mapped_column(BigInteger)
    sent_at: Mapped[int | None] = mapped_column(BigInteger)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str | None] = mapped_column(String(200))  # set when it is sent

    invoice: Mapped[Invoice] = relationship(lazy="joined", innerjoin=True)
