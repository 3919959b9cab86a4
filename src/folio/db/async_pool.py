"""A few psycopg async connections, for work answered on the event loop itself (ADR 7):
single-statement reads, and plans (`db.plan`) run pipelined in one transaction.

The hot invoice read on PostgreSQL ran in the threadpool like a sync route. The hop to a
worker thread and back, and the GIL passing between that thread and the event loop's,
cost more CPU than the query and its rendering together (0.69 against 0.47 ms per
request measured over HTTP); running the blocking read inline instead saves the CPU but
leaves the event loop idle while PostgreSQL works. An async connection has neither cost:
the loop serves other requests while a query is out.

The pool belongs to one event loop (a psycopg AsyncConnection is bound to the loop it was
opened on). Serving runs one loop for the process's life; when a different loop asks (a
test client opens one per client), the connections of the old one are closed without it
and the pool starts again. Any failure drops the connection and answers None: the caller
then takes the ordinary path, which reports database errors its own way.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from typing import Any, TypeVar

import psycopg
from sqlalchemy.engine import URL

from folio.db.plan import Plan, Rows

T = TypeVar("T")


def libpq_conninfo(url: URL) -> str:
    """The libpq connection string of a SQLAlchemy `postgresql+psycopg://` URL."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class AsyncPool:
    """At most `size` connections, opened on demand. Autocommit ones serve
    single-statement reads (`fetch_all`: one statement is one consistent snapshot, no
    transaction needed); the others run plans in a transaction (`run`)."""

    def __init__(self, conninfo: str, size: int,
                 configure: Callable[[psycopg.AsyncConnection[Any]], None],
                 application_name: str = "folio", *, autocommit: bool = True) -> None:
        self._conninfo = conninfo
        self._application_name = application_name
        self._autocommit = autocommit
        self._size = size
        self._configure = configure
        self._idle: list[psycopg.AsyncConnection[Any]] = []
        self._open = 0
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._loop: asyncio.AbstractEventLoop | None = None

    async def fetch_all(self, sql: str, params: Any) -> list[Any] | None:
        """The rows of one prepared statement, or None when the database did not answer
        (the connection is then closed and forgotten)."""
        try:
            conn = await self._acquire()
        except (psycopg.Error, OSError):
            return None
        healthy = False
        try:
            cursor = conn.cursor()
            await cursor.execute(sql, params, prepare=True)
            rows = await cursor.fetchall()
            healthy = True
            return rows
        except (psycopg.Error, OSError):
            return None
        finally:
            self._release(conn, healthy)

    async def run(self, plan: Plan[T]) -> T:
        """Runs the plan pipelined in one transaction and commits it; returns what the
        plan returns. What the plan raises, or the driver's error, comes out after the
        transaction is rolled back; a connection left in doubt (a failed rollback, a
        cancelled request) is closed."""
        conn = await self._acquire()
        healthy = False
        try:
            result = await _pipelined(conn, plan)
            healthy = True
            return result
        except Exception:
            healthy = await _rolled_back(conn)
            raise
        finally:
            self._release(conn, healthy)

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for conn in idle:
            await conn.close()
        self._open -= len(idle)

    @property
    def open_connections(self) -> int:
        return self._open

    async def _acquire(self) -> psycopg.AsyncConnection[Any]:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._forget_loop(loop)
        while True:
            if self._idle:
                return self._idle.pop()
            if self._open < self._size:
                self._open += 1
                try:
                    conn = await psycopg.AsyncConnection.connect(
                        self._conninfo, autocommit=self._autocommit,
                        application_name=self._application_name)
                    self._configure(conn)
                except BaseException:
                    self._open -= 1
                    self._wake_one()
                    raise
                return conn
            waiter = loop.create_future()
            self._waiters.append(waiter)
            await waiter

    def _release(self, conn: psycopg.AsyncConnection[Any], healthy: bool) -> None:
        current = asyncio.get_running_loop() is self._loop  # else counted no more
        if healthy and current and not conn.closed:
            self._idle.append(conn)
        else:  # a failed or cancelled statement may leave the connection mid-protocol
            conn.pgconn.finish()
            if current:
                self._open -= 1
        self._wake_one()

    def _wake_one(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    def _forget_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        """Connections of another event loop cannot be used (nor closed) from this one:
        their sockets are closed directly."""
        for conn in self._idle:
            conn.pgconn.finish()
        self._idle.clear()
        self._waiters.clear()
        self._open = 0
        self._loop = loop


async def _pipelined(conn: psycopg.AsyncConnection[Any], plan: Plan[T]) -> T:
    """The plan's batches in pipeline mode: each batch is sent whole, and waited for only
    when it wants rows; the COMMIT goes out with the last batch's writes."""
    results: list[Rows] | None = None
    async with conn.pipeline():
        while True:
            try:
                batch = next(plan) if results is None else plan.send(results)
            except StopIteration as done:
                await conn.commit()
                return done.value  # type: ignore[no-any-return]
            cursors: list[psycopg.AsyncCursor[Any] | None] = []
            for statement in batch:
                cursor = conn.cursor()
                if statement.many:
                    await cursor.executemany(statement.sql, statement.params)
                else:
                    await cursor.execute(statement.sql, statement.params, prepare=True)
                cursors.append(cursor if statement.wants_rows else None)
            results = [None if c is None else await c.fetchall() for c in cursors]


async def _rolled_back(conn: psycopg.AsyncConnection[Any]) -> bool:
    """Rolls back the connection's transaction; False if that failed (the connection is
    then unusable)."""
    try:
        await conn.rollback()
    except (psycopg.Error, OSError):
        return False
    return not conn.closed


