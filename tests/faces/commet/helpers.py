"""Shared helpers of the Commet face tests: the client calls as a Commet client makes them,
and the seed's OpenAPI text as the contract."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator
from pydantic import BaseModel

from tests.conftest import Tenant, seeds_openapi_dir

BASE = "/compat/commet"
SEED = "002_2016e0b54f4b47ce.yaml"
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def openapi_dir() -> Path:
    return seeds_openapi_dir()


@lru_cache(maxsize=1)
def seed_spec() -> dict[str, Any]:
    path = openapi_dir() / SEED
    assert path.is_file(), f"the seed's OpenAPI text is missing: {path}"  # fail, never skip
    return yaml.safe_load(path.read_text())  # type: ignore[no-any-return]


def validate_seed(status: int, body: Any) -> None:
    """The body of GET /invoices/{id} answered with `status` validates against the seed."""
    spec = seed_spec()
    responses = spec["paths"]["/invoices/{id}"]["get"]["responses"]
    assert str(status) in responses, f"the seed declares no {status} response"
    declared = responses[str(status)]
    if "$ref" in declared:
        declared = spec["components"]["responses"][declared["$ref"].rsplit("/", 1)[1]]
    schema = {**declared["content"]["application/json"]["schema"],
              "components": spec["components"]}
    Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER
                         ).validate(body)
    if status == 200:
        for name in ("periodStart", "periodEnd", "issueDate", "dueDate", "createdAt",
                     "updatedAt"):
            value = body["data"].get(name)
            assert value is None or ISO.match(value), (name, value)


def check(model: type[BaseModel], body: Any) -> None:
    """Endpoints beyond the seed validate against the face's own response models."""
    model.model_validate(body)


class Commet:
    """What a Commet client sends: base URL + x-api-key."""

    def __init__(self, client: TestClient, key: str | None) -> None:
        self.client = client
        self.key = key

    def headers(self, **extra: str) -> dict[str, str]:
        out = {"x-api-key": self.key} if self.key is not None else {}
        return {**out, **extra}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(BASE + path, params=params or None, headers=self.headers())

    def post(self, path: str, json: Any = None, **headers: str) -> Any:
        return self.client.post(BASE + path, json=json, headers=self.headers(**headers))

    def put(self, path: str, json: Any = None, **headers: str) -> Any:
        return self.client.put(BASE + path, json=json, headers=self.headers(**headers))

    def patch(self, path: str, json: Any = None, **headers: str) -> Any:
        return self.client.patch(BASE + path, json=json, headers=self.headers(**headers))

    def ok(self, method: str, path: str, json: Any = None, status: int = 200) -> Any:
        response = getattr(self, method.lower())(path, json) if method != "GET" \
            else self.get(path)
        assert response.status_code == status, response.text
        body = response.json()
        assert body["success"] is True
        assert response.headers["x-request-id"]
        return body["data"]


def commet(t: Tenant, live: bool = False) -> Commet:
    return Commet(t.client, t.keys.live_key if live else t.keys.test_key)


def error_of(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is False
    assert set(body["error"]) == {"type", "code", "message", "param", "details", "doc_url"}
    if code is not None:
        assert body["error"]["code"] == code, body
    return body["error"]  # type: ignore[no-any-return]


def customer(c: Commet, **fields: Any) -> dict[str, Any]:
    body = {"email": "ada@example.com", "fullName": "Ada Lovelace", **fields}
    return c.ok("POST", "/customers", body, status=201)  # type: ignore[no-any-return]


def adjustment(c: Commet, customer_id: str, amount: int = 12_345,
               description: str = "Onboarding fee", **fields: Any) -> dict[str, Any]:
    body = {"customerId": customer_id, "amount": amount, "description": description, **fields}
    return c.ok("POST", "/invoices", body, status=201)  # type: ignore[no-any-return]
