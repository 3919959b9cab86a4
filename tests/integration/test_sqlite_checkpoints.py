"""The server's SQLite log is checkpointed by a background thread, never inside a commit
(db.sqlite_checkpoints); other processes keep SQLite's automatic checkpoint."""

from __future__ import annotations

import gc
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text

from folio.api.app import served_app
from folio.config import Settings
from folio.db import migrate
from folio.db.engine import Database


def _autocheckpoint(db: Database) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(text("PRAGMA wal_autocheckpoint")).scalar_one())


def _fill(db: Database, rows: int) -> None:
    with db.engine.begin() as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS filler (id INTEGER PRIMARY KEY, "
                          "body TEXT NOT NULL)"))
    for start in range(0, rows, 500):
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO filler (body) VALUES (:body)"),
                         [{"body": "x" * 2000} for _ in range(start, min(rows, start + 500))])


def _wal_bytes(path: Path) -> int:
    """The log file's size, read without checkpointing it (PRAGMA wal_checkpoint would)."""
    wal = path.with_name(path.name + "-wal")
    return wal.stat().st_size if wal.exists() else 0


def test_commits_leave_the_log_to_the_checkpointer(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    db = Database(f"sqlite:///{path}", background_checkpoints=True)
    try:
        assert db.checkpointer is not None
        assert db.checkpointer.running
        assert _autocheckpoint(db) == 0
        _fill(db, 3000)  # ~6 MB: past the 1,000 pages where a commit would checkpoint
        done = db.checkpointer.checkpoint()
        assert done is not None
        assert done.log_frames > 1000  # no commit checkpointed: the log kept every frame
        assert done.checkpointed_frames == done.log_frames  # now all in the database file
        with sqlite3.connect(path) as conn:
            assert conn.execute("SELECT count(*) FROM filler").fetchone() == (3000,)
    finally:
        db.dispose()
    assert db.checkpointer is None


def test_the_thread_checkpoints_on_its_own(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    db = Database(f"sqlite:///{path}", background_checkpoints=True)
    try:
        checkpointer = db.checkpointer
        assert checkpointer is not None
        _fill(db, 1500)
        seen = threading.Event()
        runs = checkpointer.runs
        for _ in range(600):  # the thread runs every 0.2 s
            if checkpointer.runs >= runs + 2:
                seen.set()
                break
            threading.Event().wait(0.05)
        assert seen.is_set()
        again = checkpointer.checkpoint()
        assert again is not None
        assert again.checkpointed_frames == again.log_frames  # nothing was left to copy
    finally:
        db.dispose()


def test_other_processes_keep_sqlites_automatic_checkpoint(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    try:
        assert db.checkpointer is None
        assert _autocheckpoint(db) == 1000
        _fill(db, 6000)  # ~12 MB written; a log checkpointed every 1,000 pages (4 MB)
        assert _wal_bytes(tmp_path / "db.sqlite") < 8 * 1024 * 1024  # starts over
    finally:
        db.dispose()


def test_postgresql_and_memory_databases_get_no_checkpointer() -> None:
    for url in ("sqlite://", "postgresql+psycopg://postgres@127.0.0.1:1/none"):
        db = Database(url, background_checkpoints=True)  # engines connect lazily
        assert db.checkpointer is None
        db.dispose()


def test_the_server_runs_the_checkpointer(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'served.db'}"
    migrate.upgrade(url)
    settings = Settings(database_url=url, secret="s", host="127.0.0.1", port=0,
                        log_level="warning", migrate_on_start=False, access_log=False,
                        embedded_worker=False)
    app = served_app(settings)
    gc.unfreeze()  # served_app freezes what it built, for a server's lifetime
    db: Database = app.state.folio.db
    try:
        assert db.checkpointer is not None
        assert db.checkpointer.running
    finally:
        db.dispose()


def test_a_steady_stream_of_writes_starts_the_log_over(tmp_path: Path) -> None:
    """Writers of the process that keep taking the write lock whenever it is free (as the
    hot write lane does, between requests) leave the checkpointer its pause: the log
    starts over again and again, so its file stops growing, where before every commit
    appended to it."""
    path = tmp_path / "db.sqlite"
    db = Database(f"sqlite:///{path}", background_checkpoints=True)
    checkpointer = db.checkpointer
    assert checkpointer is not None

    def write_until(done: Callable[[int], bool]) -> None:
        written = 0
        while not done(written):
            with db.write_lock_if_free() as free:
                if not free:
                    continue
                with db.engine.begin() as conn:
                    conn.execute(text("INSERT INTO filler (body) VALUES (:body)"),
                                 [{"body": "x" * 2000} for _ in range(20)])
                written += 20 * 2000
            assert written < 1_000_000_000, "the log never started over"

    try:
        _fill(db, 1)  # the table
        write_until(lambda _: checkpointer.restarts_prepared >= 2)
        settled = _wal_bytes(path)
        more = max(4 * settled, 40_000_000)
        write_until(lambda written: written >= more)
        assert checkpointer.restarts_prepared > 2
        assert _wal_bytes(path) < settled + more // 2  # not `settled + more`
    finally:
        db.dispose()
