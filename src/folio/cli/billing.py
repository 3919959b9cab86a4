"""`folio bill run [--at TIMESTAMP]`: a billing run from the command line."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from folio.config import Settings
from folio.db.engine import Database
from folio.domain.money import to_major
from folio.jobs.billing_run import BillingSummary, run_billing

bill_app = typer.Typer(help="Billing runs.", no_args_is_help=True)
console = Console(soft_wrap=True)


def parse_instant(text: str | None) -> int:
    """Unix seconds, or ISO 8601 (a time without an offset is UTC); default now."""
    if text is None:
        return int(time.time())
    if text.lstrip("-").isdigit():
        return int(text)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise typer.BadParameter(f"'{text}' is neither unix seconds nor ISO 8601.") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def render_summary(summary: BillingSummary, seconds: float, out: Console) -> None:
    at = datetime.fromtimestamp(summary.at, UTC).isoformat()
    rate = summary.invoices / seconds if seconds > 0 else 0.0
    out.print(f"Billing run at {at}: {summary.subscriptions} subscriptions, "
              f"[bold]{summary.invoices} invoices[/bold] in {seconds:.1f} s "
              f"({rate:,.0f}/s), {len(summary.failures)} failures")
    if summary.amounts:
        table = Table("currency", "invoiced", title="Amounts by currency")
        for currency, amount in sorted(summary.amounts.items()):
            table.add_row(currency.upper(), f"{to_major(amount, currency):,}")
        out.print(table)
    if summary.failures:
        table = Table("subscription", "reason", title="Failures", style="red")
        for failure in summary.failures:
            table.add_row(failure.subscription, failure.reason)
        out.print(table)


@bill_app.command("run")
def run(at: str = typer.Option(None, "--at", help="Bill what is due at this instant "
                               "(unix seconds or ISO 8601; default now)"),
        commit_every: int = typer.Option(1, "--commit-every", min=1, max=1000,
                                         help="Subscriptions per transaction (each in "
                                              "its own savepoint); 1: one transaction "
                                              "each"),
        set_based: bool = typer.Option(True, "--set-based/--per-subscription",
                                       help="Bill chunks of 500 subscriptions together "
                                            "(default), or each on its own path "
                                            "(--commit-every applies)"),
        workers: int = typer.Option(None, "--workers", min=1, max=16,
                                    help="Chunks billed at once on PostgreSQL, each on "
                                         "its own connection (default 2; SQLite bills "
                                         "one at a time)")) -> None:
    """Bill every subscription whose period has ended: one invoice per subscription and
    period, finalized and collected. A failing subscription is reported, never stops the
    run; running it again bills nothing twice."""
    instant = parse_instant(at)
    settings = Settings.from_env()
    db = Database(settings.database_url)
    started = time.perf_counter()
    with Progress(TextColumn("billing"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, transient=True) as bar:
        task = bar.add_task("billing", total=None)

        def progress(done: int, found: int) -> None:
            bar.update(task, completed=done, total=found)

        summary = run_billing(db, instant, progress=progress,
                              commit_every=commit_every, set_based=set_based,
                              workers=workers)
    render_summary(summary, time.perf_counter() - started, console)
    db.dispose()
    if summary.failures:
        raise typer.Exit(code=1)
