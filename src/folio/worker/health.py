"""Job queue health for /metrics: jobs per state, the due backlog, and the embedded
worker's last tick."""

from __future__ import annotations

from folio.db.engine import Database
from folio.worker import queue
from folio.worker.runner import Worker

STATES = ("queued", "running", "done", "failed")


def render_job_metrics(db: Database, now: int, worker: Worker | None) -> str:
    counts, due = queue.counts_by_state(db, now)
    out = ["# HELP folio_jobs Jobs in the database by state.", "# TYPE folio_jobs gauge"]
    out += [f'folio_jobs{{state="{state}"}} {counts.get(state, 0)}' for state in STATES]
    out += ["# HELP folio_jobs_due Queued jobs whose time has come (the backlog).",
            "# TYPE folio_jobs_due gauge", f"folio_jobs_due {due}"]
    if worker is not None:
        out += ["# HELP folio_worker_last_tick_seconds When the embedded worker last ran.",
                "# TYPE folio_worker_last_tick_seconds gauge",
                f"folio_worker_last_tick_seconds {worker.last_tick or 0}",
                f"folio_worker_jobs_done_total {worker.totals.done}",
                f"folio_worker_jobs_failed_total {worker.totals.failed}",
                f"folio_worker_jobs_retried_total {worker.totals.retried}",
                f"folio_worker_jobs_purged_total {worker.totals.purged}"]
    return "\n".join(out) + "\n"
