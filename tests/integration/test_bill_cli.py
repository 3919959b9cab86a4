"""`folio bill run`: the CLI bills what is due and prints a summary."""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner

from folio.cli.billing import parse_instant
from folio.cli.main import app
from folio.db.engine import Database
from tests.conftest import make_tenant
from tests.subscription_helpers import DAY, invoices_of, metered_plan, now


def test_bill_run_bills_and_summarises(db: Database, client: Any, database_url: str,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    t = make_tenant(db, client, "CLI")
    plan = metered_plan(t)
    cus = t.ok("POST", "/v1/customers", {"name": "C"})["id"]
    sub = t.ok("POST", "/v1/subscriptions", {"customer": cus, "plan": plan["id"],
                                             "start_date": now() - 3 * DAY, "seats": 3})
    monkeypatch.setenv("FOLIO_DATABASE_URL", database_url)
    at = str(sub["current_period_end"])
    result = CliRunner().invoke(app, ["bill", "run", "--at", at, "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert len(invoices_of(t, sub["id"])) == 2
    assert "invoices" in result.output, result.output
    assert "EUR" in result.output, result.output
    # a second run bills nothing twice
    CliRunner().invoke(app, ["bill", "run", "--at", at])
    assert len(invoices_of(t, sub["id"])) == 2


def test_parse_instant() -> None:
    assert parse_instant("1780000000") == 1780000000
    assert parse_instant("2026-05-28T20:26:40Z") == 1780000000
    assert parse_instant("2026-05-28T20:26:40") == 1780000000
