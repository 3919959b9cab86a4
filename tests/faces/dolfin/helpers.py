"""Calling Folio the way a Dolfin client does, and checking bodies against the seed."""

from __future__ import annotations

from typing import Any

import yaml
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator, FormatChecker
from pydantic import BaseModel

from tests.conftest import Tenant, seeds_openapi_dir

BASE = "/compat/dolfin"
SEED = seeds_openapi_dir() / "004_20ce11b592726e15.yaml"


def seed_spec() -> dict[str, Any]:
    assert SEED.is_file(), f"the seed OpenAPI text is missing: {SEED}"
    return yaml.safe_load(SEED.read_text())  # type: ignore[no-any-return]


def seed_validator(component: str) -> Draft202012Validator:
    spec = seed_spec()
    schema = {"$ref": f"#/components/schemas/{component}", "components": spec["components"]}
    return Draft202012Validator(schema, format_checker=FormatChecker())


def assert_seed(component: str, body: Any) -> None:
    errors = sorted(seed_validator(component).iter_errors(body), key=str)
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors]


def assert_model(model: type[BaseModel], body: Any) -> None:
    model.model_validate(body)


class Dolfin:
    """A Dolfin client of one tenant: key + organisation header."""

    def __init__(self, tenant: Tenant, live: bool = False, org: str | None = None) -> None:
        self.tenant = tenant
        self.client: TestClient = tenant.client
        key = tenant.keys.live_key if live else tenant.keys.test_key
        self.headers = {"x-dolfin-api-key": key,
                        "x-dolfin-organisation-id": org or tenant.keys.account.uuid}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(BASE + path, params=params or None, headers=self.headers)

    def post(self, path: str, json: Any = None) -> Any:
        return self.client.post(BASE + path, json=json, headers=self.headers)

    def patch(self, path: str, json: Any) -> Any:
        return self.client.patch(BASE + path, json=json, headers=self.headers)

    def delete(self, path: str) -> Any:
        return self.client.delete(BASE + path, headers=self.headers)

    def ok(self, method: str, path: str, json: Any = None, status: int = 200) -> Any:
        r = self.post(path, json) if method == "POST" else (
            self.patch(path, json) if method == "PATCH" else self.get(path))
        assert r.status_code == status, r.text
        return r.json()

    # what an invoice needs

    def customer(self, **fields: Any) -> dict[str, Any]:
        body = {"name": "Acme Ltd", "email": "ap@acme.example", "addressLine1": "1 High St",
                "city": "London", "postalCode": "EC1A 1AA", "country": "GB", **fields}
        return self.ok("POST", "/customers", body, 201)  # type: ignore[no-any-return]

    def product(self, unit_price: Any = "100.00", **fields: Any) -> dict[str, Any]:
        body = {"name": "Consulting day", "currency": "GBP", "unitPrice": unit_price,
                "type": "Service", **fields}
        return self.ok("POST", "/products", body, 201)  # type: ignore[no-any-return]

    def tax_rate(self, rate: Any = "20", code: str = "GB-STD") -> dict[str, Any]:
        body = {"code": code, "name": "UK VAT standard", "rate": rate}
        return self.ok("POST", "/tax-rates", body, 201)  # type: ignore[no-any-return]

    def invoice(self, quantity: Any = 2, **fields: Any) -> dict[str, Any]:
        customer = fields.pop("customerId", None) or self.customer()["id"]
        product = self.product()
        rate = self.tax_rate()
        body = {"customerId": customer, "currency": "GBP",
                "dueDate": "2030-01-31T00:00:00Z", "memo": "Thanks",
                "lineItems": [{"productId": product["id"], "quantity": quantity,
                               "taxRateId": rate["id"]}], **fields}
        return self.ok("POST", "/invoices", body)  # type: ignore[no-any-return]


def assert_problem(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert set(body) >= {"type", "title", "status", "detail"}
    assert body["status"] == status
    assert_seed("ProblemDetails", body)
    if code is not None:
        assert body["code"] == code, body
    return body  # type: ignore[no-any-return]
