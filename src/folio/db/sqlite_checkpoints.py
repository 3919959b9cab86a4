"""SQLite's write-ahead log checkpointed by a thread of the server, not inside a commit.

By default SQLite checkpoints in the commit that takes the log past 1,000 pages: that one
commit copies some 4 MB back into the database file while every other writer waits on the
lock. Over HTTP that was most of a write's wall time (ADR 7, "Checkpoints off the request
path"). The server turns the automatic checkpoint off for its own connections and runs a
PASSIVE checkpoint from this thread every few tenths of a second: PASSIVE never waits
for, nor blocks, readers or writers; it copies what it can, and the log starts over once a
checkpoint has copied everything and no reader still needs it.

Other processes on the same file (the CLI, a separate worker) keep SQLite's default. A
crash mid-checkpoint is safe: checkpointing is SQLite's own recovery-safe mechanism.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from dataclasses import dataclass

log = logging.getLogger("folio.db.checkpoints")


@dataclass(frozen=True)
class Checkpoint:
    busy: bool  # a reader or writer kept it from finishing
    log_frames: int  # frames in the log
    checkpointed_frames: int  # of which now in the database file


class BackgroundCheckpointer:
    def __init__(self, path: str, interval_seconds: float = 0.2,
                 busy_timeout_seconds: float = 30) -> None:
        self._path = path
        self._interval = interval_seconds
        self._busy_timeout = busy_timeout_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()  # one checkpoint at a time on the connection
        self._conn: sqlite3.Connection | None = None
        self.runs = 0

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

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            self.checkpoint()
        self.checkpoint()
