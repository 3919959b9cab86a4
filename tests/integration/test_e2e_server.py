"""End to end over real HTTP: a uvicorn server on a free port, driven with httpx.

One whole invoice lifecycle (customer, tax rate, product and price, a three-line draft,
finalize, partial payment, credit note, payment of the rest, events), plus /healthz and
/metrics; every response must carry a Request-Id header.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from folio.db.engine import Database
from tests.conftest import make_tenant


@pytest.fixture
def http(live_server: str, db: Database, client: TestClient) -> Iterator[httpx.Client]:
    """An httpx client on the live server, authenticated as a fresh tenant; it records
    every response it receives in `http.responses` (a list on the client)."""
    tenant = make_tenant(db, client, name="E2E")
    responses: list[httpx.Response] = []
    with httpx.Client(base_url=live_server, headers=tenant.headers(),
                      event_hooks={"response": [responses.append]}) as c:
        c.responses = responses  # type: ignore[attr-defined]
        yield c


def ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    return response.json()  # type: ignore[no-any-return]


def test_whole_lifecycle_over_http(http: httpx.Client) -> None:
    customer = ok(http.post("/v1/customers", json={
        "name": "Grace Hopper", "email": "grace@example.com",
        "contacts": [{"name": "Grace", "email": "grace@example.com", "roles": ["admin"]}]}))
    assert customer["object"] == "customer"
    assert [c["roles"] for c in customer["contacts"]] == [["admin"]]

    rate = ok(http.post("/v1/tax_rates", json={"display_name": "VAT", "percentage": "19",
                                               "inclusive": False}))
    product = ok(http.post("/v1/products", json={"name": "Consulting"}))
    price = ok(http.post("/v1/prices", json={"product": product["id"], "currency": "eur",
                                             "unit_amount": 2500}))
    assert price["product"] == product["id"]
    assert price["unit_amount"] == 2500

    body = {"customer": customer["id"], "currency": "eur", "default_tax_rates": [rate["id"]],
            "lines": [{"price": price["id"], "quantity": "2"},
                      {"description": "Workshop", "quantity": "3", "unit_amount": 3333},
                      {"description": "Travel", "quantity": "0.5", "unit_amount": 1000}]}
    draft = ok(http.post("/v1/invoices", json=body, headers={"Idempotency-Key": "e2e-draft"}))
    assert draft["status"] == "draft"
    assert draft["number"] is None
    assert [x["amount"] for x in draft["lines"]["data"]] == [5000, 9999, 500]
    assert draft["subtotal"] == 15499
    assert draft["tax"] == sum(x["tax_amount"] for x in draft["lines"]["data"]) > 0
    total = draft["total"]
    assert total == draft["subtotal"] + draft["tax"] == draft["amount_due"]

    # the same Idempotency-Key and body replays the stored response
    replay = http.post("/v1/invoices", json=body, headers={"Idempotency-Key": "e2e-draft"})
    assert ok(replay)["id"] == draft["id"]
    assert replay.headers["Idempotent-Replayed"] == "true"

    inv = ok(http.post(f"/v1/invoices/{draft['id']}/finalize"))
    assert inv["status"] == "open"
    assert inv["payment_state"] == "unpaid"
    assert inv["number"] is not None
    assert inv["total"] == total

    payment = ok(http.post("/v1/payments", json={"invoice": inv["id"], "amount": 5000}))
    assert payment["amount"] == 5000
    assert payment["invoice"] == inv["id"]
    inv = ok(http.get(f"/v1/invoices/{inv['id']}"))
    assert inv["payment_state"] == "partially_paid"
    assert inv["amount_due"] == total - 5000

    note = ok(http.post("/v1/credit_notes", json={"invoice": inv["id"], "amount": 1000,
                                                  "reason": "order_change"}))
    assert note["type"] == "pre_payment"
    assert note["amount"] == 1000
    inv = ok(http.get(f"/v1/invoices/{inv['id']}"))
    assert inv["amount_credited"] == 1000
    assert inv["amount_due"] == total - 6000

    paid = ok(http.post(f"/v1/invoices/{inv['id']}/pay"))
    assert paid["status"] == "paid"
    assert paid["payment_state"] == "paid"
    assert paid["amount_paid"] == total - 1000
    assert paid["amount_due"] == 0

    payments = ok(http.get("/v1/payments", params={"invoice": inv["id"]}))["data"]
    assert sorted(p["amount"] for p in payments) == sorted([5000, total - 6000])
    notes = ok(http.get("/v1/credit_notes", params={"invoice": inv["id"]}))["data"]
    assert [n["id"] for n in notes] == [note["id"]]

    types = [e["type"] for e in ok(http.get("/v1/events", params={"limit": 100}))["data"]]
    for expected in ("customer.created", "tax_rate.created", "product.created",
                     "price.created", "invoice.created", "invoice.finalized",
                     "payment.created", "credit_note.created", "invoice.paid"):
        assert expected in types
    invoice_types = [e["type"] for e in ok(http.get(
        "/v1/events", params={"object_id": inv["id"]}))["data"]]
    assert invoice_types[0] == "invoice.paid"
    assert invoice_types[-1] == "invoice.created"
    event = ok(http.get(f"/v1/events/{ok(http.get('/v1/events'))['data'][0]['id']}"))
    assert event["object"] == "event"

    # errors over HTTP keep the canonical shape
    missing = http.get("/v1/invoices/in_does_not_exist")
    assert missing.status_code == 404
    assert missing.json()["error"]["type"]
    anonymous = httpx.get(f"{http.base_url}/v1/account")
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "api_key_missing"
    assert anonymous.headers["Request-Id"].startswith("req_")

    ids = [r.headers.get("Request-Id") for r in http.responses]  # type: ignore[attr-defined]
    assert len(ids) >= 15
    assert all(i and i.startswith("req_") for i in ids)
    assert len(set(ids)) == len(ids)


def test_healthz_and_metrics_over_http(http: httpx.Client, db: Database) -> None:
    health = http.get("/healthz")
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "database": db.dialect}
    ok(http.get("/v1/account"))

    metrics = http.get("/metrics")
    assert metrics.status_code == 200
    assert metrics.headers["content-type"].startswith("text/plain")
    text = metrics.text
    assert "# TYPE folio_requests_total counter" in text
    assert 'folio_requests_total{method="GET",route="/healthz",status="200"}' in text
    assert 'folio_requests_total{method="GET",route="/v1/account",status="200"}' in text
    assert "folio_request_duration_seconds_bucket" in text
    assert "folio_uptime_seconds" in text
    for response in http.responses:  # type: ignore[attr-defined]
        assert response.headers["Request-Id"].startswith("req_")
