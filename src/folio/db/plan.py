"""Database work written once, run on a blocking cursor or pipelined on an async
connection (ADR 7, "Sixth pass: pipelined writes on the event loop").

A plan is a generator: it yields a batch of statements, receives the raw rows of those
that want rows (None for the others), decides what to run next, and returns its result.
It does no I/O itself, so the same use case runs

- blocking, statement by statement, on a DB-API cursor (`run_blocking`: SQLite, or a
  PostgreSQL connection in a worker thread), and
- pipelined on an async psycopg connection (`db.async_pool.AsyncPool.run`): a batch is
  sent as a whole and waited for once, and a batch that wants no rows is not waited for
  at all, so it goes out with the next batch or with the COMMIT. A plan's round trips are
  the batches that want rows, plus the commit.

Statements of one batch run in order; a plan puts in one batch only statements that do
not need each other's results.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Statement:
    sql: str
    params: Any  # as the driver takes them; for `many`, a sequence of such
    wants_rows: bool = False
    many: bool = False  # executemany over `params`


Batch = Sequence[Statement]
Rows = list[Any] | None  # the driver's rows, for a statement that wants them
Plan = Generator[Batch, list[Rows], T]


def run_blocking(cursor: Any, plan: Plan[T]) -> T:
    """Runs the plan on a DB-API cursor of a transaction the caller holds; returns what
    the plan returns, and lets what it raises through."""
    results: list[Rows] | None = None
    while True:
        try:
            batch = next(plan) if results is None else plan.send(results)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]
        results = []
        for statement in batch:
            if statement.many:
                cursor.executemany(statement.sql, statement.params)
                results.append(None)
                continue
            cursor.execute(statement.sql, statement.params)
            results.append(cursor.fetchall() if statement.wants_rows else None)
