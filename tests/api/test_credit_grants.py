"""The customer credit balance over /v1: grants, their validation, idempotency and
pagination, the balance on the customer, revocation."""

from __future__ import annotations

from typing import Any

import pytest

from tests import factories as f
from tests.api.test_conventions import assert_error
from tests.conftest import Tenant

FAR = 4_000_000_000  # 2096


def grants_path(customer_id: str) -> str:
    return f"/v1/customers/{customer_id}/credit_grants"


def grant(t: Tenant, customer_id: str, amount: int = 2_500, currency: str = "eur",
          **fields: Any) -> dict[str, Any]:
    return t.ok("POST", grants_path(customer_id), {"amount": amount, "currency": currency,
                                                   **fields})


def events_of(t: Tenant, object_id: str) -> list[str]:
    return [e["type"] for e in t.ok("GET", f"/v1/events?object_id={object_id}")["data"]]


class TestGrant:
    def test_create_get_and_balance(self, tenant: Tenant) -> None:
        cus = f.customer(tenant)
        assert cus["credit_balance"] == {}
        made = grant(tenant, cus["id"], 2_500, "EUR", reason="Service recovery",
                     expires_at=FAR, metadata={"ticket": "9"})
        assert made["id"].startswith("ccg_")
        assert (made["object"], made["customer"], made["currency"], made["amount"],
                made["remaining"], made["applied"], made["revoked_amount"], made["status"]) == (
            "credit_grant", cus["id"], "eur", 2_500, 2_500, 0, 0, "active")
        assert (made["reason"], made["expires_at"], made["revoked_at"], made["source_invoice"],
                made["applications"], made["metadata"]) == (
            "Service recovery", FAR, None, None, [], {"ticket": "9"})
        assert tenant.ok("GET", f"{grants_path(cus['id'])}/{made['id']}") == made
        grant(tenant, cus["id"], 300, "jpy")
        grant(tenant, cus["id"], 500)
        assert tenant.ok("GET", f"/v1/customers/{cus['id']}")["credit_balance"] == {
            "eur": 3_000, "jpy": 300}
        assert events_of(tenant, made["id"]) == ["credit_grant.created"]

    def test_balances_in_the_customer_list(self, tenant: Tenant) -> None:
        ada, bob, cy = (f.customer(tenant, name=n) for n in ("Ada", "Bob", "Cy"))
        grant(tenant, ada["id"], 100)
        grant(tenant, bob["id"], 200, "usd")
        listed = {c["id"]: c["credit_balance"]
                  for c in tenant.ok("GET", "/v1/customers")["data"]}
        assert listed == {ada["id"]: {"eur": 100}, bob["id"]: {"usd": 200}, cy["id"]: {}}

    @pytest.mark.parametrize(("body", "status", "code", "param"), [
        ({}, 400, "parameter_missing", "amount"),
        ({"amount": 100}, 400, "parameter_missing", "currency"),
        ({"amount": 0, "currency": "eur"}, 400, "parameter_invalid", "amount"),
        ({"amount": -5, "currency": "eur"}, 400, "parameter_invalid", "amount"),
        ({"amount": 10**16, "currency": "eur"}, 400, "parameter_invalid", "amount"),
        ({"amount": 1.5, "currency": "eur"}, 400, "parameter_invalid", "amount"),
        ({"amount": "12", "currency": "eur", "x": 1}, 400, "parameter_unknown", "x"),
        ({"amount": 100, "currency": "xxx"}, 400, "currency_invalid", "currency"),
        ({"amount": 100, "currency": "euro"}, 400, "parameter_invalid", "currency"),
        ({"amount": 100, "currency": "eur", "expires_at": 1}, 400, "expires_at_in_past",
         "expires_at"),
        ({"amount": 100, "currency": "eur", "expires_at": 10**20}, 400, "parameter_invalid",
         "expires_at"),
        ({"amount": 100, "currency": "eur", "reason": "x" * 501}, 400, "parameter_invalid",
         "reason"),
        ({"amount": 100, "currency": "eur", "metadata": {"k": 1}}, 400, "parameter_invalid",
         "metadata.k"),
    ])
    def test_bad_input(self, tenant: Tenant, body: dict[str, Any], status: int, code: str,
                       param: str) -> None:
        cus = f.customer(tenant)
        assert_error(tenant.post(grants_path(cus["id"]), body), status, code, param)
        assert tenant.ok("GET", grants_path(cus["id"]))["data"] == []
        assert events_of(tenant, cus["id"]) == ["customer.created"]

    def test_unknown_customer_and_grant(self, tenant: Tenant) -> None:
        assert_error(tenant.post(grants_path("cus_nope"), {"amount": 1, "currency": "eur"}),
                     404, "resource_missing", "id")
        assert_error(tenant.get(grants_path("cus_nope")), 404, "resource_missing")
        ada, bob = f.customer(tenant), f.customer(tenant, name="Bob")
        made = grant(tenant, ada["id"])
        # a grant is reached only under its own customer
        for path in (f"{grants_path(bob['id'])}/{made['id']}",
                     f"{grants_path(ada['id'])}/ccg_nope"):
            assert_error(tenant.get(path), 404, "resource_missing", "grant")
            assert_error(tenant.post(f"{path}/revoke"), 404, "resource_missing", "grant")
        assert tenant.ok("GET", f"{grants_path(ada['id'])}/{made['id']}")["status"] == "active"

    def test_idempotency(self, tenant: Tenant) -> None:
        cus = f.customer(tenant)
        body = {"amount": 700, "currency": "eur", "reason": "Goodwill"}
        key = {"Idempotency-Key": "grant-1"}
        one = tenant.post(grants_path(cus["id"]), body, **key)
        two = tenant.post(grants_path(cus["id"]), body, **key)
        assert one.status_code == two.status_code == 200
        assert one.content == two.content
        assert two.headers["Idempotent-Replayed"] == "true"
        assert_error(tenant.post(grants_path(cus["id"]), {**body, "amount": 701}, **key), 400,
                     "idempotency_key_reused", "Idempotency-Key")
        assert tenant.ok("GET", f"/v1/customers/{cus['id']}")["credit_balance"] == {"eur": 700}

    def test_pagination_and_filters(self, tenant: Tenant) -> None:
        cus = f.customer(tenant)
        made = [grant(tenant, cus["id"], a, c) for a, c in
                ((100, "eur"), (200, "usd"), (300, "eur"))]
        path = grants_path(cus["id"])
        page = tenant.ok("GET", f"{path}?limit=2")
        assert [g["id"] for g in page["data"]] == [made[2]["id"], made[1]["id"]]
        assert page["has_more"] is True
        assert page["url"] == path
        rest = tenant.ok("GET", f"{path}?limit=2&starting_after={made[1]['id']}")
        assert [g["id"] for g in rest["data"]] == [made[0]["id"]]
        assert rest["has_more"] is False
        back = tenant.ok("GET", f"{path}?ending_before={made[0]['id']}")
        assert [g["id"] for g in back["data"]] == [made[2]["id"], made[1]["id"]]
        eur = tenant.ok("GET", f"{path}?currency=EUR")
        assert [g["id"] for g in eur["data"]] == [made[2]["id"], made[0]["id"]]
        assert tenant.ok("GET", f"{path}?created[gt]={FAR}")["data"] == []
        assert_error(tenant.get(path, starting_after="ccg_nope"), 400, None, "starting_after")
        assert_error(tenant.get(path, currency="xx"), 400, "parameter_invalid", "currency")


class TestRevoke:
    def test_revoke_takes_only_the_remainder(self, tenant: Tenant) -> None:
        cus = f.customer(tenant)
        made = grant(tenant, cus["id"], 1_000)
        inv = f.draft(tenant, customer=cus["id"], apply_credit_balance=True,
                      lines=[{"description": "Seat", "unit_amount": 400}])
        tenant.ok("POST", f"/v1/invoices/{inv['id']}/finalize")
        revoked = tenant.ok("POST", f"{grants_path(cus['id'])}/{made['id']}/revoke")
        assert (revoked["status"], revoked["remaining"], revoked["applied"],
                revoked["revoked_amount"], revoked["amount"]) == ("revoked", 0, 400, 600, 1_000)
        assert revoked["revoked_at"] is not None
        [application] = revoked["applications"]
        assert (application["invoice"], application["amount"]) == (inv["id"], 400)
        assert tenant.ok("GET", f"/v1/customers/{cus['id']}")["credit_balance"] == {}
        assert tenant.ok("GET", f"/v1/invoices/{inv['id']}")["credit_applied"] == 400
        assert_error(tenant.post(f"{grants_path(cus['id'])}/{made['id']}/revoke"), 409,
                     "credit_grant_revoked")
        assert events_of(tenant, made["id"]) == [
            "credit_grant.revoked", "credit_grant.applied", "credit_grant.created"]

    def test_revoking_an_exhausted_grant_revokes_nothing(self, tenant: Tenant) -> None:
        cus = f.customer(tenant)
        made = grant(tenant, cus["id"], 300)
        inv = f.draft(tenant, customer=cus["id"], apply_credit_balance=True,
                      lines=[{"description": "Seat", "unit_amount": 400}])
        tenant.ok("POST", f"/v1/invoices/{inv['id']}/finalize")
        assert tenant.ok("GET", f"{grants_path(cus['id'])}/{made['id']}")["status"] \
            == "exhausted"
        revoked = tenant.ok("POST", f"{grants_path(cus['id'])}/{made['id']}/revoke")
        assert (revoked["status"], revoked["applied"], revoked["revoked_amount"]) == (
            "revoked", 300, 0)
