"""`folio serve | worker | migrate | accounts create | accounts credentials | demo | render
| bill run | jobs purge`."""

from __future__ import annotations

import sys

import typer
from rich.console import Console
from rich.table import Table

from folio.cli.billing import bill_app
from folio.cli.jobs import jobs_app
from folio.cli.render import render
from folio.config import Settings
from folio.db import migrate as migrations
from folio.db.engine import Database

app = typer.Typer(help="Folio: a self-hostable invoicing engine.", no_args_is_help=True)
accounts_app = typer.Typer(help="Tenants and their keys.", no_args_is_help=True)
app.add_typer(accounts_app, name="accounts")
app.command("render")(render)
app.add_typer(bill_app, name="bill")
app.add_typer(jobs_app, name="jobs")
console = Console(soft_wrap=True)


def _database(settings: Settings) -> Database:
    return Database(settings.database_url)


@app.command()
def migrate() -> None:
    """Bring the database schema up to date."""
    settings = Settings.from_env()
    migrations.upgrade(settings.database_url)
    console.print(f"[green]Schema is at {migrations.head_revision()}[/green] "
                  f"({settings.database_url.split('@')[-1]})")


@app.command()
def serve(
    host: str = typer.Option(None, help="Bind address (FOLIO_HOST)"),
    port: int = typer.Option(None, help="Port (FOLIO_PORT)"),
    workers: int = typer.Option(1, help="Worker processes"),
) -> None:
    """Start the HTTP API. Migrations run first unless FOLIO_MIGRATE_ON_START=0, in which
    case a schema that is behind stops the start with a message."""
    import uvicorn

    from folio.api.app import served_app
    from folio.api.observability import configure_logging

    settings = Settings.from_env()
    configure_logging(settings.log_level)
    if settings.migrate_on_start:
        migrations.upgrade(settings.database_url)
    else:
        db = _database(settings)
        if not migrations.is_current(db.engine):
            console.print("[red]The database schema is behind this version of Folio. "
                          "Run `folio migrate` first.[/red]")
            raise typer.Exit(code=2)
        db.dispose()
    host, port = host or settings.host, port or settings.port
    if workers > 1:  # uvicorn's worker processes each build the app from its import path
        uvicorn.run("folio.api.app:served_app", factory=True, workers=workers, host=host,
                    port=port, log_config=None, access_log=False)
        return
    uvicorn.run(served_app(settings), host=host, port=port, log_config=None, access_log=False)


@app.command()
def worker(
    once: bool = typer.Option(False, "--once", help="Run the due work and exit"),
    poll: float = typer.Option(None, help="Seconds between ticks (FOLIO_WORKER_POLL)"),
) -> None:
    """Run due jobs (invoice e-mails, reminders) and periodic due work, as a process of
    its own; stops gracefully (after the current job) on SIGTERM or SIGINT."""
    from folio.cli.worker import run_worker

    raise typer.Exit(code=run_worker(once=once, poll=poll))


@accounts_app.command("create")
def accounts_create(
    name: str = typer.Option(..., help="Account name"),
    platform: str = typer.Option(None, help="Platform account id (acct_...) that owns it"),
    currency: str = typer.Option("eur", help="Default currency"),
    numbering: str = typer.Option("account", help="Invoice numbering: account or customer"),
) -> None:
    """Create an account and print its test and live secret keys (shown once)."""
    from folio.domain.errors import DomainError
    from folio.services.accounts import create_account

    settings = Settings.from_env()
    db = _database(settings)
    try:
        with db.transaction() as session:
            issued = create_account(session, settings.secret, name=name,
                                    platform_public_id=platform, default_currency=currency,
                                    numbering_scope=numbering)
    except DomainError as exc:
        console.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(code=1) from None
    table = Table(title=f"Account {issued.account.public_id} ({name})")
    table.add_column("mode")
    table.add_column("secret key (shown once)")
    table.add_row("test", issued.test_key)
    table.add_row("live", issued.live_key)
    console.print(table)


@accounts_app.command("credentials")
def accounts_credentials(
    account: str = typer.Option(..., help="Account id (acct_...)"),
    live: bool = typer.Option(False, "--live", help="Live mode (default: test mode)"),
) -> None:
    """Issue a client id and secret (shown once) for the Dollr face's token endpoint."""
    from folio.domain.errors import DomainError
    from folio.services.accounts import issue_client_credentials

    settings = Settings.from_env()
    db = _database(settings)
    try:
        with db.transaction() as session:
            issued = issue_client_credentials(session, settings.secret, account, live)
    except DomainError as exc:
        console.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(code=1) from None
    mode = "live" if live else "test"
    console.print(f"Client credentials for {issued.account_public_id} ({mode} mode); "
                  "the secret is shown once:")
    typer.echo(f"client_id={issued.client_id}")
    typer.echo(f"client_secret={issued.client_secret}")


@app.command()
def demo() -> None:
    """Create a demo platform, a connected account, customers, catalogue and invoices in
    several states; print the keys and a few curl lines to try."""
    from folio.cli.demo import seed

    settings = Settings.from_env()
    migrations.upgrade(settings.database_url)
    db = _database(settings)
    seed(db, settings, console)


def main() -> None:  # pragma: no cover
    sys.exit(app())
