"""GET /invoices/{id} (seed 002) validates against the seed's OpenAPI text, for every
status the face can answer it with: 200 (each status and a usage invoice), 400, 401, 404
and 500. (403 never arises: Commet has no header that names another account.)"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from folio.faces.commet.app import create_app
from tests import factories as f
from tests.conftest import Tenant
from tests.faces.commet.helpers import (
    Commet,
    adjustment,
    commet,
    customer,
    error_of,
    openapi_dir,
    validate_seed,
)


def test_the_seed_text_is_there() -> None:
    assert (openapi_dir() / "002_2016e0b54f4b47ce.yaml").is_file()


def test_200_through_the_lifecycle(tenant: Tenant) -> None:
    c = commet(tenant)
    inv = adjustment(c, customer(c)["id"])
    for step in (None, "send", "paid"):
        if step == "send":
            c.ok("POST", f"/invoices/{inv['id']}/send")
        elif step == "paid":
            c.ok("PUT", f"/invoices/{inv['id']}/status", {"status": "paid"})
        response = c.get(f"/invoices/{inv['id']}")
        assert response.status_code == 200
        validate_seed(200, response.json())
    assert response.json()["data"]["status"] == "paid"


def test_200_void_and_uncollectible(tenant: Tenant) -> None:
    c = commet(tenant)
    cus = customer(c)["id"]
    void = adjustment(c, cus)
    c.ok("POST", f"/invoices/{void['id']}/send")
    c.ok("PATCH", f"/invoices/{void['id']}/status", {"status": "void"})
    gone = f.open_invoice(tenant)
    tenant.ok("POST", f"/v1/invoices/{gone['id']}/mark_uncollectible")
    for invoice_id, status in ((void["id"], "void"), (gone["id"], "uncollectible")):
        response = c.get(f"/invoices/{invoice_id}")
        validate_seed(200, response.json())
        assert response.json()["data"]["status"] == status


def test_200_usage_invoice(tenant: Tenant) -> None:
    """Every optional field filled: the usage-billing fields of a Folio invoice."""
    cus = f.customer(tenant)["id"]
    inv = f.draft(tenant, customer=cus, subscription="sub_123", plan_name="Pro",
                  period_start=1_700_000_000, period_end=1_702_592_000, memo="Thanks",
                  po_number="PO-1", reference="REF-1", invoice_type="recurring",
                  metadata={"k": "v"}, lines=[
                      {"type": "plan_base", "description": "Pro plan", "unit_amount": 4900},
                      {"type": "overage", "description": "API calls", "feature_name": "calls",
                       "quantity": "250", "unit_amount_decimal": "0.5",
                       "included_quantity": "1000", "used_quantity": "1250",
                       "overage_quantity": "250",
                       "discounts": [{"percent_off": "10"}]},
                      {"type": "credit", "description": "Credit", "unit_amount": -100}])
    tenant.ok("POST", f"/v1/invoices/{inv['id']}/finalize")
    response = commet(tenant).get(f"/invoices/{inv['id']}")
    validate_seed(200, response.json())
    data = response.json()["data"]
    assert data["subscriptionId"] == "sub_123"
    assert data["periodStart"] == "2023-11-14T22:13:20Z"


def test_401_without_or_with_a_wrong_key(tenant: Tenant) -> None:
    inv = adjustment(commet(tenant), customer(commet(tenant))["id"])
    for key in (None, "", "sk_test_wrong", "Bearer " + tenant.keys.test_key):
        response = Commet(tenant.client, key).get(f"/invoices/{inv['id']}")
        error_of(response, 401, "unauthorized")
        validate_seed(401, response.json())


def test_404_unknown_other_tenant_and_other_mode(tenant: Tenant, other_tenant: Tenant
                                                ) -> None:
    inv = adjustment(commet(tenant), customer(commet(tenant))["id"])
    for c, invoice_id in ((commet(tenant), "in_doesnotexist"),
                          (commet(other_tenant), inv["id"]),
                          (commet(tenant, live=True), inv["id"])):
        response = c.get(f"/invoices/{invoice_id}")
        error_of(response, 404, "invoice_not_found")
        validate_seed(404, response.json())


def test_400_on_an_id_no_database_can_hold(tenant: Tenant) -> None:
    response = commet(tenant).get("/invoices/in_%00x")
    error_of(response, 400)
    validate_seed(400, response.json())


def test_500_in_the_error_envelope() -> None:
    """An unexpected failure still answers in Commet's envelope (a route added for the test
    to a fresh face application; no database involved)."""
    app: FastAPI = create_app()

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("boom")

    with TestClient(app, raise_server_exceptions=False) as c:
        response = c.get("/boom")
    error_of(response, 500, "internal_error")
    validate_seed(500, response.json())
