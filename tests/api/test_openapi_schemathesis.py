"""Schemathesis over the app's own /openapi.json, in-process (ASGI), on a real database.

Every generated case is authenticated as a tenant created for this module. For each
operation: no 5xx, the status code is documented, and the body matches the declared
response schema (so the models in src/folio/api/schemas/ really describe the views).

Random ids mostly answer 404, so about half of the generated ids (chosen by the parity of
their length: deterministic) are swapped for ids of objects seeded in the tenant; that way
retrieve, update and action endpoints also answer 200 with real bodies to validate.

A few hand-written cases pin the inputs a fuzzer rarely sends through an HTTP client
(NUL characters in headers, huge numbers, broken JSON): all must be 4xx, never 5xx.
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


def _openapi() -> dict[str, Any]:
    """The document does not depend on the database, so it is built at import time from an
    app over an unused in-memory database; the cases go to the session `app` (the real
    test database)."""
    unused = Settings(database_url="sqlite://", secret="unused", host="127.0.0.1", port=0,
                      log_level="warning", migrate_on_start=False, access_log=False)
    return create_app(unused, Database("sqlite://")).openapi()


schema = schemathesis.openapi.from_dict(_openapi())


class Seeded:
    """A tenant holding one object of each kind, and the ids to aim generated cases at."""

    def __init__(self, tenant: Tenant) -> None:
        self.tenant = tenant
        t = tenant
        rate = f.tax_rate(t, "19")
        product, price = f.product_price(t, 1250)
        coupon = t.ok("POST", "/v1/coupons", {"percent_off": "10"})
        customer = f.customer(t)
        open_inv = f.open_invoice(
            t, customer=customer["id"], default_tax_rates=[rate["id"]],
            discounts=[{"coupon": coupon["id"]}],
            lines=[{"price": price["id"], "quantity": "2"},
                   {"description": "Work", "quantity": "1.5", "unit_amount": 999}])
        payment = t.ok("POST", "/v1/payments", {"invoice": open_inv["id"], "amount": 100})
        credit = t.ok("POST", "/v1/credit_notes", {"invoice": open_inv["id"], "amount": 50})
        draft = f.draft(t, customer=customer["id"])
        grant = t.ok("POST", f"/v1/customers/{customer['id']}/credit_grants",
                     {"amount": 500, "currency": "eur", "reason": "Seeded"})
        meter = t.ok("POST", "/v1/meters", {"code": "api_calls", "name": "API calls"})
        method = t.ok("POST", f"/v1/customers/{customer['id']}/payment_methods",
                      {"token": "pm_card_chargeDeclined"})
        schedule = t.ok("POST", "/v1/recurring_schedules", {
            "customer": customer["id"], "frequency": {"interval": "month"}, "count": 3,
            "start_at": 4_000_000_000, "template": {"lines": [{"unit_amount": 500}]}})
        plan = t.ok("POST", "/v1/plans", {
            "name": "Seeded", "currency": "eur", "base_amount": 1000,
            "features": [{"code": "api_calls", "name": "API calls", "kind": "metered",
                          "included": "10", "charge": {"model": "per_unit",
                                                       "unit_amount_decimal": "2"}}]})
        clock = t.ok("POST", "/v1/test_clocks", {"frozen_time": 1_780_000_000})
        clocked = t.ok("POST", "/v1/customers", {"name": "Clocked", "test_clock": clock["id"]})
        subs = [t.ok("POST", "/v1/subscriptions", {"customer": c, "plan": plan["id"]})
                for c in (customer["id"], clocked["id"])]
        event = t.ok("GET", "/v1/events")["data"][0]
        self.path_ids: dict[str, list[str]] = {
            "customer_id": [customer["id"]], "product_id": [product["id"]],
            "price_id": [price["id"]], "tax_rate_id": [rate["id"]],
            "coupon_id": [coupon["id"]], "invoice_id": [draft["id"], open_inv["id"]],
            "line_id": [draft["lines"]["data"][0]["id"]], "payment_id": [payment["id"]],
            "credit_note_id": [credit["id"]], "event_id": [event["id"]],
            "grant_id": [grant["id"]],
            "meter_id": [meter["id"]], "method_id": [method["id"]],
            "schedule_id": [schedule["id"]], "plan_id": [plan["id"]],
            "sub_id": [x["id"] for x in subs], "clock_id": [clock["id"]],
        }
        self.body_ids: dict[str, str] = {
            "customer": customer["id"], "invoice": open_inv["id"], "product": product["id"],
            "price": price["id"], "coupon": coupon["id"],
            "invoice_line": open_inv["lines"]["data"][0]["id"], "feature": meter["code"],
            "plan": plan["id"], "test_clock": clock["id"],
        }
        self.tax_rate = rate["id"]

    def aim(self, case: Any) -> None:
        """Swap about half of the generated ids for seeded ones (by length parity)."""
        for name, value in list((case.path_parameters or {}).items()):
            choices = self.path_ids.get(name)
            size = len(str(value))
            if choices and size % 2 == 0:
                case.path_parameters[name] = choices[(size // 2) % len(choices)]
        if isinstance(case.body, dict):
            self._aim_body(case.body)

    def _aim_body(self, body: dict[str, Any]) -> None:
        for key, value in body.items():
            if isinstance(value, str) and key in self.body_ids and len(value) % 2 == 0:
                body[key] = self.body_ids[key]
            elif isinstance(value, list):
                if key in ("tax_rates", "default_tax_rates"):
                    body[key] = [self.tax_rate if isinstance(x, str) and len(x) % 2 == 0
                                 else x for x in value]
                for item in value:
                    if isinstance(item, dict):
                        self._aim_body(item)


@pytest.fixture(scope="module")
def seeded(db: Database, client: TestClient) -> Seeded:
    return Seeded(make_tenant(db, client, name="Schemathesis"))


@schema.parametrize()
@settings(max_examples=10, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                 HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
def test_api_conforms_to_its_schema(case: Any, app: Any, seeded: Seeded) -> None:
    seeded.aim(case)
    case.call_and_validate(app=app, headers=seeded.tenant.headers(), checks=CHECKS)


def _assert_client_error(response: Any) -> dict[str, Any]:
    assert 400 <= response.status_code < 500, response.text
    error = response.json()["error"]
    assert set(error) == {"type", "code", "message", "param"}
    return error  # type: ignore[no-any-return]


@pytest.mark.parametrize(("name", "value", "status"), [
    ("Idempotency-Key", "key\x00", 400),
    ("Idempotency-Key", "k" * 256, 400),
    ("Folio-Account", "acct_\x00", 403),
    ("Folio-Account", "a" * 5000, 403),
    ("Folio-Account", "\u00e9\u00ff".encode("latin-1"), 403),
    ("Authorization", "Bearer sk_test_\x00", 401),
    ("Authorization", "Bearer \u00e9".encode("latin-1"), 401),
    ("Authorization", "Basic abc", 401),
])
def test_odd_headers_are_client_errors(seeded: Seeded, client: TestClient, name: str,
                                       value: str | bytes, status: int) -> None:
    headers: dict[str, Any] = {**seeded.tenant.headers(), name: value}
    response = client.post("/v1/customers", json={"name": "Odd"}, headers=headers)
    assert response.status_code == status, response.text
    assert _assert_client_error(response)["param"] in (None, name)


@pytest.mark.parametrize(("path", "param"), [
    ("/v1/customers/cus_%00x", "customer_id"),
    ("/v1/invoices?customer=cus_%00", "customer"),
    ("/v1/events?type=a%00b", "type"),
    ("/v1/customers?starting_after=cus_%00", "starting_after"),
    ("/v1/customers?limit=100000000000000000000000", "limit"),
    ("/v1/customers?created[gt]=100000000000000000000000", "created[gt]"),
    ("/v1/customers?created[lt]=-1", "created[lt]"),
])
def test_odd_query_and_path_values_are_400(seeded: Seeded, path: str, param: str) -> None:
    response = seeded.tenant.client.get(path, headers=seeded.tenant.headers())
    assert response.status_code == 400, response.text
    assert _assert_client_error(response)["param"] == param


@pytest.mark.parametrize(("path", "body"), [
    ("/v1/customers", {"name": "Ada\x00"}),
    ("/v1/customers", {"metadata": {"k\x00": "v"}}),
    ("/v1/customers", {"contacts": [{"name": "x", "phone": "\x00"}]}),
    ("/v1/products", {"name": "p", "description": "\x00"}),
    ("/v1/invoices", {"customer": "cus_x", "lines": [{"period_start": 10**30}]}),
    ("/v1/invoices", {"customer": "cus_x", "recurring_occurrence": 10**30}),
    ("/v1/invoices", {"customer": "cus_x", "lines": [{"quantity": 1e308}]}),
    ("/v1/invoices", {"customer": "cus_x", "lines": [{"quantity": "NaN"}]}),
    ("/v1/invoices/preview", {"customer": "cus_x", "lines": [{"unit_amount": 10**40}]}),
    ("/v1/coupons", {"percent_off": 1e-300}),
    ("/v1/coupons", {"amount_off": 10**30, "currency": "eur"}),
    ("/v1/payments", {"invoice": "in_x", "amount": 10**30}),
    ("/v1/payments", {"invoice": "in_x", "amount": 1, "paid_at": -(10**30)}),
    ("/v1/prices", {"product": "prod_x", "currency": "eur", "unit_amount_decimal": "1e400"}),
    ("/v1/tax_rates", {"display_name": "T", "percentage": "Infinity", "inclusive": False}),
])
def test_odd_bodies_are_400(seeded: Seeded, path: str, body: dict[str, Any]) -> None:
    response = seeded.tenant.post(path, body)
    assert response.status_code == 400, response.text
    assert _assert_client_error(response)["code"] == "parameter_invalid"


@pytest.mark.parametrize("raw", [
    b"{", b"[1]", b"null", b'"text"', b"\xff\xfe{}", b"[" * 50_000 + b"]" * 50_000,
    b'{"customer": ' + b"9" * 5000 + b"}", b'{"customer": "\\ud800"}',
])
def test_malformed_json_is_400(seeded: Seeded, raw: bytes) -> None:
    headers = {**seeded.tenant.headers(), "Content-Type": "application/json"}
    response = seeded.tenant.client.post("/v1/invoices", content=raw, headers=headers)
    assert response.status_code == 400, response.text
    _assert_client_error(response)
