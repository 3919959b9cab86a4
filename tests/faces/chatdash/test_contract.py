"""Contract: every response of the seed endpoints (000 GET invoice, 001 POST invoice), for
every status they answer, validates against the seeds' OpenAPI text."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from folio.faces import build_face
from tests.conftest import Tenant, make_tenant
from tests.faces.chatdash.support import (
    GET_SEED,
    POST_SEED,
    SEEDS,
    ChatDash,
    check_error,
    check_seed_response,
    seed_spec,
)


@pytest.fixture
def cd(tenant: Tenant) -> ChatDash:
    return ChatDash(tenant)


@pytest.fixture
def billable(cd: ChatDash) -> tuple[str, str]:
    return cd.client_with_admin(), cd.product()["productId"]


def test_seed_texts_are_present() -> None:
    assert SEEDS.is_dir(), f"missing {SEEDS}"
    assert "get" in seed_spec(GET_SEED)["paths"][
        "/stripe/connect/accounts/{accountId}/invoices/{invoiceId}"]
    assert "post" in seed_spec(POST_SEED)["paths"]["/stripe/connect/accounts/{accountId}/invoices"]


class TestCreateInvoice200:
    def test_send_invoice_draft(self, cd: ChatDash, billable: tuple[str, str]) -> None:
        response = cd.invoice(*billable, days=30)
        check_seed_response(POST_SEED, response)
        body = response.json()
        assert body["id"].startswith("in_")
        assert body["status"] == "draft"
        assert body["amount"] == 2999
        assert body["currency"] == "usd"
        assert body["number"] is None
        assert body["customer"] == {"id": billable[0], "email": "ann@acme.test",
                                    "name": "Acme Ltd"}
        assert body["description"] == ""
        assert isinstance(body["created"], int)

    def test_charge_automatically(self, cd: ChatDash, billable: tuple[str, str]) -> None:
        response = cd.post(f"{cd.acct}/invoices", {"data": {
            "clientId": billable[0], "productId": billable[1],
            "collection_method": "charge_automatically"}})
        check_seed_response(POST_SEED, response)
        assert response.json()["status"] == "draft"


def _create_errors(cd: ChatDash, client_id: str, product_id: str,
                   other: ChatDash) -> list[tuple[int, Any, dict[str, str] | None, str]]:
    good = {"clientId": client_id, "productId": product_id,
            "collection_method": "send_invoice", "days_until_due": 30}
    no_admin = cd.tenant.ok("POST", "/v1/customers", {"name": "No admin"})["id"]
    no_price = cd.tenant.ok("POST", "/v1/products", {"name": "Bare"})["id"]
    return [
        (401, {"data": good}, {"Authorization": ""}, "API key"),
        (401, {"data": good}, {"Authorization": "sk_test_wrong"}, "Invalid API key"),
        (400, {}, None, "data"),
        (400, {"data": {**good, "clientId": None}}, None, "clientId"),
        (400, {"data": {k: v for k, v in good.items() if k != "productId"}}, None,
         "productId"),
        (400, {"data": {**good, "collection_method": "by_pigeon"}}, None,
         "collection_method"),
        (400, {"data": {**good, "days_until_due": "30"}}, None, "days_until_due"),
        (400, {"data": {**good, "days_until_due": -1}}, None, "days_until_due"),
        (400, {"data": {k: v for k, v in good.items() if k != "days_until_due"}}, None,
         "days_until_due is required"),
        (400, {"data": {**good, "collection_method": "charge_automatically"}}, None,
         "days_until_due"),
        (400, {"data": {**good, "clientId": no_admin}}, None, "admin member"),
        (400, {"data": {**good, "productId": no_price}}, None, "one-time price"),
        (400, [1, 2], None, "JSON object"),
        (404, {"data": {**good, "clientId": "cus_nope"}}, None, "No such client"),
        (404, {"data": {**good, "productId": "prod_nope"}}, None, "No such product"),
        (404, {"data": {**good, "clientId": other.client_with_admin()}}, None,
         "No such client"),
    ]


class TestCreateInvoiceErrors:
    def test_every_error_status_has_the_seed_shape_and_changes_nothing(
            self, cd: ChatDash, billable: tuple[str, str], db: Any, client: TestClient) -> None:
        other = ChatDash(make_tenant(db, client, "Other"))
        cases = _create_errors(cd, *billable, other)
        before = cd.tenant.ok("GET", "/v1/events?limit=100")["data"]
        for status, body, headers, words in cases:
            response = cd.post(f"{cd.acct}/invoices", body, headers=headers)
            message = check_error(response, status)
            assert words in message, (status, body, message)
            check_seed_response(POST_SEED, response)
        assert cd.tenant.ok("GET", "/v1/events?limit=100")["data"] == before
        assert cd.tenant.ok("GET", "/v1/invoices")["data"] == []

    def test_unknown_or_foreign_account_is_404(self, cd: ChatDash, billable: tuple[str, str],
                                               db: Any, client: TestClient) -> None:
        other = make_tenant(db, client, "Other")
        for account in ("acct_nope", other.id):
            response = ChatDash(cd.tenant, account=account).invoice(*billable)
            assert check_error(response, 404) == f"No such account: '{account}'."
            check_seed_response(POST_SEED, response)

    def test_product_in_another_currency_than_the_client(self, cd: ChatDash) -> None:
        client_id = cd.tenant.ok("POST", "/v1/customers", {
            "name": "Euro client", "currency": "eur",
            "contacts": [{"name": "Eve", "roles": ["admin"]}]})["id"]
        product = cd.product(currency="usd")["productId"]
        response = cd.invoice(client_id, product)
        assert "one-time price in eur" in check_error(response, 400)
        check_seed_response(POST_SEED, response)


class TestGetInvoice:
    @pytest.mark.parametrize(("action", "status"), [
        (None, "draft"), ("finalize", "open"), ("pay", "paid"), ("void", "void"),
        ("mark_uncollectible", "uncollectible")])
    def test_every_status(self, cd: ChatDash, billable: tuple[str, str], action: str | None,
                          status: str) -> None:
        invoice = cd.invoice(*billable).json()
        if action:
            cd.tenant.ok("POST", f"/v1/invoices/{invoice['id']}/finalize")
        if action and action != "finalize":
            cd.tenant.ok("POST", f"/v1/invoices/{invoice['id']}/{action}")
        response = cd.get(f"{cd.acct}/invoices/{invoice['id']}")
        check_seed_response(GET_SEED, response)
        body = response.json()
        assert body["status"] == status
        assert body["amount"] == 2999
        assert (body["number"] is None) == (status == "draft")

    def test_errors(self, cd: ChatDash, billable: tuple[str, str], db: Any,
                    client: TestClient) -> None:
        invoice = cd.invoice(*billable).json()["id"]
        other = make_tenant(db, client, "Other")
        path = f"{cd.acct}/invoices/{invoice}"
        cases = [
            (cd.get(path, headers={"Authorization": ""}), 401),
            (cd.get(path, headers={"Authorization": "Bearer sk_test_nope"}), 401),
            (cd.get(f"{cd.acct}/invoices/in_nope"), 404),
            (ChatDash(other).get(f"/stripe/connect/accounts/{other.id}/invoices/{invoice}"),
             404),
            (ChatDash(other).get(path), 404),
            (ChatDash(cd.tenant, live=True).get(path), 404),
            (cd.get(f"{cd.acct}/invoices/in_%00x"), 400),
        ]
        for response, status in cases:
            check_error(response, status)
            check_seed_response(GET_SEED, response)


def test_an_unexpected_error_is_a_500_in_the_seed_shape(app: FastAPI) -> None:
    face = build_face("chatdash", app.state.folio)

    @face.get("/boom")
    def boom() -> None:
        raise RuntimeError("kaput")

    with TestClient(face, raise_server_exceptions=False) as http:
        response = http.get("/boom")
    assert response.status_code == 500
    assert response.json() == {"error": "An unexpected error occurred"}
    check_seed_response(GET_SEED, response)
