"""`folio worker` as its own process (--once drains the due work; SIGTERM stops it
gracefully) and the worker embedded in `folio serve`'s app. Each test has a fresh SQLite
database of its own, so no other test's jobs are in the way."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from folio.api.app import served_app
from folio.config import Settings
from folio.db import migrate
from folio.db.engine import Database
from folio.db.models import Account
from folio.services import customers, invoices, lifecycle
from folio.services.accounts import create_account
from folio.services.context import Ctx
from folio.services.inputs.customers import CustomerCreate
from folio.services.inputs.invoices import InvoiceCreate
from tests.integration.smtp_listener import SmtpListener, smtp_listener

__all__ = ["smtp_listener"]  # the fixture, used by name

FOLIO = str(Path(sys.executable).parent / "folio")


@pytest.fixture
def fresh_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'worker.db'}"
    migrate.upgrade(url)
    return url


def sent_invoice(url: str, customer_email: str) -> str:
    db = Database(url)
    try:
        with db.transaction() as session:
            keys = create_account(session, "secret", name="Seller")
            account = session.get(Account, keys.account.id)
            ctx = Ctx(session, account=account, livemode=False)
            customer = customers.create_customer(ctx, CustomerCreate(
                name="Buyer", email=customer_email))
            invoice = invoices.create_invoice(ctx, InvoiceCreate.model_validate({
                "customer": customer.public_id, "currency": "eur",
                "collection_method": "send_invoice", "days_until_due": 14,
                "lines": [{"description": "Work", "unit_amount": 1000}]}))
            lifecycle.send_invoice(ctx, invoice.public_id)
            return invoice.public_id
    finally:
        db.dispose()


def env(url: str, **extra: str) -> dict[str, str]:
    return {**os.environ, "FOLIO_DATABASE_URL": url, "FOLIO_LOG_LEVEL": "info", **extra}


def test_worker_once_delivers_through_the_server_wide_smtp_defaults(
        fresh_url: str, smtp_listener: SmtpListener) -> None:
    sent_invoice(fresh_url, "once@buyer.example")
    result = subprocess.run(
        [FOLIO, "worker", "--once"], capture_output=True, text=True, check=False,
        env=env(fresh_url, FOLIO_SMTP_HOST=smtp_listener.host,
                FOLIO_SMTP_PORT=str(smtp_listener.port), FOLIO_SMTP_TLS="none",
                FOLIO_SMTP_FROM="invoices@folio.example"))
    assert result.returncode == 0, result.stderr
    logs = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    summary = [entry for entry in logs if entry["msg"] == "due work done"]
    assert summary[0]["done"] == 1
    (message,) = smtp_listener.to("once@buyer.example")
    assert message["From"] == "Seller <invoices@folio.example>"


def test_sigterm_stops_the_worker_gracefully(fresh_url: str) -> None:
    process = subprocess.Popen([FOLIO, "worker", "--poll", "0.05"], env=env(fresh_url),
                               stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    for line in process.stderr:  # blocks until the worker says it started
        if '"worker started"' in line:
            break
    process.send_signal(signal.SIGTERM)
    rest = process.stderr.read()
    assert process.wait() == 0
    assert '"worker stopped"' in rest


def test_a_schema_behind_stops_the_worker(tmp_path: Path) -> None:
    result = subprocess.run([FOLIO, "worker", "--once"], capture_output=True, text=True,
                            check=False, env=env(f"sqlite:///{tmp_path / 'empty.db'}"))
    assert result.returncode == 2
    assert "folio migrate" in result.stderr


def test_the_served_app_runs_the_worker_in_a_thread_and_reports_it(
        fresh_url: str, settings: Settings) -> None:
    embedded = dataclasses.replace(settings, database_url=fresh_url, embedded_worker=True,
                                   worker_poll_seconds=0.05)
    app = served_app(embedded)
    worker = app.state.worker
    with TestClient(app) as client:
        assert worker.stop.is_set() is False
        metrics = client.get("/metrics").text
        assert 'folio_jobs{state="queued"}' in metrics
        assert "folio_worker_last_tick_seconds" in metrics
    assert worker.stop.is_set()  # stopped and joined with the server


def test_the_served_app_has_no_worker_when_turned_off(fresh_url: str,
                                                      settings: Settings) -> None:
    app = served_app(dataclasses.replace(settings, database_url=fresh_url,
                                         embedded_worker=False))
    assert getattr(app.state, "worker", None) is None
