"""SQLite: write transactions of one process queue on the Database's lock (taken before
BEGIN IMMEDIATE, released after COMMIT), never inside SQLite's busy handler; reads never
wait for it."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from folio.db.engine import Database


@pytest.fixture
def sqlite_db(db: Database) -> Database:
    if db.dialect != "sqlite":
        pytest.skip("PostgreSQL writers serialise on row locks, not on a process lock")
    return db


def test_a_second_writer_enters_only_after_the_first_commits(sqlite_db: Database) -> None:
    order: list[str] = []
    first_in, second_trying = threading.Event(), threading.Event()

    def second() -> None:
        second_trying.set()
        with sqlite_db.transaction(write=True) as session:
            order.append("second in")
            session.execute(text("SELECT 1"))

    with sqlite_db.transaction(write=True) as session:
        session.execute(text("SELECT 1"))  # BEGIN IMMEDIATE: this thread holds the writer
        order.append("first in")
        first_in.set()
        thread = threading.Thread(target=second)
        thread.start()
        second_trying.wait()
        thread.join(0.2)  # give it every chance to get in while we hold the write
        order.append("first done")
    thread.join()
    assert order == ["first in", "first done", "second in"]


def test_a_reader_does_not_wait_for_a_writer(sqlite_db: Database) -> None:
    read: list[int] = []

    def reader() -> None:
        with sqlite_db.transaction(write=False) as session:
            read.append(session.execute(text("SELECT 1")).scalar_one())

    with sqlite_db.transaction(write=True) as session:
        session.execute(text("SELECT 1"))
        thread = threading.Thread(target=reader)
        thread.start()
        thread.join(30)  # a reader queued behind this writer would still be waiting
        assert read == [1]


def test_the_lock_is_released_when_the_transaction_fails(sqlite_db: Database) -> None:
    def failing_use_case() -> None:
        with sqlite_db.transaction(write=True) as session:
            session.execute(text("SELECT 1"))
            raise RuntimeError("the use case failed")

    with pytest.raises(RuntimeError):
        failing_use_case()
    done: list[bool] = []
    thread = threading.Thread(target=lambda: done.append(_write_once(sqlite_db)))
    thread.start()
    thread.join(30)  # a lock left held would keep it waiting
    assert done == [True]


def _write_once(db: Database) -> bool:
    with db.transaction(write=True) as session:
        session.execute(text("SELECT 1"))
    return True


def test_the_connection_that_wrote_last_is_handed_out_next(tmp_path: Path) -> None:
    """SQLite drops a connection's page cache when another connection has written since
    its last transaction: the pool hands out the warmest connection, not the oldest."""
    db = Database(f"sqlite:///{tmp_path / 'lifo.db'}")
    try:
        held = [db.engine.raw_connection() for _ in range(3)]
        drivers = [c.dbapi_connection for c in held]
        for connection in held:  # returned oldest first: the last one is the warmest
            connection.close()
        again = db.engine.raw_connection()
        assert again.dbapi_connection is drivers[-1]
        again.close()
    finally:
        db.dispose()


@pytest.fixture
def probe(sqlite_db: Database) -> Iterator[str]:
    """A scratch table of the test's own, dropped afterwards."""
    with sqlite_db.raw_transaction() as cursor:
        cursor.execute("CREATE TABLE lane_probe (v INTEGER)")
    yield "lane_probe"
    with sqlite_db.raw_transaction() as cursor:
        cursor.execute("DROP TABLE lane_probe")


def test_raw_write_transactions_run_on_one_connection_kept_out_of_the_pool(
        sqlite_db: Database, probe: str) -> None:
    seen = []
    for value in (1, 2):
        with sqlite_db.raw_transaction() as cursor:
            assert sqlite_db.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
            cursor.execute("INSERT INTO lane_probe (v) VALUES (?)", (value,))
            seen.append(cursor.connection)
    assert seen[0] is seen[1]
    with sqlite_db.transaction(write=False) as session:
        assert session.execute(text("SELECT v FROM lane_probe ORDER BY v")).scalars().all(
        ) == [1, 2]


def test_a_failed_raw_transaction_leaves_nothing_and_the_next_one_works(
        sqlite_db: Database, probe: str) -> None:
    def refused() -> None:
        with sqlite_db.raw_transaction() as cursor:
            cursor.execute("INSERT INTO lane_probe (v) VALUES (1)")
            raise RuntimeError("the plan refused")

    with pytest.raises(RuntimeError):
        refused()
    with sqlite_db.raw_transaction() as cursor:
        cursor.execute("INSERT INTO lane_probe (v) VALUES (2)")
    with sqlite_db.transaction(write=False) as session:
        assert session.execute(text("SELECT v FROM lane_probe")).scalars().all() == [2]


def test_a_raw_transaction_whose_rollback_fails_opens_a_new_connection_next(
        sqlite_db: Database) -> None:
    with sqlite_db.raw_transaction() as cursor:
        first = cursor.connection
    def broken() -> None:
        with sqlite_db.raw_transaction() as cursor:
            cursor.connection.close()  # the driver connection breaks mid-transaction
            cursor.execute("SELECT 1")

    with pytest.raises(sqlite3.ProgrammingError):
        broken()
    with sqlite_db.raw_transaction() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.connection is not first


def test_a_connection_closed_between_raw_transactions_is_replaced(
        sqlite_db: Database) -> None:
    with sqlite_db.raw_transaction() as cursor:
        first = cursor.connection
    first.close()  # broken while idle: the next transaction cannot even open a cursor

    def opened() -> None:
        with sqlite_db.raw_transaction():
            pass

    with pytest.raises(sqlite3.ProgrammingError):
        opened()
    with sqlite_db.raw_transaction() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.connection is not first
