"""`folio worker`: the job worker as its own process."""

from __future__ import annotations

import logging
import signal
from types import FrameType

from folio.api.observability import configure_logging
from folio.config import Settings
from folio.db import migrate as migrations
from folio.db.engine import Database
from folio.services.links import set_public_base_url
from folio.worker.runner import Worker
from folio.worker.wiring import default_registry

log = logging.getLogger("folio.worker")


def run_worker(*, once: bool, poll: float | None) -> int:
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    set_public_base_url(settings.base_url)  # the hosted links in e-mails
    db = Database(settings.database_url)
    try:
        if not migrations.is_current(db.engine):
            log.error("the database schema is behind; run `folio migrate` first")
            return 2
        worker = Worker(db=db, settings=settings, registry=default_registry())
        if once:
            stats = worker.tick()
            log.info("due work done", extra={"fields": {
                "done": stats.done, "retried": stats.retried, "failed": stats.failed,
                "lost": stats.lost, "purged": stats.purged}})
            return 0

        def stop(signum: int, _frame: FrameType | None) -> None:
            log.info("stopping after the current job", extra={"fields": {
                "signal": signal.Signals(signum).name}})
            worker.stop.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        worker.run_forever(poll if poll is not None else settings.worker_poll_seconds)
        return 0
    finally:
        db.dispose()
