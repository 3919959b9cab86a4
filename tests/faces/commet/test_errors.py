"""Bad input through the Commet face: Commet's error envelope, a fitting status, never a
500, and nothing changed. Tenant and mode isolation."""

from __future__ import annotations

from typing import Any

import pytest

from folio.faces.commet.schemas import ErrorEnvelope
from tests import factories as f
from tests.conftest import Tenant
from tests.faces.commet.helpers import BASE, Commet, adjustment, check, commet, customer, error_of


def _count(t: Tenant, what: str) -> int:
    return len(t.ok("GET", f"/v1/{what}?limit=100")["data"])


@pytest.mark.parametrize(("body", "field"), [
    ({}, "customerId"),
    ({"amount": 5, "description": "x"}, "customerId"),
    ({"customerId": "CUS", "description": "x"}, "amount"),
    ({"customerId": "CUS", "amount": "5", "description": "x"}, "amount"),
    ({"customerId": "CUS", "amount": 5.5, "description": "x"}, "amount"),
    ({"customerId": "CUS", "amount": 5}, "description"),
    ({"customerId": "CUS", "amount": 5, "description": ""}, "description"),
    ({"customerId": "CUS", "amount": 5, "description": "x", "metadata": {"a": 1}},
     "metadata.a"),
    ({"customerId": "CUS", "amount": 10**13, "description": "x"}, "amount"),
    ([1, 2], "body"),
])
def test_create_invoice_validation(tenant: Tenant, body: Any, field: str) -> None:
    c = commet(tenant)
    cus = customer(c)["id"]
    if isinstance(body, dict) and body.get("customerId") == "CUS":
        body = {**body, "customerId": cus}
    err = error_of(c.post("/invoices", body), 400, "validation_error")
    assert err["type"] == "validation_error"
    assert field in [d["field"] for d in err["details"]]
    assert all(set(d) == {"field", "message"} for d in err["details"])
    assert _count(tenant, "invoices") == 0


def test_not_json(tenant: Tenant) -> None:
    response = tenant.client.post(BASE + "/invoices", content=b"{not json",
                                  headers={"x-api-key": tenant.keys.test_key,
                                           "content-type": "application/json"})
    error_of(response, 400, "validation_error")


@pytest.mark.parametrize(("body", "field"), [
    ({}, "amount"),
    ({"currency": "eur", "reason": "x"}, "amount"),
    ({"amount": 0, "currency": "eur", "reason": "x"}, "amount"),
    ({"amount": -5, "currency": "eur", "reason": "x"}, "amount"),
    ({"amount": "5", "currency": "eur", "reason": "x"}, "amount"),
    ({"amount": 5.5, "currency": "eur", "reason": "x"}, "amount"),
    ({"amount": 10**13, "currency": "eur", "reason": "x"}, "amount"),
    ({"amount": 5, "reason": "x"}, "currency"),
    ({"amount": 5, "currency": "gbp", "reason": "x"}, "currency"),
    ({"amount": 5, "currency": "EUR", "reason": "x"}, "currency"),
    ({"amount": 5, "currency": "eur"}, "reason"),
    ({"amount": 5, "currency": "eur", "reason": ""}, "reason"),
    ({"amount": 5, "currency": "eur", "reason": "x", "expiresAt": "next week"}, "expiresAt"),
    ([1], "body"),
])
def test_create_credit_validation(tenant: Tenant, body: Any, field: str) -> None:
    c = commet(tenant)
    cus = customer(c)["id"]
    err = error_of(c.post(f"/customers/{cus}/credits", body), 400, "validation_error")
    assert field in [d["field"] for d in err["details"]]
    assert c.ok("GET", f"/customers/{cus}/credits") == []


def test_credit_rules_unknown_ids_and_state(tenant: Tenant, other_tenant: Tenant) -> None:
    c = commet(tenant)
    cus = customer(c)["id"]
    past = {"amount": 5, "currency": "eur", "reason": "x", "expiresAt": "2001-01-01T00:00:00Z"}
    assert error_of(c.post(f"/customers/{cus}/credits", past), 400,
                    "expires_at_in_past")["param"] == "expiresAt"
    body = {"amount": 5, "currency": "eur", "reason": "x"}
    theirs = customer(commet(other_tenant))["id"]
    for path in ("/customers/cus_nope/credits", f"/customers/{theirs}/credits"):
        error_of(c.post(path, body), 404, "customer_not_found")
        error_of(c.get(path), 404, "customer_not_found")
    credit = c.ok("POST", f"/customers/{cus}/credits", body, status=201)
    error_of(c.post(f"/customers/{cus}/credits/ccg_nope/revoke"), 404, "credit_not_found")
    other_cus = customer(c, email="bob@example.com")["id"]  # another customer's path
    error_of(c.post(f"/customers/{other_cus}/credits/{credit['id']}/revoke"), 404,
             "credit_not_found")
    error_of(commet(other_tenant).post(f"/customers/{cus}/credits/{credit['id']}/revoke"),
             404, "customer_not_found")
    error_of(commet(tenant, live=True).get(f"/customers/{cus}/credits"), 404,
             "customer_not_found")
    c.ok("POST", f"/customers/{cus}/credits/{credit['id']}/revoke")
    err = error_of(c.post(f"/customers/{cus}/credits/{credit['id']}/revoke"), 409,
                   "credit_grant_revoked")
    assert err["type"] == "conflict_error"
    assert error_of(c.get(f"/customers/{cus}/credits", cursor="ccg_nope"), 400)["param"] \
        == "cursor"


def test_unknown_and_foreign_customer(tenant: Tenant, other_tenant: Tenant) -> None:
    theirs = customer(commet(other_tenant))["id"]
    mine = customer(commet(tenant))["id"]
    for c, cus in ((commet(tenant), "cus_nope"), (commet(tenant), theirs),
                   (commet(tenant, live=True), mine)):
        err = error_of(c.post("/invoices", {"customerId": cus, "amount": 5,
                                            "description": "x"}), 404, "customer_not_found")
        assert err["param"] == "customerId"
        error_of(c.get(f"/customers/{cus}"), 404, "customer_not_found")
        error_of(c.patch(f"/customers/{cus}", {"fullName": "X"}), 404, "customer_not_found")
        error_of(c.get("/invoices", customerId=cus), 404, "customer_not_found")
    assert _count(tenant, "invoices") == _count(other_tenant, "invoices") == 0
    assert tenant.ok("GET", f"/v1/customers/{mine}")["name"] == "Ada Lovelace"


def test_foreign_invoice_is_not_found_for_every_route(tenant: Tenant,
                                                      other_tenant: Tenant) -> None:
    c = commet(tenant)
    inv = adjustment(c, customer(c)["id"])
    for stranger in (commet(other_tenant), commet(tenant, live=True)):
        error_of(stranger.get(f"/invoices/{inv['id']}"), 404, "invoice_not_found")
        error_of(stranger.post(f"/invoices/{inv['id']}/send"), 404, "invoice_not_found")
        error_of(stranger.put(f"/invoices/{inv['id']}/status", {"status": "void"}), 404,
                 "invoice_not_found")
        error_of(stranger.patch(f"/invoices/{inv['id']}/status", {"status": "paid"}), 404,
                 "invoice_not_found")
        assert stranger.get("/invoices").json()["data"] == []
        assert stranger.get("/customers").json()["data"] == []
    assert tenant.ok("GET", f"/v1/invoices/{inv['id']}")["status"] == "draft"


def test_auth_comes_first_and_covers_every_route(tenant: Tenant) -> None:
    c = commet(tenant)
    inv = adjustment(c, customer(c)["id"])
    for key in (None, "nope"):
        anon = Commet(tenant.client, key)
        for response in (anon.get("/invoices"), anon.post("/invoices", {"bad": True}),
                         anon.post(f"/invoices/{inv['id']}/send"),
                         anon.put(f"/invoices/{inv['id']}/status", {}),
                         anon.patch(f"/invoices/{inv['id']}/status", {"status": "paid"}),
                         anon.post("/customers", {}), anon.get("/customers"),
                         anon.put("/customers/x", {})):
            err = error_of(response, 401, "unauthorized")
            assert err["type"] == "authentication_error"
    # an Authorization header is not Commet's: still 401
    response = tenant.client.get(BASE + "/invoices",
                                 headers={"Authorization": f"Bearer {tenant.keys.test_key}"})
    error_of(response, 401, "unauthorized")
    assert tenant.ok("GET", f"/v1/invoices/{inv['id']}")["status"] == "draft"


@pytest.mark.parametrize(("body", "field"), [
    ({}, "email"),
    ({"email": "not-an-email"}, "email"),
    ({"email": "a@b.co", "timezone": "Mars/Olympus"}, "timezone"),
    ({"email": "a@b.co", "fullName": 5}, "fullName"),
    ({"email": "a@b.co", "metadata": {"k": {"nested": 1}}}, "metadata.k"),
    ({"email": "a@b.co", "address": {"country": "Germany"}}, "address.country"),
])
def test_create_customer_validation(tenant: Tenant, body: dict[str, Any], field: str) -> None:
    err = error_of(commet(tenant).post("/customers", body), 400, "validation_error")
    assert field in [d["field"] for d in err["details"]]
    assert _count(tenant, "customers") == 0


def test_update_customer_validation_changes_nothing(tenant: Tenant) -> None:
    c = commet(tenant)
    cus = customer(c)
    error_of(c.patch(f"/customers/{cus['id']}", {"timezone": "Nowhere"}), 400,
             "validation_error")
    error_of(c.put(f"/customers/{cus['id']}", {"email": "x"}), 400, "validation_error")
    assert c.ok("GET", f"/customers/{cus['id']}") == cus


def test_tax_document_refused_by_folio_is_a_validation_error(tenant: Tenant) -> None:
    err = error_of(commet(tenant).post("/customers", {
        "email": "a@b.co", "taxDocument": "DE000", "address": {"country": "DE"}}), 400)
    assert err["param"] == "taxDocument"
    assert _count(tenant, "customers") == 0


def test_unknown_route_and_method(tenant: Tenant) -> None:
    c = commet(tenant)
    response = c.get("/nothing/here")
    error_of(response, 404, "route_not_found")
    check(ErrorEnvelope, response.json())
    error_of(c.client.delete(BASE + "/invoices/in_x", headers=c.headers()), 405,
             "method_not_allowed")


def test_wrong_state_send_of_a_void_invoice(tenant: Tenant) -> None:
    inv = f.open_invoice(tenant, collection_method="send_invoice", days_until_due=5)
    tenant.ok("POST", f"/v1/invoices/{inv['id']}/void")
    error_of(commet(tenant).post(f"/invoices/{inv['id']}/send"), 409, "invoice_not_sendable")
    assert tenant.ok("GET", f"/v1/invoices/{inv['id']}")["sent_at"] is None


def test_long_idempotency_key_and_nul_in_query(tenant: Tenant) -> None:
    c = commet(tenant)
    cus = customer(c)["id"]
    error_of(c.post("/invoices", {"customerId": cus, "amount": 1, "description": "x"},
                    **{"Idempotency-Key": "k" * 256}), 400)
    error_of(c.get("/invoices", subscriptionId="a\x00b"), 400)
    assert _count(tenant, "invoices") == 0
