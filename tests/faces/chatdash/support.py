"""Helpers of the ChatDash face tests: a client as ChatDash's would call it, the seeds'
OpenAPI text, and validation of response bodies against it."""

from __future__ import annotations

from functools import cache
from typing import Any

import jsonschema
import yaml
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from pydantic import TypeAdapter

from tests.conftest import Tenant, seeds_openapi_dir

BASE = "/compat/chatdash"
SEEDS = seeds_openapi_dir()
GET_SEED = "000_e92af41253cecfd6"
POST_SEED = "001_691bf507bc5d5505"
VENDOR_HOST = "https://api.chat-dash.com"
VENDOR_PREFIX = "/v1/public"


class ChatDash:
    """Calls the face as a ChatDash client does: raw key in Authorization, paths relative to
    the base URL, write bodies wrapped in `data` (the caller passes them whole)."""

    def __init__(self, tenant: Tenant, live: bool = False, account: str | None = None,
                 bearer: bool = False) -> None:
        self.tenant = tenant
        self.http = tenant.client
        key = tenant.keys.live_key if live else tenant.keys.test_key
        self.auth = f"Bearer {key}" if bearer else key
        self.account = account or tenant.id

    @property
    def acct(self) -> str:
        return f"/stripe/connect/accounts/{self.account}"

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {"Authorization": self.auth, **(extra or {})}

    def get(self, path: str, headers: dict[str, str] | None = None, **params: Any) -> Any:
        return self.http.get(BASE + path, params=params or None, headers=self.headers(headers))

    def post(self, path: str, json: Any, headers: dict[str, str] | None = None) -> Any:
        return self.http.post(BASE + path, json=json, headers=self.headers(headers))

    def put(self, path: str, json: Any, headers: dict[str, str] | None = None) -> Any:
        return self.http.put(BASE + path, json=json, headers=self.headers(headers))

    def ok(self, method: str, path: str, json: Any = None) -> Any:
        response = {"GET": lambda: self.get(path), "POST": lambda: self.post(path, json),
                    "PUT": lambda: self.put(path, json)}[method]()
        assert response.status_code == 200, response.text
        return response.json()

    # what an invoice needs, through the face

    def client_with_admin(self, name: str = "Acme Ltd", email: str = "ann@acme.test") -> str:
        before = {c["_id"] for c in self.ok("GET", "/clients")}
        body = {"client": {"name": name, "language": "en"},
                "member": {"name": "Ann Admin", "loginId": f"ann-{len(before)}",
                           "password": "s3cret-pass", "email": email}}
        assert self.ok("POST", "/clients", body) == {"message": "Client created successfully"}
        (new,) = [c["_id"] for c in self.ok("GET", "/clients") if c["_id"] not in before]
        return str(new)

    def product(self, amount: int | str = 2999, currency: str = "usd",
                name: str = "Onboarding") -> dict[str, Any]:
        return self.ok("POST", f"{self.acct}/products", {"data": {
            "name": name, "pricing_model": "oneTime", "currency": currency,
            "amount": amount}})  # type: ignore[no-any-return]

    def invoice(self, client_id: str, product_id: str, days: int | None = 30) -> Any:
        data: dict[str, Any] = {"clientId": client_id, "productId": product_id,
                                "collection_method": "send_invoice"}
        if days is not None:
            data["days_until_due"] = days
        return self.post(f"{self.acct}/invoices", {"data": data})


# the seeds' OpenAPI text

@cache
def seed_spec(seed: str) -> dict[str, Any]:
    path = SEEDS / f"{seed}.yaml"
    assert path.is_file(), f"seed OpenAPI text missing: {path} (the contract cannot be checked)"
    return yaml.safe_load(path.read_text())  # type: ignore[no-any-return]


def _operation(seed: str) -> tuple[str, str, dict[str, Any]]:
    ((template, methods),) = seed_spec(seed)["paths"].items()
    ((method, operation),) = methods.items()
    return template, method, operation


def strict(schema: dict[str, Any]) -> dict[str, Any]:
    """OpenAPI 3.0 schema to JSON Schema, stricter than the seed: every declared property
    is required and no other is allowed (the seed lists the object's whole shape)."""
    out = {k: v for k, v in schema.items() if k not in ("example", "description", "nullable")}
    if schema.get("nullable"):
        out["type"] = [schema["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    if schema.get("type") == "object" and "properties" in schema:
        out["properties"] = {k: strict(v) for k, v in schema["properties"].items()}
        out["required"] = list(schema["properties"])
        out["additionalProperties"] = False
    return out


def check_seed_response(seed: str, response: Any) -> None:
    """A response of the seed endpoint: 200 is validated by openapi-core against the seed's
    operation; every error status against the seed's declared error shape (the `500`
    response: the seed declares no other). Both also against the strict JSON Schema."""
    _template, method, operation = _operation(seed)
    body = response.json()
    declared = str(response.status_code) if response.status_code in (200, 500) else "500"
    schema = operation["responses"][declared]["content"]["application/json"]["schema"]
    jsonschema.validate(body, strict(schema))
    assert response.headers["content-type"].startswith("application/json")
    if response.status_code == 200:
        vendor_path = VENDOR_PREFIX + response.request.url.path.removeprefix(BASE)
        request = MockRequest(VENDOR_HOST, method, vendor_path,
                              headers={"Authorization": "sk_test_x"})
        OpenAPI.from_dict(seed_spec(seed)).validate_response(
            request, MockResponse(response.content, status_code=200))
    else:
        assert response.status_code != 200


def check_model(model: Any, body: Any) -> None:
    """A body of another endpoint against the face's own response models (written from
    vendors.md): strict types, and nothing missing or extra at any depth."""
    adapter: TypeAdapter[Any] = TypeAdapter(model)
    value = adapter.validate_python(body, strict=True)
    assert adapter.dump_python(value, by_alias=True, mode="json") == body


def check_error(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert isinstance(body["error"], str)
    assert body["error"]
    return str(body["error"])
