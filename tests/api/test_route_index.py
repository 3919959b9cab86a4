"""The route index (api/route_index.py) answers every request as FastAPI's full router
would, with fewer candidate routes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from folio.api.app import create_app
from folio.api.route_index import RouteIndex, path_key
from folio.config import Settings
from folio.db.engine import Database
from tests.conftest import Tenant

REQUESTS = [
    ("GET", "/ping"), ("GET", "/ping/"), ("GET", "/healthz"), ("GET", "/"),
    ("GET", "/nothing/here"), ("GET", "/v1"), ("GET", "/v1/"), ("GET", "/v1/nothing"),
    ("GET", "/v1/invoices"), ("GET", "/v1/invoices/"), ("POST", "/v1/invoices/preview"),
    ("GET", "/v1/invoices/in_missing"), ("GET", "/v1/invoices/in_missing/finalize"),
    ("POST", "/v1/invoices/in_missing/finalize"), ("GET", "/v1/invoices/in_missing/pdf"),
    ("GET", "/v1/invoices/in_missing/einvoice"), ("DELETE", "/v1/customers"),
    ("GET", "/v1/customers/cus_missing/credit_grants"), ("GET", "/v1/account"),
    ("GET", "/compat/commet/invoices/in_missing"), ("GET", "/compat/dolfin/invoices/x"),
    ("GET", "/compat/nothing"), ("GET", "/i/not-a-token"), ("GET", "/pdf/not-a-token"),
    ("GET", "/static/nothing.js"), ("GET", "/docs"), ("GET", "/openapi.json"),
    ("GET", "/i/"), ("GET", "/i"), ("GET", "/i/not-a-token/pay"), ("POST", "/i/x/pay"),
]


@pytest.fixture(scope="module")
def full_router_client(settings: Settings, db: Database) -> Iterator[TestClient]:
    """The same app with the index taken out: FastAPI's router sees every request."""
    app = create_app(settings, db)
    index = app.router.middleware_stack
    assert isinstance(index, RouteIndex)
    app.router.middleware_stack = index.full
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.mark.parametrize(("method", "path"), REQUESTS)
def test_every_answer_is_the_full_routers(tenant: Tenant, full_router_client: TestClient,
                                          method: str, path: str) -> None:
    indexed = tenant.client.request(method, path, headers=tenant.headers(),
                                    follow_redirects=False)
    full = full_router_client.request(method, path, headers=tenant.headers(),
                                      follow_redirects=False)
    assert indexed.status_code == full.status_code
    assert indexed.headers.get("location") == full.headers.get("location")
    assert indexed.headers.get("allow") == full.headers.get("allow")
    if path != "/openapi.json":  # the same document; key order is not the point here
        assert indexed.content == full.content


def test_a_request_meets_only_the_routes_its_key_names(app: FastAPI) -> None:
    index = app.router.middleware_stack
    assert isinstance(index, RouteIndex)
    everything = len(app.router.routes)
    anywhere = [r for r in index.routers[("ping",)].routes if getattr(r, "path", None) != "/ping"]
    assert len(index.routers[("ping",)].routes) == 1 + len(anywhere)
    assert all(r in index.routers[("v1", "invoices")].routes for r in anywhere)
    invoices = index.routers[path_key("/v1/invoices/in_x/finalize")].routes
    assert 0 < len(invoices) < everything / 4
    assert len(index.routers[path_key("/compat/commet/invoices/x")].routes) == 1
    assert index.router_for("/v1/nothing") is None  # the full router answers
    assert index.router_for("/ping/") is None  # its slash redirect too
    hosted = index.router_for("/i/some-token")
    assert hosted is not None
    assert len(hosted.routes) < everything / 4


def test_the_key_is_the_first_two_segments() -> None:
    assert path_key("/ping") == ("ping",)
    assert path_key("/v1/invoices") == ("v1", "invoices")
    assert path_key("/v1/invoices/in_1/finalize") == ("v1", "invoices")
    assert path_key("/") == ("",)
