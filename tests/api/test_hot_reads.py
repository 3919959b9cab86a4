"""The fast lane for GET /v1/invoices/{id} answers exactly what the full pipeline answers,
and hands everything else to it."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.types import Receive, Scope, Send

from folio.api.hot_reads import HotReads
from tests import factories as f
from tests.conftest import Tenant


class Fallback:
    """Stands for the full pipeline: records that it was reached, answers 599."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.calls += 1
        await send({"type": "http.response.start", "status": 599, "headers": []})
        await send({"type": "http.response.body", "body": b""})


@pytest.fixture
def lane(app: FastAPI) -> tuple[TestClient, Fallback]:
    fallback = Fallback()
    hot = HotReads(fallback, state=app.state.folio)
    return TestClient(hot), fallback


@pytest.fixture
def invoice(tenant: Tenant) -> dict[str, Any]:
    rate = f.tax_rate(tenant, "19")
    created = f.draft(tenant, default_tax_rates=[rate["id"]], lines=[
        {"description": f"Item {i}", "quantity": "2", "unit_amount": 995 + i}
        for i in range(10)])
    return tenant.ok("POST", f"/v1/invoices/{created['id']}/finalize")


def test_the_fast_lane_answers_byte_for_byte_what_the_full_pipeline_answers(
        app: FastAPI, tenant: Tenant, invoice: dict[str, Any],
        lane: tuple[TestClient, Fallback]) -> None:
    app.state.folio.auth_cache._items.clear()
    slow = tenant.get(f"/v1/invoices/{invoice['id']}")  # cache miss: the full pipeline
    hot_client, fallback = lane
    fast = hot_client.get(f"/v1/invoices/{invoice['id']}", headers=tenant.headers())
    assert fallback.calls == 0
    assert fast.status_code == slow.status_code == 200
    assert fast.content == slow.content
    assert fast.headers["content-type"] == slow.headers["content-type"]
    assert fast.headers["content-length"] == slow.headers["content-length"]


def test_everything_off_the_happy_path_goes_to_the_full_pipeline(
        tenant: Tenant, other_tenant: Tenant, invoice: dict[str, Any],
        lane: tuple[TestClient, Fallback]) -> None:
    other_tenant.ok("GET", "/v1/account")  # both principals are now cached
    hot_client, fallback = lane
    path = f"/v1/invoices/{invoice['id']}"
    cases = [
        (path, other_tenant.headers()),  # another tenant's invoice
        (path, tenant.headers(live=True)),  # the other mode
        ("/v1/invoices/in_doesnotexist", tenant.headers()),
        (path + "?expand=x", tenant.headers()),  # a query string
        (path, {"Authorization": "Bearer sk_test_notcached"}),
        (path, {}),
        (path + "/extra", tenant.headers()),
        ("/v1/invoices/cus_123", tenant.headers()),
    ]
    for n, (url, headers) in enumerate(cases, start=1):
        assert hot_client.get(url, headers=headers).status_code == 599, url
        assert fallback.calls == n
    assert hot_client.post(path, headers=tenant.headers(), json={}).status_code == 599


def test_through_the_app_errors_keep_their_shape_and_metrics_their_route(
        client: TestClient, tenant: Tenant, other_tenant: Tenant,
        invoice: dict[str, Any]) -> None:
    path = f"/v1/invoices/{invoice['id']}"
    first, second = tenant.get(path), tenant.get(path)  # the second takes the fast lane
    assert first.json() == second.json() == invoice
    assert second.headers["request-id"].startswith("req_")
    other_tenant.ok("GET", "/v1/account")
    for _ in range(2):
        missing = other_tenant.get(path)
        assert missing.status_code == 404
        assert missing.json()["error"]["code"] == "resource_missing"
    metrics = client.get("/metrics").text
    assert 'route="/v1/invoices/{invoice_id}",status="200"' in metrics
    assert 'route="/v1/invoices/in_' not in metrics
