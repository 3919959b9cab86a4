"""`folio render`: many invoices into a folder, chosen by key or account, status,
customer and creation date, with a summary."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from folio.cli.main import app
from folio.db.engine import Database
from tests.api.test_einvoices import buyer, finalized, seller
from tests.conftest import SECRET, Tenant
from tests.unit.documents.pdf_support import declares_pdfa3b, text_of


@pytest.fixture
def env(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOLIO_DATABASE_URL", str(db.engine.url.render_as_string(
        hide_password=False)))
    monkeypatch.setenv("FOLIO_SECRET", SECRET)


def run(*args: str) -> str:
    result = CliRunner().invoke(app, ["render", *args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.usefixtures("env")
def test_renders_by_filter_into_a_folder(tenant: Tenant, other_tenant: Tenant,
                                         tmp_path: Path) -> None:
    seller(tenant)
    customer = buyer(tenant, locale="fr")
    first = finalized(tenant, [{"description": "Conseil", "unit_amount": 1000}],
                      customer=customer)
    second = finalized(tenant, [{"description": "Support", "unit_amount": 500}])
    draft = tenant.ok("POST", "/v1/invoices", {"customer": customer, "lines": [
        {"description": "Draft work", "unit_amount": 100}]})
    seller(other_tenant)
    finalized(other_tenant, [{"description": "Elsewhere", "unit_amount": 100}])

    output = run("--out", str(tmp_path / "all"), "--key", tenant.keys.test_key)
    assert "written" in output
    folder = tmp_path / "all" / tenant.id / "test"
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted([f"{first['number']}.pdf", f"{second['number']}.pdf",
                            f"draft-{draft['id']}.pdf"])
    assert not (tmp_path / "all" / other_tenant.id).exists()
    pdf = (folder / f"{first['number']}.pdf").read_bytes()
    assert declares_pdfa3b(pdf)
    assert "Facture" in text_of(pdf)

    run("--out", str(tmp_path / "open"), "--account", tenant.id, "--status", "open",
        "--customer", customer, "--mode", "test")
    assert [p.name for p in (tmp_path / "open" / tenant.id / "test").iterdir()] == [
        f"{first['number']}.pdf"]
    run("--out", str(tmp_path / "none"), "--account", tenant.id, "--created-to",
        "2000-01-01")
    assert not (tmp_path / "none").exists()


@pytest.mark.usefixtures("env")
def test_bad_filters_are_refused(tenant: Tenant, tmp_path: Path) -> None:
    for args in (["--status", "lost"], ["--created-from", "yesterday"],
                 ["--account", "acct_missing"], ["--key", "sk_test_wrong"]):
        result = CliRunner().invoke(app, ["render", "--out", str(tmp_path), *args])
        assert result.exit_code != 0, args
