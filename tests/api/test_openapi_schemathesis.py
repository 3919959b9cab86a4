"""Schemathesis over the app's own /openapi.json, in-process (ASGI), on a real database.

Every generated case is authenticated as a tenant created for this module. For each
operation: no 5xx, the status code is documented, and the body matches the declared
response schema (so the schemas in src/folio/api/schemas.py really describe the views).
Path parameters are mostly random ids, so 404s are expected and fine.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from folio.api.app import create_app
from folio.config import Settings
from folio.db.engine import Database
from tests import factories as f
from tests.conftest import Tenant, make_tenant

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def module_tenant(db: Database, client: TestClient) -> Tenant:
    """One tenant for the whole module, seeded with one object of each kind so list
    endpoints return real rows that the response schemas must describe."""
    t = make_tenant(db, client, name="Schemathesis")
    rate = f.tax_rate(t, "19")
    _, price = f.product_price(t, 1250)
    coupon = t.ok("POST", "/v1/coupons", {"percent_off": "10"})
    inv = f.open_invoice(t, default_tax_rates=[rate["id"]], discounts=[{"coupon": coupon["id"]}],
                         lines=[{"price": price["id"], "quantity": "2"},
                                {"description": "Work", "quantity": "1.5", "unit_amount": 999}])
    t.ok("POST", "/v1/payments", {"invoice": inv["id"], "amount": 100})
    t.ok("POST", "/v1/credit_notes", {"invoice": inv["id"], "amount": 50})
    f.draft(t)
    return t


def _openapi() -> dict[str, Any]:
    """The document is static (it does not depend on the database), so it is built at
    import time from an app over an unused in-memory database; the cases are sent to the
    session `app` (on the real test database)."""
    settings = Settings(database_url="sqlite://", secret="unused", host="127.0.0.1", port=0,
                        log_level="warning", migrate_on_start=False, access_log=False)
    return create_app(settings, Database("sqlite://")).openapi()


schema = schemathesis.openapi.from_dict(_openapi())


@schema.parametrize()
@settings(max_examples=10, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                 HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
def test_api_conforms_to_its_schema(case: Any, app: Any, module_tenant: Tenant) -> None:
    case.call_and_validate(app=app, headers=module_tenant.headers(), checks=CHECKS)
