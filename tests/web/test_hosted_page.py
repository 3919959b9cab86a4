"""The hosted invoice page over the real app and database (no browser: see
tests/integration/test_hosted_page_browser.py for the one that clicks)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from folio.db.engine import Database
from folio.db.models import ChargeAttempt, Invoice
from tests import factories as f
from tests.conftest import Tenant

GOOD, DECLINED, BROKEN = "4242 4242 4242 4242", "4000 0000 0000 0002", "4242 4242 4242 4241"


@pytest.fixture
def invoice(tenant: Tenant) -> dict[str, Any]:
    rate = f.tax_rate(tenant, "19")
    draft = f.draft(tenant, default_tax_rates=[rate["id"]], lines=[
        {"description": "Consulting <b>day</b>", "quantity": "2", "unit_amount": 50_000},
        {"description": "Travel", "quantity": "1", "unit_amount": 12_345}])
    return tenant.ok("POST", f"/v1/invoices/{draft['id']}/finalize")


def page_path(invoice: dict[str, Any]) -> str:
    url = invoice["hosted_invoice_url"]
    assert re.fullmatch(r"http://127\.0\.0\.1:0/i/[A-Za-z0-9_-]{43}", url), url
    return url.split(":0", 1)[1]


def pay(client: TestClient, path: str, number: str, attempt: str = "a1",
        exp: str = "12/39", cvc: str = "123") -> str:
    response = client.post(f"{path}/pay", data={"card_number": number, "card_exp": exp,
                                                "card_cvc": cvc, "attempt": attempt},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    return response.headers["location"]


def attempts(db: Database, invoice: dict[str, Any]) -> int:
    with db.transaction(write=False) as session:
        return int(session.scalar(
            select(func.count()).select_from(ChargeAttempt).join(Invoice)
            .where(Invoice.public_id == invoice["id"])) or 0)


def test_a_draft_has_no_page_and_a_finalized_invoice_has_an_unguessable_one(
        tenant: Tenant, invoice: dict[str, Any]) -> None:
    assert f.draft(tenant)["hosted_invoice_url"] is None
    other = f.open_invoice(tenant)
    assert page_path(other) != page_path(invoice)


def test_the_page_shows_the_invoice_and_a_payment_form(
        client: TestClient, invoice: dict[str, Any]) -> None:
    response = client.get(page_path(invoice))
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    html = response.text
    assert f"Invoice {invoice['number']}" in html
    assert "Consulting &lt;b&gt;day&lt;/b&gt;" in html  # escaped
    assert "€1,336.91" in html  # (100,000 + 12,345) * 1.19 = 133,690.55 -> 133,691 cents
    assert invoice["amount_due"] == 133_691
    assert 'id="card_number"' in html
    assert '<label for="card_number">' in html
    assert 'id="status">Open<' in html


def test_unknown_tokens_and_rotated_links_are_not_found(
        client: TestClient, tenant: Tenant, invoice: dict[str, Any]) -> None:
    old = page_path(invoice)
    assert client.get("/i/not-a-token").status_code == 404
    rotated = tenant.ok("POST", f"/v1/invoices/{invoice['id']}/hosted_url/rotate")
    assert client.get(old).status_code == 404
    assert client.post(f"{old}/pay", data={"card_number": GOOD}).status_code == 404
    assert client.get(page_path(rotated)).status_code == 200
    draft = f.draft(tenant)
    refused = tenant.post(f"/v1/invoices/{draft['id']}/hosted_url/rotate")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "invoice_not_finalized"


def test_paying_with_a_good_card_pays_the_invoice_as_the_api_would(
        client: TestClient, tenant: Tenant, invoice: dict[str, Any], db: Database) -> None:
    path = page_path(invoice)
    assert pay(client, path, GOOD).endswith("?payment=succeeded")
    paid = tenant.ok("GET", f"/v1/invoices/{invoice['id']}")
    assert (paid["status"], paid["amount_paid"], paid["amount_due"]) == ("paid", 133_691, 0)
    payments = tenant.ok("GET", "/v1/payments")["data"]
    assert [(p["amount"], p["method"]) for p in payments] == [(133_691, "card")]
    types = [e["type"] for e in tenant.ok("GET", "/v1/events")["data"]]
    assert {"invoice.paid", "payment.created", "invoice.payment_succeeded"} <= set(types)
    # the same attempt submitted again (a double click) charges nothing more
    assert pay(client, path, GOOD).endswith("?payment=succeeded")
    assert attempts(db, invoice) == 1
    assert tenant.ok("GET", f"/v1/invoices/{invoice['id']}")["amount_paid"] == 133_691
    html = client.get(path + "?payment=succeeded").text
    assert 'id="status">Paid<' in html
    assert "your payment succeeded" in html
    assert 'id="card_number"' not in html
    # a new attempt on a paid invoice is refused, and writes nothing
    assert pay(client, path, GOOD, attempt="a2").endswith("payment=error&code=invoice_not_payable")
    assert attempts(db, invoice) == 1


def test_a_declined_card_leaves_the_invoice_open_and_says_why(
        client: TestClient, tenant: Tenant, invoice: dict[str, Any], db: Database) -> None:
    path = page_path(invoice)
    location = pay(client, path, DECLINED)
    assert location.endswith("?payment=declined&code=card_declined")
    after = tenant.ok("GET", f"/v1/invoices/{invoice['id']}")
    assert (after["status"], after["amount_paid"]) == ("open", 0)
    failed = [e for e in tenant.ok("GET", "/v1/events")["data"]
              if e["type"] == "invoice.payment_failed"]
    assert failed[0]["data"]["object"]["last_payment_error"]["code"] == "card_declined"
    html = client.get(location.split("testserver", 1)[-1]).text
    assert "Your card was declined." in html
    assert 'id="card_number"' in html
    assert pay(client, path, GOOD, attempt="retry").endswith("?payment=succeeded")
    assert attempts(db, invoice) == 2


@pytest.mark.parametrize(("number", "exp", "cvc", "code"), [
    (BROKEN, "12/39", "123", "invalid_card_number"),
    ("1234", "12/39", "123", "invalid_card_number"),
    (GOOD, "13/39", "123", "invalid_expiry"),
    (GOOD, "01/20", "123", "invalid_expiry"),
    (GOOD, "soon", "123", "invalid_expiry"),
    (GOOD, "12/39", "12a", "invalid_cvc"),
    ("4111 1111 1111 1111", "12/39", "123", "test_card_required"),
])
def test_bad_card_input_is_refused_and_changes_nothing(
        client: TestClient, tenant: Tenant, invoice: dict[str, Any], db: Database,
        number: str, exp: str, cvc: str, code: str) -> None:
    before = attempts(db, invoice)
    location = pay(client, page_path(invoice), number, exp=exp, cvc=cvc)
    assert location.endswith(f"?payment=error&code={code}")
    assert attempts(db, invoice) == before
    assert tenant.ok("GET", f"/v1/invoices/{invoice['id']}")["status"] == "open"


def test_a_void_invoice_shows_its_state_and_offers_no_payment(
        client: TestClient, tenant: Tenant, invoice: dict[str, Any]) -> None:
    tenant.ok("POST", f"/v1/invoices/{invoice['id']}/void")
    html = client.get(page_path(invoice)).text
    assert 'id="status">Void<' in html
    assert 'id="card_number"' not in html
    assert pay(client, page_path(invoice), GOOD).endswith("code=invoice_not_payable")


def test_words_on_the_page_come_from_codes_not_from_the_url(
        client: TestClient, invoice: dict[str, Any]) -> None:
    html = client.get(page_path(invoice) + "?payment=error&code=Call+555-0100").text
    assert "555-0100" not in html
    assert "could not be processed" in html


def test_an_overlong_attempt_key_from_the_form_is_cut_to_fit_not_a_500(
        client: TestClient, tenant: Tenant, invoice: dict[str, Any]) -> None:
    assert pay(client, page_path(invoice), GOOD, attempt="x" * 500).endswith(
        "?payment=succeeded")
    assert tenant.ok("GET", f"/v1/invoices/{invoice['id']}")["status"] == "paid"


def test_the_page_loads_the_pinned_htmx_build(client: TestClient,
                                              invoice: dict[str, Any]) -> None:
    from folio.web.static_files import HTMX_URL

    assert HTMX_URL is not None, "make install fetches htmx; the page needs it"
    html = client.get(page_path(invoice)).text
    assert f'<script src="{HTMX_URL}" defer></script>' in html
    assert 'hx-post="' in html
    assert 'hx-select="main"' in html
    script = client.get(HTMX_URL)
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert "immutable" in script.headers["cache-control"]
    assert client.get("/static/other.js").status_code == 404
