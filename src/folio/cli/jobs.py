"""`folio jobs purge`: delete finished jobs past their retention now, as the worker does
every few minutes (docs/adr/0014, "Retention")."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from folio.config import Settings
from folio.db.engine import Database
from folio.worker.retention import RetentionPolicy, count_expired, purge_finished

jobs_app = typer.Typer(help="The job queue.", no_args_is_help=True)
console = Console(soft_wrap=True)


def _day(instant: int) -> str:
    return datetime.fromtimestamp(instant, UTC).strftime("%Y-%m-%d %H:%M UTC")


@jobs_app.command("purge")
def purge(
    older_than: int = typer.Option(None, "--older-than", min=0,
                                   help="Days a done job is kept (FOLIO_JOB_RETENTION_DAYS; "
                                        "0 keeps them)"),
    failed_older_than: int = typer.Option(None, "--failed-older-than", min=0,
                                          help="Days a failed job is kept "
                                               "(FOLIO_FAILED_JOB_RETENTION_DAYS; 0 keeps "
                                               "them)"),
    batch_size: int = typer.Option(None, "--batch-size", min=1, max=100_000,
                                   help="Jobs per delete transaction (FOLIO_JOB_PURGE_BATCH)"),
    dry_run: bool = typer.Option(False, "--dry-run", help="Count what would go; delete "
                                                          "nothing"),
) -> None:
    """Delete done and failed jobs that finished before their retention period, in short
    batches (queued and running jobs are never touched)."""
    settings = Settings.from_env()
    defaults = RetentionPolicy.from_settings(settings)
    policy = RetentionPolicy(
        done_days=defaults.done_days if older_than is None else older_than,
        failed_days=defaults.failed_days if failed_older_than is None else failed_older_than,
        batch_size=defaults.batch_size if batch_size is None else batch_size)
    now = int(time.time())
    db = Database(settings.database_url)
    try:
        expired = count_expired(db, now, policy)
        purged = dict.fromkeys(expired, 0)
        if not dry_run and any(expired.values()):
            with Progress(TextColumn("purging {task.description}"), BarColumn(),
                          MofNCompleteColumn(), TimeElapsedColumn(), console=console,
                          transient=True) as bar:
                tasks = {state: bar.add_task(state, total=n) for state, n in expired.items()}

                def advance(state: str, n: int) -> None:
                    bar.advance(tasks[state], n)

                purged = purge_finished(db, now, policy, on_batch=advance)
    finally:
        db.dispose()
    cutoffs = policy.cutoffs(now)
    table = Table("state", "finished before", "expired" if dry_run else "deleted",
                  title="Finished jobs" + (" (dry run)" if dry_run else ""))
    for state in ("done", "failed"):
        if state not in cutoffs:
            table.add_row(state, "kept for good", "0")
            continue
        table.add_row(state, _day(cutoffs[state]),
                      f"{(expired if dry_run else purged)[state]:,}")
    console.print(table)
