"""Engines and transactions for SQLite and PostgreSQL.

SQLite: WAL, a busy timeout, foreign keys on, and writes begin with BEGIN IMMEDIATE so a
write transaction holds the write lock from its first statement (``with_for_update`` is
ignored on SQLite, and pysqlite would otherwise begin lazily). PostgreSQL: READ COMMITTED;
row locks and atomic ``UPDATE ... RETURNING`` do the serialising.

SQLite has one writer at a time. Within one process, write transactions queue on a lock
taken before BEGIN IMMEDIATE and released after COMMIT or ROLLBACK: a second writer waits
on the lock and starts the moment the first one ends, instead of getting SQLITE_BUSY and
sleeping in SQLite's busy handler (1, 2, 5, 10, ... ms steps). The busy timeout still
covers writers in other processes (a CLI run, a second server); a writer that waited that
long on the lock goes on without it to SQLite's own lock and busy timeout, so a stuck
writer still ends in "database is locked", never in a hang.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext, suppress
from typing import Any

import orjson
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker

from folio.db.sqlite_checkpoints import BackgroundCheckpointer

WRITE_OPTION = "folio_write"
BUSY_TIMEOUT_SECONDS = 30


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def _sqlite_file(url: str) -> str | None:
    """The database file of a SQLite URL; None for PostgreSQL and in-memory databases."""
    if not is_sqlite(url):
        return None
    database = make_url(url).database
    return database if database and database != ":memory:" else None


def _json_text(value: Any) -> str:
    return orjson.dumps(value).decode()


def make_engine(url: str, *, sqlite_autocheckpoint: bool = True, **kwargs: Any) -> Engine:
    """sqlite_autocheckpoint=False: this engine's connections never checkpoint the log
    themselves (something else must: db.sqlite_checkpoints)."""
    # JSON columns through orjson: decoding them is a large part of every read
    kwargs.setdefault("json_serializer", _json_text)
    kwargs.setdefault("json_deserializer", orjson.loads)
    if is_sqlite(url):
        if "poolclass" not in kwargs and _sqlite_file(url) is not None:
            # the most recently returned connection first: SQLite drops a connection's
            # page cache when another connection has written since its last transaction,
            # so the connection that wrote last is the one whose cache is still good
            # (ADR 7, "Seventh pass")
            kwargs.setdefault("pool_use_lifo", True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_SECONDS},
            **kwargs)
        _configure_sqlite(engine, sqlite_autocheckpoint)
        return engine
    if "poolclass" not in kwargs:
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 20)
    engine = create_engine(url, pool_pre_ping=False, **kwargs)
    _configure_postgres(engine)
    return engine


def configure_psycopg(connection: Any) -> None:
    """What every PostgreSQL connection is set up with, sync or async: JSON through
    orjson both ways (psycopg encodes the Json values SQLAlchemy binds and decodes json
    columns itself; its default is the standard library's json)."""
    from psycopg.types.json import set_json_dumps, set_json_loads

    set_json_loads(orjson.loads, connection)
    set_json_dumps(orjson.dumps, connection)


def _configure_postgres(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        configure_psycopg(dbapi_conn)


def _configure_sqlite(engine: Engine, autocheckpoint: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_conn.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode=WAL")
        if not autocheckpoint:
            cur.execute("PRAGMA wal_autocheckpoint=0")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        write = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


class Database:
    """Owns the engine and hands out one session per transaction."""

    def __init__(self, url: str, *, background_checkpoints: bool = False,
                 **engine_kwargs: Any) -> None:
        """background_checkpoints: on a SQLite file, a thread of this process checkpoints
        the write-ahead log and commits never do (the server's setup; ADR 7)."""
        self.url = url
        checkpoints = background_checkpoints and _sqlite_file(url) is not None
        self.engine = make_engine(url, sqlite_autocheckpoint=not checkpoints, **engine_kwargs)
        # re-entrant: a write transaction opened inside another on the same thread waits
        # on SQLite's busy timeout as before, never on itself
        self._write_lock = threading.RLock() if is_sqlite(url) else None
        # set while the checkpointer waits for the lock: writers that would take it only
        # if free leave it to the checkpointer (a lock is not fair: the event loop, which
        # takes it between requests, would win every time)
        self._pause_wanted = threading.Event()
        self.checkpointer: BackgroundCheckpointer | None = None
        if checkpoints:
            self.checkpointer = BackgroundCheckpointer(
                str(_sqlite_file(url)), busy_timeout_seconds=BUSY_TIMEOUT_SECONDS,
                pause_writers=self._writers_paused)
            self.checkpointer.start()
        self._writer = sessionmaker(
            bind=self.engine.execution_options(**{WRITE_OPTION: True}),
            expire_on_commit=False,
        )
        self._reader = sessionmaker(bind=self.engine, expire_on_commit=False)
        # SQLite: the raw write transactions' own driver connection, used only under the
        # write lock (so by one thread at a time), outside the pool (ADR 7, "Seventh pass")
        self._own: Any = None
        self._own_busy = False

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Session]:
        """One transaction: committed if the block succeeds, rolled back otherwise."""
        with self._queued() if write else nullcontext():
            session = (self._writer if write else self._reader)()
            try:
                yield session
                if write:
                    session.commit()
                else:
                    session.rollback()
            except BaseException:
                session.rollback()
                raise
            finally:
                session.close()

    @contextmanager
    def raw_transaction(self) -> Iterator[Any]:
        """A write transaction on a raw DB-API cursor (the hot write lane), with the
        same lock and BEGIN as `transaction(write=True)`: the process's write lock and
        BEGIN IMMEDIATE on SQLite, the driver's implicit BEGIN on PostgreSQL. Committed
        if the block succeeds, rolled back otherwise.

        On SQLite, a holder of the write lock runs it on a connection of the Database's
        own, kept out of the pool: no checkout, no reset on return, and the page cache
        of the connection that wrote last."""
        with self._queued() as held:
            if held and not self._own_busy:
                self._own_busy = True
                try:
                    yield from self._committed(self._own_connection(), pooled=False)
                finally:
                    self._own_busy = False
                return
            yield from self._committed(self.engine.raw_connection(), pooled=True)

    def _committed(self, connection: Any, *, pooled: bool) -> Iterator[Any]:
        """Yields a cursor in a transaction on `connection`; commits after the block, or
        rolls back. A pooled connection goes back to the pool; our own connection is
        dropped if it could not roll back (the next transaction opens a new one)."""
        cursor = None
        try:
            cursor = connection.cursor()
            if self._write_lock is not None:
                cursor.execute("BEGIN IMMEDIATE")
            yield cursor
            connection.commit()
        except BaseException:
            try:
                connection.rollback()  # nothing to undo if BEGIN never ran
            except Exception:
                if not pooled:
                    self._drop_own()
                raise
            raise
        finally:
            try:
                if cursor is not None:
                    cursor.close()
            finally:
                if pooled:
                    connection.close()

    def _own_connection(self) -> Any:
        """The SQLite driver connection of the raw write transactions, set up by the
        engine's connect hook as every pooled connection is, then detached from it."""
        if self._own is None:
            fairy = self.engine.raw_connection()
            fairy.detach()
            self._own = fairy.dbapi_connection
        return self._own

    def _drop_own(self) -> None:
        own, self._own = self._own, None
        if own is not None:
            with suppress(Exception):
                own.close()

    @contextmanager
    def write_lock_if_free(self) -> Iterator[bool]:
        """Holds the process's SQLite write lock for the block if no other thread holds
        it (True), without waiting; False (and nothing held) otherwise, or on
        PostgreSQL. A write that finds it free cannot wait on it."""
        lock = self._write_lock
        acquired = (lock is not None and not self._pause_wanted.is_set()
                    and lock.acquire(blocking=False))
        with self._releasing(acquired):
            yield acquired

    @contextmanager
    def _writers_paused(self, timeout: float) -> Iterator[bool]:
        """Holds the process's SQLite write lock for the block if it can be had within
        `timeout` (True), else False and nothing held (the background checkpointer)."""
        lock = self._write_lock
        self._pause_wanted.set()
        try:
            acquired = lock is not None and lock.acquire(timeout=timeout)
        finally:
            self._pause_wanted.clear()
        with self._releasing(acquired):
            yield acquired

    @contextmanager
    def _queued(self) -> Iterator[bool]:
        """Holds the process's SQLite write lock for the block (True). After the busy
        timeout the writer goes on without it (False) and meets SQLite's own lock (and
        its busy timeout) as it did before: a writer is never kept waiting longer than
        that on our side. False at once on PostgreSQL."""
        lock = self._write_lock
        acquired = lock is not None and lock.acquire(timeout=BUSY_TIMEOUT_SECONDS)
        with self._releasing(acquired):
            yield acquired

    @contextmanager
    def _releasing(self, acquired: bool) -> Iterator[None]:
        """Releases the write lock after the block if it was acquired for it."""
        try:
            yield
        finally:
            if acquired and self._write_lock is not None:
                self._write_lock.release()

    def dispose(self) -> None:
        if self.checkpointer is not None:
            self.checkpointer.stop()
            self.checkpointer = None
        with self._queued():  # not under a raw transaction of another thread
            self._drop_own()
        self.engine.dispose()
