"""A Dollr client over the test app, and the seed's OpenAPI text."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
import yaml
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters

from folio.db.engine import Database
from folio.services.accounts import IssuedCredentials, issue_client_credentials
from tests.conftest import SECRET, Tenant, seeds_openapi_dir

BASE = "/compat/dollr"
SEED = "003_014a2dbf3ce18775.yaml"
SEEDS = seeds_openapi_dir()


def seed_spec() -> dict[str, Any]:
    path = SEEDS / SEED
    assert path.is_file(), f"the seed's OpenAPI text is missing: {path}"
    spec: dict[str, Any] = yaml.safe_load(path.read_text())
    return spec


def credentials(db: Database, tenant: Tenant, live: bool = False) -> IssuedCredentials:
    with db.transaction() as session:
        return issue_client_credentials(session, SECRET, tenant.id, live)


@dataclass
class Dollr:
    """What a Dollr client does: Bearer token, /v1/... paths under the face's base URL."""

    tenant: Tenant
    token: str

    @classmethod
    def with_key(cls, tenant: Tenant, live: bool = False) -> Dollr:
        return cls(tenant, tenant.keys.live_key if live else tenant.keys.test_key)

    def call(self, method: str, path: str, json: Any = None,
             **params: Any) -> httpx.Response:
        return self.tenant.client.request(
            method, BASE + path, json=json, params=params or None,
            headers={"Authorization": f"Bearer {self.token}"})

    def ok(self, method: str, path: str, json: Any = None, **params: Any) -> Any:
        r = self.call(method, path, json, **params)
        assert r.status_code == 200, r.text
        return r.json()

    # what an invoice needs, through the face
    def counterparty(self, fullname: str = "Ada Lovelace") -> dict[str, Any]:
        party = self.ok("POST", "/v1/parties/create", {
            "fullname": fullname, "phone": "2317700000", "email": "ada@example.com",
            "country_code": "LR"})
        return self.ok("POST", "/v1/counterparties/create",  # type: ignore[no-any-return]
                       {"relationship_type": "CUSTOMER", "party_id": party["id"]})

    def invoice(self, currency: str = "USD", items: list[tuple[str, int, Any]] | None = None,
                **fields: Any) -> dict[str, Any]:
        cp = fields.pop("counterparty_id", None) or self.counterparty()["id"]
        inv = self.ok("POST", "/v1/invoices/create", {
            "counterparty_id": cp, "currency": currency, "note": "Thanks",
            "fee_bearer": "PAYER", "as_payment_link": False, **fields})
        for name, qty, amount in [("Work", 2, 12.5)] if items is None else items:
            self.ok("POST", f"/v1/invoices/{inv['id']}/items/add",
                    {"name": name, "currency": currency, "qty": qty, "amount": amount})
        return self.ok("GET", f"/v1/invoices/retrieve/{inv['id']}")  # type: ignore[no-any-return]


@dataclass
class _Request:
    path: str
    method: str
    host_url: str = "http://testserver"
    content_type: str = "application/json"
    body: bytes | None = None
    parameters: RequestParameters = field(default_factory=RequestParameters)


@dataclass
class _Response:
    status_code: int
    data: bytes
    headers: dict[str, str]
    content_type: str = "application/json"


def validate_seed_response(path: str, response: httpx.Response) -> None:
    """Validates a face response against the seed's OpenAPI text (raises if it differs)."""
    assert response.headers["content-type"].startswith("application/json")
    OpenAPI.from_dict(seed_spec()).validate_response(
        _Request(path=path, method="get"),
        _Response(response.status_code, response.content, dict(response.headers)))
