"""A ChatDash client's day, through the face, over the same ledger as /v1."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from folio.faces.chatdash.schemas import TransactionList
from tests.conftest import Tenant, make_tenant
from tests.faces.chatdash.support import (
    GET_SEED,
    POST_SEED,
    ChatDash,
    check_error,
    check_model,
    check_seed_response,
)


def test_client_product_invoice_then_paid_through_v1(tenant: Tenant) -> None:
    cd = ChatDash(tenant)
    client_id = cd.client_with_admin("Acme Ltd", "billing@acme.test")
    product = cd.product(amount=12500, currency="usd", name="Website build")
    response = cd.invoice(client_id, product["productId"], days=14)
    check_seed_response(POST_SEED, response)
    created = response.json()
    assert created["status"] == "draft"
    assert created["amount"] == 12500
    path = f"{cd.acct}/invoices/{created['id']}"
    assert cd.ok("GET", path) == created

    # the same invoice through the canonical API: one line from the product's price
    canonical = tenant.ok("GET", f"/v1/invoices/{created['id']}")
    assert canonical["collection_method"] == "send_invoice"
    assert canonical["days_until_due"] == 14
    assert canonical["customer"] == client_id
    (line,) = canonical["lines"]["data"]
    assert line["product"] == product["productId"]
    assert line["amount"] == 12500
    assert canonical["total"] == created["amount"]

    tenant.ok("POST", f"/v1/invoices/{created['id']}/finalize")
    response = cd.get(path)
    check_seed_response(GET_SEED, response)
    opened = response.json()
    assert opened["status"] == "open"
    assert opened["number"] == tenant.ok("GET", f"/v1/invoices/{created['id']}")["number"]

    tenant.ok("POST", "/v1/payments", {"invoice": created["id"], "amount": 2500})
    assert cd.ok("GET", path)["status"] == "open"
    tenant.ok("POST", f"/v1/invoices/{created['id']}/pay")
    paid = cd.ok("GET", path)
    check_seed_response(GET_SEED, cd.get(path))
    assert paid["status"] == "paid"
    assert paid["amount"] == 12500  # Stripe's amount_due: what was billed, not what is left
    assert paid["customer"] == {"id": client_id, "email": "billing@acme.test",
                                "name": "Acme Ltd"}

    # the payments as ChatDash transactions
    listing = cd.ok("GET", f"{cd.acct}/transactions")
    check_model(TransactionList, listing)
    assert [t["amount"] for t in listing["data"]] == [10000, 2500]
    assert {t["status"] for t in listing["data"]} == {"succeeded"}
    assert all(t["customer"]["id"] == client_id for t in listing["data"])
    assert listing["data"][0]["description"] == f"Payment for invoice {paid['number']}"


def test_transactions_paging_and_filters(tenant: Tenant) -> None:
    cd = ChatDash(tenant)
    product = cd.product(amount=1000)["productId"]
    clients = [cd.client_with_admin(f"Client {i}", f"c{i}@x.test") for i in range(2)]
    for client_id in clients:
        invoice = cd.invoice(client_id, product).json()["id"]
        tenant.ok("POST", f"/v1/invoices/{invoice}/finalize")
        for _ in range(2):
            tenant.ok("POST", "/v1/payments", {"invoice": invoice, "amount": 100})
    everything = cd.ok("GET", f"{cd.acct}/transactions")["data"]
    assert len(everything) == 4
    first = cd.get(f"{cd.acct}/transactions", limit=3).json()
    check_model(TransactionList, first)
    assert first["has_more"] is True
    assert first["next_cursor"] == first["data"][-1]["id"]
    rest = cd.get(f"{cd.acct}/transactions", limit=3, starting_after=first["next_cursor"]).json()
    assert rest["has_more"] is False
    assert rest["next_cursor"] is None
    assert [t["id"] for t in first["data"] + rest["data"]] == [t["id"] for t in everything]
    mine = cd.get(f"{cd.acct}/transactions", customer=clients[0]).json()["data"]
    assert len(mine) == 2
    assert {t["customer"]["id"] for t in mine} == {clients[0]}
    created = everything[0]["created"]
    assert len(cd.get(f"{cd.acct}/transactions", created_start=created + 1).json()["data"]) == 0
    assert len(cd.get(f"{cd.acct}/transactions", created_end=created).json()["data"]) == 4
    for params in ({"limit": 0}, {"limit": 101}, {"limit": "x"}, {"created_start": -1},
                   {"starting_after": "py_nope"}):
        check_error(cd.get(f"{cd.acct}/transactions", **params), 400)
    check_error(cd.get(f"{cd.acct}/transactions", customer="cus_nope"), 404)


def test_bearer_is_accepted_and_idempotency_key_replays(tenant: Tenant) -> None:
    cd = ChatDash(tenant, bearer=True)
    client_id, product = cd.client_with_admin(), cd.product()["productId"]
    body = {"data": {"clientId": client_id, "productId": product,
                     "collection_method": "send_invoice", "days_until_due": 7}}
    headers = {"Idempotency-Key": "create-once"}
    first = cd.post(f"{cd.acct}/invoices", body, headers=headers)
    again = cd.post(f"{cd.acct}/invoices", body, headers=headers)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert len(tenant.ok("GET", "/v1/invoices")["data"]) == 1


def test_platform_key_acts_on_its_connected_accounts(db: Any, client: TestClient) -> None:
    platform = make_tenant(db, client, "Agency")
    connected = make_tenant(db, client, "Agency's Stripe account", platform=platform.id)
    stranger = make_tenant(db, client, "Stranger")
    agency = ChatDash(platform, account=connected.id)
    acting = {"Folio-Account": connected.id}
    body = {"client": {"name": "Connected client"},
            "member": {"name": "Bo", "loginId": "bo", "password": "pw", "email": "bo@x.test"}}
    assert agency.post("/clients", body, headers=acting).status_code == 200
    (client_row,) = agency.get("/clients", headers=acting).json()
    assert agency.ok("GET", "/clients") == []  # the key's own account has no clients
    product = agency.product()["productId"]
    invoice = agency.invoice(client_row["_id"], product).json()
    assert agency.ok("GET", f"{agency.acct}/invoices/{invoice['id']}") == invoice
    # the connected account's own key sees it; its data is its own
    assert ChatDash(connected).ok("GET", f"{agency.acct}/invoices/{invoice['id']}") == invoice
    # nobody else: not the connected account acting on its platform, not a stranger
    check_error(ChatDash(connected, account=platform.id).get(
        f"/stripe/connect/accounts/{platform.id}/products"), 404)
    check_error(ChatDash(stranger, account=connected.id).get(
        f"{agency.acct}/invoices/{invoice['id']}"), 404)
    check_error(ChatDash(stranger).get("/clients", headers=acting), 404)
