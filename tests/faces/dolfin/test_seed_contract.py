"""Seed 004 (GET /invoices/{id}): every answer validates against the seed's OpenAPI text,
with openapi-core (status, media type, body) and with jsonschema."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

from tests.conftest import Tenant, make_tenant
from tests.faces.dolfin.helpers import Dolfin, assert_problem, assert_seed, seed_spec


@cache
def _openapi() -> OpenAPI:
    # problem+json is JSON: tell openapi-core to parse it like application/json
    config = Config(extra_media_type_deserializers={"application/problem+json": json.loads})
    return OpenAPI.from_dict(seed_spec(), config=config)


class _Request:
    def __init__(self, path: str, invoice_id: str) -> None:
        self.host_url = "https://api.dolfinai.co"
        self.path = path
        self.full_url_pattern = self.host_url + path
        self.method = "get"
        self.parameters = RequestParameters(path={"id": invoice_id}, query=ImmutableMultiDict(),
                                            header=Headers(), cookie=ImmutableMultiDict())
        self.content_type = "application/json"
        self.body = b""


class _Response:
    def __init__(self, response: Any) -> None:
        self.data = response.content
        self.status_code = response.status_code
        self.content_type = response.headers["content-type"].split(";")[0]
        self.headers = Headers(dict(response.headers))


def validate_seed_response(invoice_id: str, response: Any) -> None:
    _openapi().validate_response(_Request(f"/invoices/{invoice_id}", invoice_id),
                                 _Response(response))


def _get(d: Dolfin, invoice_id: str) -> Any:
    r = d.get(f"/invoices/{invoice_id}")
    validate_seed_response(invoice_id, r)
    return r


def test_draft_then_sent_then_paid_validate(tenant: Tenant) -> None:
    d = Dolfin(tenant)
    inv = d.invoice()
    for step in ("draft", "send", "pay"):
        if step == "send":
            d.ok("POST", f"/invoices/{inv['id']}/send")
        if step == "pay":
            d.ok("POST", f"/invoices/{inv['id']}/payments", {"amount": "240.00"}, 201)
        r = _get(d, inv["id"])
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("application/json")
        assert_seed("InvoiceResponse", r.json())
    assert r.json()["status"] == "Paid"


@pytest.mark.parametrize("state", ["PartiallyPaid", "Credited", "Void"])
def test_other_statuses_validate(tenant: Tenant, state: str) -> None:
    d = Dolfin(tenant)
    inv = d.invoice()
    if state == "Void":
        assert d.delete(f"/invoices/{inv['id']}").status_code == 204
    else:
        d.ok("POST", f"/invoices/{inv['id']}/send")
        d.ok("POST", f"/invoices/{inv['id']}/payments", {"amount": "40"}, 201)
        if state == "Credited":
            cn = d.ok("POST", f"/invoices/{inv['id']}/credit-notes", {"amount": "200"})
            d.ok("POST", f"/invoices/{inv['id']}/credit-notes/{cn['id']}/issue")
    r = _get(d, inv["id"])
    assert r.json()["status"] == state
    assert_seed("InvoiceResponse", r.json())


@pytest.mark.parametrize("invoice_id", ["00000000-0000-4000-8000-000000000000",
                                        "not-a-uuid", "in_123"])
def test_404_is_problem_json_naming_invoice_not_found(tenant: Tenant, invoice_id: str) -> None:
    r = Dolfin(tenant).get(f"/invoices/{invoice_id}")
    body = assert_problem(r, 404, "Invoice.NotFound")
    assert "Invoice.NotFound" in body["detail"]
    if invoice_id != "not-a-uuid" and invoice_id != "in_123":
        validate_seed_response(invoice_id, r)


def test_another_tenants_invoice_and_live_key_are_404(db: Any, client: Any,
                                                       tenant: Tenant) -> None:
    inv = Dolfin(tenant).invoice()
    other = make_tenant(db, client, "Other")
    for d in (Dolfin(other), Dolfin(tenant, live=True)):
        r = d.get(f"/invoices/{inv['id']}")
        assert_problem(r, 404, "Invoice.NotFound")
        validate_seed_response(inv["id"], r)


def test_seed_fields_are_all_present(tenant: Tenant) -> None:
    d = Dolfin(tenant)
    body = d.invoice()
    spec = seed_spec()["components"]["schemas"]
    assert set(body) == set(spec["InvoiceResponse"]["properties"])
    assert set(body["customer"]) == set(spec["CustomerResponse"]["properties"])
    assert set(body["lineItems"][0]) == set(spec["InvoiceLineItemResponse"]["properties"])
    d.ok("POST", f"/invoices/{body['id']}/send")
    snap = d.ok("GET", f"/invoices/{body['id']}")["lineItems"][0]["taxRateSnapshot"]
    assert set(snap) == set(spec["TaxRateSnapshotResponse"]["properties"])
