"""Job queue benchmark: no-op jobs run per second by one worker and by two racing
workers, on SQLite and PostgreSQL, against a floor measured in the same run (the same
number of single-row UPDATEs, one transaction each, through the same engine).

    .venv/bin/python bench/jobs_bench.py [--jobs N] [--db sqlite|postgres|both]
        [--pg-url URL]

Each job costs a claim transaction (select the oldest due job with SKIP LOCKED / under
BEGIN IMMEDIATE, mark it running, RETURNING) and a completion transaction (the lease-
guarded UPDATE), so the floor is about half of the UPDATE rate. --pg-url's public schema
is DROPPED and rebuilt. A benchmark, not a test: it always exits 0.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import text

from folio.config import Settings
from folio.db import migrate
from folio.db.engine import Database
from folio.services.jobs import enqueue
from folio.worker.registry import Registry
from folio.worker.runner import Worker

NOW = 1_780_000_000


def fresh(url: str) -> Database:
    db = Database(url)
    if url.startswith("postgresql"):
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    db.dispose()
    migrate.upgrade(url)
    return Database(url)


def fill(db: Database, kind: str, n: int) -> None:
    with db.transaction() as session:
        for i in range(n):
            enqueue(session, kind, dedupe_key=f"{kind}:{i}", run_at=NOW, now=NOW)


def run(db: Database, settings: Settings, n: int, workers: int) -> float:
    kind = f"bench.{workers}"
    fill(db, kind, n)
    registry = Registry()
    registry.add_job(kind, lambda session, job_run: None)
    pool = [Worker(db=db, settings=settings, registry=registry, clock=lambda: NOW)
            for _ in range(workers)]
    threads = [threading.Thread(target=w.tick) for w in pool]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    done = sum(w.totals.done for w in pool)
    assert done == n, (done, n)
    return n / elapsed


def floor(db: Database, n: int) -> float:
    with db.engine.begin() as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS bench_floor (id INTEGER PRIMARY KEY, "
                          "v INTEGER)"))
        conn.execute(text("INSERT INTO bench_floor VALUES (1, 0)"))
    start = time.perf_counter()
    for _ in range(n):
        with db.transaction() as session:
            session.execute(text("UPDATE bench_floor SET v = v + 1 WHERE id = 1"))
    return n / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=2000)
    parser.add_argument("--db", default="both")
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    urls = []
    if args.db in ("sqlite", "both"):
        urls.append(f"sqlite:///{Path(tempfile.mkdtemp()) / 'jobs.db'}")
    if args.db in ("postgres", "both"):
        urls.append(args.pg_url)
    for url in urls:
        db = fresh(url)
        settings = Settings(database_url=url, secret="bench", host="127.0.0.1", port=0,
                            log_level="warning", migrate_on_start=False, access_log=False)
        updates = floor(db, args.jobs)
        one = run(db, settings, args.jobs, 1)
        two = run(db, settings, args.jobs, 2)
        print(f"{db.dialect:10s} floor {updates:8.0f} updates/s | 1 worker {one:7.0f} jobs/s "
              f"({one / updates:.2f} of floor) | 2 workers {two:7.0f} jobs/s "
              f"({two / updates:.2f})")
        db.dispose()


if __name__ == "__main__":
    main()
