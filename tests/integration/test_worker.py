"""The job queue on a real database: claims are exclusive (two workers racing run every job
exactly once), an expired lease is claimed again, failures retry with backoff and end
failed with the error kept, a worker that lost its lease rolls its work back.

Every test uses job kinds of its own, so workers never see another test's jobs; clocks are
frozen and advanced by hand."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from folio.config import Settings
from folio.db.engine import Database
from folio.db.models import Job
from folio.services.jobs import enqueue
from folio.worker import queue
from folio.worker.registry import PermanentJobError, Registry
from folio.worker.runner import JobRun, Worker
from tests.integration.test_concurrency import race

NOW = 1_780_000_000


def new_kind() -> str:
    return f"test.{uuid.uuid4().hex[:12]}"


def add_jobs(db: Database, kind: str, n: int, *, max_attempts: int = 5,
             backoff: int = 60, run_at: int = NOW) -> list[str]:
    keys = [f"{kind}:{i}" for i in range(n)]
    with db.transaction() as session:
        for i, key in enumerate(keys):
            assert enqueue(session, kind, dedupe_key=key, run_at=run_at, now=NOW,
                           payload={"i": i}, max_attempts=max_attempts,
                           backoff_seconds=backoff)
    return keys


def jobs_of(db: Database, kind: str) -> list[Job]:
    with db.transaction(write=False) as session:
        jobs = list(session.scalars(select(Job).where(Job.kind == kind).order_by(Job.id)))
        session.expunge_all()  # readable after the read transaction ends
        return jobs


def worker(db: Database, settings: Settings, registry: Registry,
           clock: Callable[[], int] = lambda: NOW, **kw: object) -> Worker:
    return Worker(db=db, settings=settings, registry=registry, clock=clock, **kw)  # type: ignore[arg-type]


class TestEnqueue:
    def test_a_dedupe_key_is_enqueued_once(self, db: Database) -> None:
        kind = new_kind()
        with db.transaction() as session:
            assert enqueue(session, kind, dedupe_key=f"{kind}:a", run_at=NOW, now=NOW)
            assert not enqueue(session, kind, dedupe_key=f"{kind}:a", run_at=NOW, now=NOW)
        with db.transaction() as session:
            assert not enqueue(session, kind, dedupe_key=f"{kind}:a", run_at=NOW, now=NOW)
        assert len(jobs_of(db, kind)) == 1

    def test_a_rolled_back_transaction_enqueues_nothing(self, db: Database) -> None:
        kind = new_kind()
        try:
            with db.transaction() as session:
                enqueue(session, kind, dedupe_key=f"{kind}:a", run_at=NOW, now=NOW)
                raise RuntimeError("the request failed")
        except RuntimeError:
            pass
        assert jobs_of(db, kind) == []


class TestRunning:
    def test_handlers_run_due_jobs_only_in_their_own_transaction(
            self, db: Database, settings: Settings) -> None:
        kind, seen = new_kind(), []
        registry = Registry()
        registry.add_job(kind, lambda session, run: seen.append(run.payload["i"]))
        add_jobs(db, kind, 3)
        add_jobs(db, kind + ".later", 1, run_at=NOW + 100)  # another kind: not ours
        with db.transaction() as session:
            enqueue(session, kind, dedupe_key=f"{kind}:later", run_at=NOW + 100, now=NOW,
                    payload={"i": 3})
        stats = worker(db, settings, registry).tick()
        assert (stats.done, sorted(seen)) == (3, [0, 1, 2])
        states = [j.state for j in jobs_of(db, kind)]
        assert states == ["done", "done", "done", "queued"]
        # the later job runs once its time has come
        worker(db, settings, registry, clock=lambda: NOW + 100).tick()
        assert [j.state for j in jobs_of(db, kind)] == ["done"] * 4
        assert sorted(seen) == [0, 1, 2, 3]

    def test_a_failing_job_retries_with_backoff_then_fails_with_its_error(
            self, db: Database, settings: Settings) -> None:
        kind, clock = new_kind(), {"now": NOW}
        registry = Registry()

        def boom(session: Session, run: JobRun) -> None:
            raise RuntimeError(f"attempt {run.job.attempt} failed")

        registry.add_job(kind, boom)
        add_jobs(db, kind, 1, max_attempts=3, backoff=10)
        w = worker(db, settings, registry, clock=lambda: clock["now"])
        assert w.tick().retried == 1
        (job,) = jobs_of(db, kind)
        assert (job.state, job.attempts, job.run_at) == ("queued", 1, NOW + 10)
        assert w.tick().ran == 0  # not due yet
        clock["now"] = NOW + 10
        assert w.tick().retried == 1
        (job,) = jobs_of(db, kind)
        assert (job.state, job.attempts, job.run_at) == ("queued", 2, NOW + 10 + 20)
        clock["now"] = NOW + 30
        assert w.tick().failed == 1
        (job,) = jobs_of(db, kind)
        assert (job.state, job.attempts) == ("failed", 3)
        assert job.last_error == "RuntimeError: attempt 3 failed"
        clock["now"] = NOW + 10_000
        assert w.tick().ran == 0  # failed for good

    def test_a_permanent_error_fails_at_once_and_the_hook_sees_it(
            self, db: Database, settings: Settings) -> None:
        kind, hooked = new_kind(), []
        registry = Registry()

        def bad(session: Session, run: JobRun) -> None:
            raise PermanentJobError("nothing to do")

        registry.add_job(kind, bad, on_failure=lambda s, run, error, final: hooked.append(
            (error, final)))
        add_jobs(db, kind, 1)
        assert worker(db, settings, registry).tick().failed == 1
        assert hooked == [("PermanentJobError: nothing to do", True)]
        assert jobs_of(db, kind)[0].state == "failed"

    def test_a_handlers_writes_roll_back_with_its_failure(
            self, db: Database, settings: Settings) -> None:
        kind = new_kind()
        registry = Registry()

        def half_done(session: Session, run: JobRun) -> None:
            enqueue(session, kind + ".child", dedupe_key=f"{kind}:child", run_at=NOW,
                    now=NOW)
            raise RuntimeError("after the write")

        registry.add_job(kind, half_done)
        add_jobs(db, kind, 1)
        worker(db, settings, registry).tick()
        assert jobs_of(db, kind + ".child") == []

    def test_periodic_tasks_run_on_every_tick_and_a_failing_one_stops_nothing(
            self, db: Database, settings: Settings) -> None:
        calls: list[tuple[str, int]] = []
        registry = Registry()

        def broken(database: Database, now: int) -> None:
            raise RuntimeError("broken task")

        registry.add_periodic("broken", broken)
        registry.add_periodic("due", lambda database, now: calls.append(("due", now)))
        w = worker(db, settings, registry)
        w.tick()
        w.tick()
        assert calls == [("due", NOW), ("due", NOW)]


class TestLeases:
    def test_an_expired_lease_is_claimed_again_and_the_old_owner_loses(
            self, db: Database, settings: Settings) -> None:
        kind, ran = new_kind(), []
        registry = Registry()
        registry.add_job(kind, lambda session, run: ran.append(run.job.lease_owner))
        add_jobs(db, kind, 1)
        crashed = queue.claim(db, [kind], "crashed-worker", NOW, lease_seconds=300)
        assert crashed is not None
        assert crashed.attempt == 1
        # while the lease holds, nobody else gets the job
        assert worker(db, settings, registry, clock=lambda: NOW + 299).tick().ran == 0
        second = worker(db, settings, registry, clock=lambda: NOW + 300, owner="second")
        assert second.tick().done == 1
        assert ran == ["second"]
        (job,) = jobs_of(db, kind)
        assert (job.state, job.attempts, job.lease_owner) == ("done", 2, None)
        # the first worker wakes up: its completion is refused, its work rolled back
        with pytest.raises(queue.LeaseLost), db.transaction() as session:
            queue.complete(session, crashed, NOW + 301)

    def test_a_long_handler_extends_its_lease_and_keeps_the_job(
            self, db: Database, settings: Settings) -> None:
        kind = new_kind()
        add_jobs(db, kind, 1)
        job = queue.claim(db, [kind], "slow", NOW, lease_seconds=60)
        assert job is not None
        run = JobRun(job=job, db=db, now=NOW, settings=settings)
        run.extend_lease(NOW + 50, seconds=60)  # now leased until NOW + 110
        assert queue.claim(db, [kind], "other", NOW + 100, lease_seconds=60) is None
        assert queue.claim(db, [kind], "other", NOW + 110, lease_seconds=60) is not None
        with pytest.raises(queue.LeaseLost):
            run.extend_lease(NOW + 111)

    def test_a_job_whose_worker_died_on_its_last_attempt_ends_failed(
            self, db: Database, settings: Settings) -> None:
        kind, hooked = new_kind(), []
        registry = Registry()
        registry.add_job(kind, lambda session, run: None,
                         on_failure=lambda s, run, error, final: hooked.append(final))
        add_jobs(db, kind, 1, max_attempts=1)
        assert queue.claim(db, [kind], "dies", NOW, lease_seconds=60) is not None
        stats = worker(db, settings, registry, clock=lambda: NOW + 60).tick()
        assert (stats.failed, hooked) == (1, [True])
        (job,) = jobs_of(db, kind)
        assert job.state == "failed"
        assert "lease expired" in (job.last_error or "")


class TestTwoWorkersRacing:
    def test_every_job_runs_exactly_once(self, db: Database, settings: Settings) -> None:
        kind, n = new_kind(), 60
        runs: Counter[int] = Counter()
        lock = threading.Lock()
        registry = Registry()

        def record(session: Session, run: JobRun) -> None:
            with lock:
                runs[int(str(run.payload["i"]))] += 1

        registry.add_job(kind, record)
        add_jobs(db, kind, n)
        workers = [worker(db, settings, registry, owner=f"racer-{i}") for i in range(3)]
        results = race([w.tick for w in workers])
        assert all(not isinstance(r, BaseException) for r in results), results
        assert runs == Counter(range(n))
        assert sum(r.done for r in results if not isinstance(r, BaseException)) == n
        jobs = jobs_of(db, kind)
        assert {(j.state, j.attempts) for j in jobs} == {("done", 1)}
