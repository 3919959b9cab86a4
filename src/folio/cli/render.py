"""`folio render`: many invoice PDFs into a folder, with a progress bar and a summary."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from folio.config import Settings
from folio.db.engine import Database
from folio.domain.errors import DomainError
from folio.services.accounts import authenticate
from folio.services.pdf_batch import (
    RenderFilter,
    account_id_of,
    render_invoice_row,
    select_invoices,
)

console = Console(soft_wrap=True)
STATUSES = ("draft", "open", "paid", "void", "uncollectible")


def _timestamp(day: str | None, param: str) -> int | None:
    if day is None:
        return None
    try:
        parsed = date.fromisoformat(day)
    except ValueError:
        raise typer.BadParameter(f"{day!r} is not a date (YYYY-MM-DD).",
                                 param_hint=param) from None
    return int(datetime(parsed.year, parsed.month, parsed.day, tzinfo=UTC).timestamp())


def _filter(db: Database, settings: Settings, *, key: str | None, account: str | None,
            mode: str, status: str | None, customer: str | None, created_from: str | None,
            created_to: str | None, limit: int | None) -> RenderFilter:
    if status is not None and status not in STATUSES:
        raise typer.BadParameter(f"one of {', '.join(STATUSES)}", param_hint="--status")
    if mode not in ("test", "live", "all"):
        raise typer.BadParameter("test, live or all", param_hint="--mode")
    account_id, livemode = None, None if mode == "all" else mode == "live"
    with db.transaction(write=False) as session:
        if key:
            principal = authenticate(session, settings.secret, key)
            account_id, livemode = principal.account_id, principal.livemode
        elif account:
            account_id = account_id_of(session, account)
    end = _timestamp(created_to, "--created-to")
    return RenderFilter(account_id=account_id, livemode=livemode, status=status,
                        customer=customer, created_gte=_timestamp(created_from,
                                                                  "--created-from"),
                        created_lt=None if end is None else end + 86400, limit=limit)


def render(
    out: Path = typer.Option(Path("pdfs"), "--out", "-o", help="Folder to write into"),
    key: str = typer.Option(None, help="A secret key: its account and mode"),
    account: str = typer.Option(None, help="An account id (acct_...)"),
    mode: str = typer.Option("all", help="test, live or all (ignored with --key)"),
    status: str = typer.Option(None, help="draft, open, paid, void or uncollectible"),
    customer: str = typer.Option(None, help="A customer id (cus_...)"),
    created_from: str = typer.Option(None, help="Created on or after (YYYY-MM-DD, UTC)"),
    created_to: str = typer.Option(None, help="Created on or before (YYYY-MM-DD, UTC)"),
    limit: int = typer.Option(None, min=1, help="At most this many invoices"),
) -> None:
    """Render the PDFs of many invoices into OUT/<account>[/test]/<number>.pdf."""
    settings = Settings.from_env()
    db = Database(settings.database_url)
    try:
        chosen = _filter(db, settings, key=key, account=account, mode=mode, status=status,
                         customer=customer, created_from=created_from,
                         created_to=created_to, limit=limit)
        with db.transaction(write=False) as session:
            rows = select_invoices(session, chosen)
    except DomainError as exc:
        console.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(code=2) from None
    written, size, failures = 0, 0, []
    started = time.perf_counter()
    columns = (TextColumn("[bold]Rendering"), BarColumn(), MofNCompleteColumn(),
               TimeRemainingColumn())
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("render", total=len(rows))
        for row in rows:
            try:
                with db.transaction(write=False) as session:  # one short read per invoice
                    pdf = render_invoice_row(session, row)
            except DomainError as exc:  # e.g. document_inconsistent: reported, not fatal
                failures.append((row, exc.code, exc.message))
            else:
                folder = out / pdf.folder
                folder.mkdir(parents=True, exist_ok=True)
                (folder / pdf.filename).write_bytes(pdf.content)
                written, size = written + 1, size + len(pdf.content)
            progress.advance(task)
    elapsed = time.perf_counter() - started
    db.dispose()
    _summary(out, len(rows), written, size, elapsed, failures)
    if failures:
        raise typer.Exit(code=1)


def _summary(out: Path, selected: int, written: int, size: int, elapsed: float,
             failures: list[tuple[int, str, str]]) -> None:
    table = Table(title="folio render", show_header=False)
    table.add_row("selected", str(selected))
    table.add_row("written", f"{written} into {out}")
    table.add_row("size", f"{size / 1024:.0f} KiB")
    table.add_row("time", f"{elapsed:.2f} s"
                  + (f" ({written / elapsed:.1f} PDFs/s)" if elapsed > 0 and written else ""))
    table.add_row("failed", str(len(failures)))
    console.print(table)
    for row, code, message in failures:
        console.print(f"[red]invoice row {row}: {code}: {message}[/red]")
