"""SQLite's write-ahead log checkpointed by a thread of the server, not inside a commit.

By default SQLite checkpoints in the commit that takes the log past 1,000 pages: that one
commit copies some 4 MB back into the database file while every other writer waits on the
lock. Over HTTP that was most of a write's wall time (ADR 7, "Checkpoints off the request
path"). The server turns the automatic checkpoint off for its own connections and runs a
PASSIVE checkpoint from this thread every few tenths of a second: PASSIVE never waits
for, nor blocks, readers or writers; it copies what it can, and the log starts over once a
checkpoint has copied everything and no reader still needs it.

The log only starts over (its next frames written from the start of the file again)
when a write transaction begins while every frame is already in the database file.
Under a steady stream of writes that never happened: each checkpoint caught up, and the
next commit had appended more frames before any writer began, so the log file grew
without end (200 MB after a few seconds of the API bench), and every commit appended to
it, which on ext4 allocates blocks (ADR 7, "Sixth pass", has the measurements). So
after its PASSIVE pass the thread holds this process's writers off (`pause_writers`,
the process's write lock, waited for briefly) for a second PASSIVE
pass, which only has the frames written meanwhile to copy: when it copies everything,
the next writer starts the log over, and the log stays as long as a few tenths of a
second of writes. Writers of the process that find the lock taken wait in the
threadpool, as for any other writer. Other processes' writers are never held off
(PASSIVE waits for no one).

Other processes on the same file (the CLI, a separate worker) keep SQLite's default. A
crash mid-checkpoint is safe: checkpointing is SQLite's own recovery-safe mechanism.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass

log = logging.getLogger("folio.db.checkpoints")


@dataclass(frozen=True)
class Checkpoint:
    busy: bool  # a reader or writer kept it from finishing
    log_frames: int  # frames in the log
    checkpointed_frames: int  # of which now in the database file


PauseWriters = Callable[[float], AbstractContextManager[bool]]
PAUSE_WAIT_SECONDS = 0.05  # how long the second pass waits for the writers' lock


class BackgroundCheckpointer:
    def __init__(self, path: str, interval_seconds: float = 0.2,
                 busy_timeout_seconds: float = 30,
                 pause_writers: PauseWriters | None = None) -> None:
        """pause_writers(timeout): holds this process's writers off for the block and
        yields True, or yields False if that took longer than `timeout`."""
        self._path = path
        self._pause_writers = pause_writers
        self._interval = interval_seconds
        self._busy_timeout = busy_timeout_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()  # one checkpoint at a time on the connection
        self._conn: sqlite3.Connection | None = None
        self.runs = 0
        self.restarts_prepared = 0  # second passes that left the whole log copied

    def start(self) -> None:
        self._conn = sqlite3.connect(self._path, timeout=self._busy_timeout,
                                     isolation_level=None, check_same_thread=False)
        self._thread = threading.Thread(target=self._loop, name="folio-sqlite-checkpoints",
                                        daemon=True)
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def checkpoint(self) -> Checkpoint | None:
        """One PASSIVE checkpoint now; None if SQLite refused it (logged)."""
        with self._lock:
            if self._conn is None:
                return None
            try:
                busy, frames, done = self._conn.execute(
                    "PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            except sqlite3.Error as exc:
                log.warning("sqlite checkpoint failed: %s", exc)
                return None
            self.runs += 1
            return Checkpoint(busy=bool(busy), log_frames=frames, checkpointed_frames=done)

    def stop(self) -> None:
        """Stops the thread after a last checkpoint and closes its connection."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def checkpoint_for_restart(self) -> Checkpoint | None:
        """A PASSIVE checkpoint, then, with this process's writers held off, a second
        one, so that the next writer can start the log over (None: SQLite refused)."""
        first = self.checkpoint()
        if first is None or self._pause_writers is None or (
                first.log_frames == 0):  # the log has started over already
            return first
        with self._pause_writers(PAUSE_WAIT_SECONDS) as paused:
            if not paused:
                return first
            second = self.checkpoint()

        if second is not None and not second.busy and (
                second.checkpointed_frames == second.log_frames):
            self.restarts_prepared += 1
        return second

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            self.checkpoint_for_restart()
        self.checkpoint()
