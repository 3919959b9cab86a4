"""Retention of finished jobs on a real database: done jobs older than the retention
period are deleted, in batches of the configured size; recent ones, failed ones within
their longer period, and queued or running jobs stay; the worker purges on its own
schedule; `folio jobs purge` does it on demand.

Clocks are frozen around T (2001), long before any other test's jobs finished, so a
purge here only reaches this module's jobs; each test deletes its own jobs afterwards."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from sqlalchemy import delete, update
from typer.testing import CliRunner

from folio.cli.main import app
from folio.config import Settings
from folio.db.engine import Database
from folio.db.models import Job
from folio.services.jobs import enqueue
from folio.worker.registry import Registry
from folio.worker.retention import DAY, RetentionPolicy, count_expired, purge_finished
from tests.integration.test_worker import jobs_of, worker

T = 1_000_000_000


@pytest.fixture
def kind(db: Database) -> Iterator[str]:
    kind = f"test.retention.{uuid.uuid4().hex[:12]}"
    yield kind
    with db.transaction() as session:
        session.execute(delete(Job).where(Job.kind == kind))


def add(db: Database, kind: str, state: str, *, age_days: float, n: int = 1) -> None:
    """`n` jobs in `state`; a finished one finished `age_days` before T, a queued or
    running one was created then (and has never finished)."""
    at = int(T - age_days * DAY)
    with db.transaction() as session:
        for _ in range(n):
            key = f"{kind}:{uuid.uuid4().hex}"
            assert enqueue(session, kind, dedupe_key=key, run_at=at, now=at)
            finished = at if state in ("done", "failed") else None
            lease = at + 300 if state == "running" else None
            session.execute(update(Job).where(Job.dedupe_key == key).values(
                state=state, finished_at=finished, lease_expires_at=lease,
                lease_owner="w" if state == "running" else None))


def states(db: Database, kind: str) -> list[tuple[str, int]]:
    """(state, age in whole days at T) of the kind's jobs, sorted."""
    return sorted((j.state, (T - (j.finished_at or j.created)) // DAY)
                  for j in jobs_of(db, kind))


POLICY = RetentionPolicy(done_days=30, failed_days=90, batch_size=500)


class TestPurge:
    def test_old_done_jobs_go_and_everything_else_stays(self, db: Database,
                                                        kind: str) -> None:
        add(db, kind, "done", age_days=31, n=2)
        add(db, kind, "done", age_days=29)
        add(db, kind, "failed", age_days=31)  # failed jobs are kept longer
        add(db, kind, "failed", age_days=91)
        add(db, kind, "queued", age_days=400)  # never finished: never purged
        add(db, kind, "running", age_days=400)
        assert count_expired(db, T, POLICY) == {"done": 2, "failed": 1}
        assert purge_finished(db, T, POLICY) == {"done": 2, "failed": 1}
        assert states(db, kind) == [("done", 29), ("failed", 31), ("queued", 400),
                                    ("running", 400)]
        assert purge_finished(db, T, POLICY) == {"done": 0, "failed": 0}

    def test_the_boundary_is_exclusive(self, db: Database, kind: str) -> None:
        add(db, kind, "done", age_days=30)  # finished exactly 30 days ago: kept
        add(db, kind, "done", age_days=30 + 1 / DAY)
        assert purge_finished(db, T, POLICY)["done"] == 1
        assert states(db, kind) == [("done", 30)]

    def test_batches_are_the_configured_size(self, db: Database, kind: str) -> None:
        add(db, kind, "done", age_days=40, n=7)
        batches: list[tuple[str, int]] = []
        policy = dataclasses.replace(POLICY, batch_size=3)
        purged = purge_finished(db, T, policy,
                                on_batch=lambda state, n: batches.append((state, n)))
        assert batches == [("done", 3), ("done", 3), ("done", 1)]
        assert purged["done"] == 7
        assert jobs_of(db, kind) == []

    def test_max_batches_leaves_the_rest_for_later(self, db: Database, kind: str) -> None:
        add(db, kind, "done", age_days=40, n=7)
        policy = dataclasses.replace(POLICY, batch_size=3)
        assert purge_finished(db, T, policy, max_batches=2)["done"] == 6
        assert len(jobs_of(db, kind)) == 1
        assert purge_finished(db, T, policy, max_batches=2)["done"] == 1
        assert jobs_of(db, kind) == []

    def test_zero_days_keeps_jobs_for_good(self, db: Database, kind: str) -> None:
        add(db, kind, "done", age_days=4000)
        add(db, kind, "failed", age_days=4000)
        keep_failed = RetentionPolicy(done_days=30, failed_days=0)
        assert purge_finished(db, T, keep_failed) == {"done": 1}
        assert states(db, kind) == [("failed", 4000)]
        assert purge_finished(db, T, RetentionPolicy(done_days=0, failed_days=0)) == {}

    def test_a_purged_key_may_be_enqueued_again(self, db: Database, kind: str) -> None:
        with db.transaction() as session:
            assert enqueue(session, kind, dedupe_key=f"{kind}:k", run_at=T, now=T)
            session.execute(update(Job).where(Job.kind == kind).values(
                state="done", finished_at=T - 31 * DAY))
        purge_finished(db, T, POLICY)
        with db.transaction() as session:
            assert enqueue(session, kind, dedupe_key=f"{kind}:k", run_at=T, now=T)


class TestWorker:
    def test_a_tick_purges_then_waits_for_the_next_purge(
            self, db: Database, settings: Settings, kind: str) -> None:
        add(db, kind, "done", age_days=31, n=3)
        add(db, kind, "done", age_days=1)
        clock = {"now": T}
        short = dataclasses.replace(settings, job_retention_days=30, job_purge_batch=2)
        w = worker(db, short, Registry(), clock=lambda: clock["now"])
        assert w.tick().purged == 3
        assert states(db, kind) == [("done", 1)]
        add(db, kind, "done", age_days=31)
        assert w.tick().purged == 0  # the next purge is due in five minutes
        clock["now"] = T + w.purge_every_seconds
        assert w.tick().purged == 1
        assert w.totals.purged == 4

    def test_the_settings_decide(self, db: Database, settings: Settings,
                                 kind: str) -> None:
        add(db, kind, "done", age_days=31)
        add(db, kind, "failed", age_days=31)
        longer = dataclasses.replace(settings, job_retention_days=60,
                                     failed_job_retention_days=20)
        assert worker(db, longer, Registry(), clock=lambda: T).tick().purged == 1
        assert states(db, kind) == [("done", 31)]


class TestSettings:
    def test_defaults_and_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        s = Settings.from_env()
        assert (s.job_retention_days, s.failed_job_retention_days, s.job_purge_batch) == (
            30, 90, 500)
        monkeypatch.setenv("FOLIO_JOB_RETENTION_DAYS", "7")
        monkeypatch.setenv("FOLIO_FAILED_JOB_RETENTION_DAYS", "0")
        monkeypatch.setenv("FOLIO_JOB_PURGE_BATCH", "50")
        s = Settings.from_env()
        assert (s.job_retention_days, s.failed_job_retention_days, s.job_purge_batch) == (
            7, 0, 50)
        assert RetentionPolicy.from_settings(s).cutoffs(T) == {"done": T - 7 * DAY}

    @pytest.mark.parametrize(("name", "value"), [("FOLIO_JOB_RETENTION_DAYS", "-1"),
                                                 ("FOLIO_JOB_RETENTION_DAYS", "a week"),
                                                 ("FOLIO_JOB_PURGE_BATCH", "0")])
    def test_bad_values_are_refused(self, monkeypatch: pytest.MonkeyPatch, name: str,
                                    value: str) -> None:
        monkeypatch.setenv(name, value)
        with pytest.raises(ValueError, match=name):
            Settings.from_env()


class TestCli:
    def test_purge_counts_then_deletes(self, db: Database, database_url: str, kind: str,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
        add(db, kind, "done", age_days=31, n=5)
        add(db, kind, "done", age_days=2)
        add(db, kind, "failed", age_days=31)
        add(db, kind, "queued", age_days=100)
        monkeypatch.setenv("FOLIO_DATABASE_URL", database_url)
        monkeypatch.setattr("folio.cli.jobs.time", SimpleNamespace(time=lambda: T))
        dry = CliRunner().invoke(app, ["jobs", "purge", "--dry-run"])
        assert dry.exit_code == 0, dry.output
        assert "dry run" in dry.output, dry.output
        assert len(jobs_of(db, kind)) == 8
        result = CliRunner().invoke(app, ["jobs", "purge", "--batch-size", "2",
                                          "--failed-older-than", "30"])
        assert result.exit_code == 0, result.output
        assert "deleted" in result.output, result.output
        rows = {line.split("│")[1].strip(): line.split("│")[3].strip()
                for line in result.output.splitlines() if line.count("│") == 4}
        assert (rows["done"], rows["failed"]) == ("5", "1"), result.output
        assert states(db, kind) == [("done", 2), ("queued", 100)]

    def test_zero_keeps_a_state(self, db: Database, database_url: str, kind: str,
                                monkeypatch: pytest.MonkeyPatch) -> None:
        add(db, kind, "done", age_days=31)
        monkeypatch.setenv("FOLIO_DATABASE_URL", database_url)
        monkeypatch.setattr("folio.cli.jobs.time", SimpleNamespace(time=lambda: T))
        result = CliRunner().invoke(app, ["jobs", "purge", "--older-than", "0"])
        assert result.exit_code == 0, result.output
        assert "kept for good" in result.output, result.output
        assert states(db, kind) == [("done", 31)]
