"""Contract: every response of the seed endpoint (003, GET /{version}/invoices/retrieve/{id}),
for every status it answers, validates against the seed's OpenAPI text; the statuses the
seed does not declare (401, 404) have FastAPI's {"detail": "..."} shape."""

from __future__ import annotations

import json
from typing import Any

import pytest
from openapi_core.validation.response.exceptions import InvalidData

from folio.db.engine import Database
from folio.faces.dollr import schemas as s
from tests.conftest import Tenant
from tests.faces.dollr.support import (
    BASE,
    SEEDS,
    Dollr,
    credentials,
    seed_spec,
    validate_seed_response,
)

PATH = "/v1/invoices/retrieve/{}"


@pytest.fixture
def dollr(tenant: Tenant) -> Dollr:
    return Dollr.with_key(tenant)


def _get(d: Dollr, path: str) -> Any:
    response = d.call("GET", path)
    validate_seed_response(path, response)
    return response


def test_seed_text_is_present() -> None:
    assert SEEDS.is_dir(), f"missing {SEEDS}"
    assert "get" in seed_spec()["paths"]["/{version}/invoices/retrieve/{id}"]


def test_validator_catches_a_wrong_body(dollr: Dollr) -> None:
    inv = dollr.invoice()
    response = dollr.call("GET", PATH.format(inv["id"]))
    broken = response.json()
    del broken["invoice_number"]
    response._content = json.dumps(broken).encode()
    with pytest.raises(InvalidData):
        validate_seed_response(PATH.format(inv["id"]), response)


class Test200:
    def test_idle_invoice_with_items_and_counterparty(self, dollr: Dollr) -> None:
        inv = dollr.invoice(items=[("Design", 3, 19.99), ("Hosting", 1, 5)],
                            reference_id="PO-7")
        body = _get(dollr, PATH.format(inv["id"])).json()
        s.InvoiceDetailOut.model_validate(body)
        assert body["status"] == "IDLE"
        assert body["invoice_number"] == ""
        assert body["total_amount"] == 64.97
        assert body["reference_id"] == "PO-7"
        assert body["paid_at"] is None
        assert [(i["name"], i["qty"], i["amount"], i["currency"])
                for i in body["invoice_items"]] == [("Design", 3, 19.99, "USD"),
                                                    ("Hosting", 1, 5, "USD")]
        cp = body["counterparty"]
        assert cp["id"] == body["counterparty_id"]
        assert cp["relationship_type"] == "CUSTOMER"
        assert cp["party"]["fullname"] == "Ada Lovelace"
        assert cp["party"]["phone"] == "2317700000"
        assert cp["party"]["country_code"] == "LR"

    def test_without_items(self, dollr: Dollr) -> None:
        inv = dollr.invoice(items=[])
        body = _get(dollr, PATH.format(inv["id"])).json()
        assert body["invoice_items"] == []
        assert body["total_amount"] == 0

    def test_every_status(self, dollr: Dollr) -> None:
        inv = dollr.invoice()
        dollr.ok("PUT", f"/v1/invoices/publish/{inv['id']}")
        active = _get(dollr, PATH.format(inv["id"])).json()
        assert active["status"] == "ACTIVE"
        assert active["invoice_number"].startswith("INV-")
        dollr.ok("DELETE", f"/v1/invoices/cancel/{inv['id']}")
        assert _get(dollr, PATH.format(inv["id"])).json()["status"] == "CANCELED"
        paid = dollr.invoice()
        dollr.ok("PUT", f"/v1/invoices/publish/{paid['id']}")
        public_id = dollr.tenant.ok("GET", "/v1/invoices")["data"][0]["id"]
        dollr.tenant.ok("POST", f"/v1/invoices/{public_id}/pay")
        body = _get(dollr, PATH.format(paid["id"])).json()
        assert body["status"] == "PAID"
        assert body["paid_at"] is not None

    def test_invoice_made_through_the_canonical_api(self, tenant: Tenant,
                                                    dollr: Dollr) -> None:
        """Folio fields the vendor lacks (fractional quantity, no fee bearer, no due date,
        customer without a relationship) still render within the seed's schema."""
        cus = tenant.ok("POST", "/v1/customers", {"name": "Bo", "phone": "+49 30 1234567"})
        inv = tenant.ok("POST", "/v1/invoices", {"customer": cus["id"], "currency": "jpy",
                                                 "lines": [{"description": "Hours",
                                                            "quantity": "1.5",
                                                            "unit_amount": 1001}]})
        [listed] = dollr.ok("GET", "/v1/invoices/list")
        body = _get(dollr, PATH.format(listed["id"])).json()
        assert body["total_amount"] == inv["total"] == 1502  # JPY has no minor unit
        assert body["invoice_items"][0]["qty"] == 1
        assert body["invoice_items"][0]["amount"] == 1502
        assert body["fee_bearer"] == "PAYEE"
        assert body["counterparty"]["relationship_type"] == "CUSTOMER"
        assert body["counterparty"]["party"]["phone"] == "49301234567"


class Test422:
    @pytest.mark.parametrize("path", ["/v2/invoices/retrieve/1", "/V1/invoices/retrieve/1"])
    def test_wrong_version(self, dollr: Dollr, path: str) -> None:
        response = _get(dollr, path)
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["path", "version"]

    @pytest.mark.parametrize("object_id", ["abc", "1.5", "0", "-3", "99999999999999999999999"])
    def test_id_not_an_integer_id(self, dollr: Dollr, object_id: str) -> None:
        response = _get(dollr, PATH.format(object_id))
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["path", "id"]


class TestUndeclaredStatuses:
    def test_404_unknown_and_other_tenants(self, dollr: Dollr, other_tenant: Tenant) -> None:
        theirs = Dollr.with_key(other_tenant).invoice()
        for object_id in (theirs["id"], 987654321):
            response = dollr.call("GET", PATH.format(object_id))
            assert response.status_code == 404
            assert response.json() == {"detail": "Invoice not found."}

    def test_live_key_does_not_see_test_data(self, dollr: Dollr) -> None:
        inv = dollr.invoice()
        response = Dollr.with_key(dollr.tenant, live=True).call("GET", PATH.format(inv["id"]))
        assert response.status_code == 404

    def test_401(self, dollr: Dollr, db: Database) -> None:
        inv = dollr.invoice()
        client = dollr.tenant.client
        url = BASE + PATH.format(inv["id"])
        missing = client.get(url)
        assert missing.status_code == 401
        assert missing.json() == {"detail": "Not authenticated"}
        assert missing.headers["www-authenticate"] == "Bearer"
        for header in ("Bearer sk_test_nope", "Bearer eyJ.x.y", "Basic abc", "Bearer"):
            r = client.get(url, headers={"Authorization": header})
            assert r.status_code == 401, header
            s.Detail.model_validate(r.json())
        assert client.get(url, headers={"Authorization": "Bearer sk_test_nope"}).json() == {
            "detail": "Could not validate credentials"}

    def test_auth_is_checked_before_validation(self, dollr: Dollr) -> None:
        r = dollr.tenant.client.get(BASE + "/v2/invoices/retrieve/abc")
        assert r.status_code == 401

    def test_access_token_reads_the_seed_endpoint(self, dollr: Dollr, db: Database) -> None:
        inv = dollr.invoice()
        cred = credentials(db, dollr.tenant)
        token = dollr.tenant.client.post(BASE + "/v1/jwt/client/obtain/token", json={
            "client_id": cred.client_id, "client_secret": cred.client_secret}).json()
        response = _get(Dollr(dollr.tenant, token["access_token"]), PATH.format(inv["id"]))
        assert response.json()["id"] == inv["id"]
