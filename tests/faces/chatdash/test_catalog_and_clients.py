"""Products, clients and members through the ChatDash face (vendors.md 1.5 and 1.6)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from folio.faces.chatdash.schemas import (
    ClientOut,
    MemberOut,
    Message,
    ProductEnvelope,
    ProductList,
    ProductOut,
)
from tests.conftest import Tenant, make_tenant
from tests.faces.chatdash.support import ChatDash, check_error, check_model


@pytest.fixture
def cd(tenant: Tenant) -> ChatDash:
    return ChatDash(tenant)


class TestProducts:
    def test_create_get_update(self, cd: ChatDash) -> None:
        created = cd.ok("POST", f"{cd.acct}/products", {"data": {
            "name": "Audit", "description": "One audit", "pricing_model": "oneTime",
            "currency": "JPY", "amount": 5000, "tax_behavior": "exclusive"}})
        check_model(ProductOut, created)
        assert created["pricing"] == {
            "amount": "5000", "billingCycle": None, "currency": "jpy",
            "pricingModel": "oneTime", "metrics": None, "usageLimit": None, "overage": None}
        assert created["taxBehavior"] == "exclusive"
        assert created["status"] == "active"
        assert created["activeSubscriptionsCount"] == 0
        path = f"{cd.acct}/products/{created['productId']}"
        assert cd.ok("GET", path) == created
        updated = cd.ok("PUT", path, {"data": {"name": "Full audit"}})
        check_model(ProductEnvelope, updated)
        assert updated["product"]["productName"] == "Full audit"
        assert updated["product"]["description"] == "One audit"
        assert cd.ok("GET", path)["productName"] == "Full audit"
        # the same rows through /v1
        (price,) = cd.tenant.ok("GET", f"/v1/prices?product={created['productId']}")["data"]
        assert (price["type"], price["unit_amount"], price["currency"]) == \
            ("one_time", 5000, "jpy")

    def test_string_amount_and_v1_products(self, cd: ChatDash) -> None:
        assert cd.product(amount="2999")["pricing"]["amount"] == "2999"
        bare = cd.tenant.ok("POST", "/v1/products", {"name": "Bare"})
        shown = cd.ok("GET", f"{cd.acct}/products/{bare['id']}")
        assert shown["pricing"] is None
        assert shown["taxBehavior"] is None
        cd.tenant.ok("POST", "/v1/prices", {"product": bare["id"], "currency": "eur",
                                            "unit_amount": 900,
                                            "recurring": {"interval": "month"}})
        shown = cd.ok("GET", f"{cd.acct}/products/{bare['id']}")
        check_model(ProductOut, shown)
        assert shown["pricing"]["pricingModel"] == "base"
        assert shown["pricing"]["billingCycle"] == "month"

    def test_list_status_paging_and_created(self, cd: ChatDash) -> None:
        ids = [cd.product(name=f"P{i}")["productId"] for i in range(3)]
        cd.tenant.ok("POST", f"/v1/products/{ids[0]}", {"active": False})
        listing = cd.ok("GET", f"{cd.acct}/products")
        check_model(ProductList, listing)
        assert [p["productId"] for p in listing["data"]] == [ids[2], ids[1]]
        archived = cd.get(f"{cd.acct}/products", status="archived").json()["data"]
        assert [(p["productId"], p["status"]) for p in archived] == [(ids[0], "archived")]
        everything = cd.get(f"{cd.acct}/products", status="all").json()
        assert [p["productId"] for p in everything["data"]] == ids[::-1]
        page = cd.get(f"{cd.acct}/products", status="all", limit=2).json()
        assert page["has_more"] is True
        assert page["next_cursor"] == ids[1]
        rest = cd.get(f"{cd.acct}/products", status="all",
                      starting_after=page["next_cursor"]).json()
        assert [p["productId"] for p in rest["data"]] == [ids[0]]
        assert rest == {"data": rest["data"], "has_more": False, "next_cursor": None}
        created = everything["data"][0]["creationDate"]
        assert cd.get(f"{cd.acct}/products", status="all",
                      created_start=created + 1).json()["data"] == []
        assert len(cd.get(f"{cd.acct}/products", status="all",
                          created_end=created).json()["data"]) == 3

    def test_bad_input(self, cd: ChatDash) -> None:
        before = cd.tenant.ok("GET", "/v1/events")["data"]
        base = {"name": "X", "pricing_model": "oneTime", "currency": "usd", "amount": 100}
        for data, words in [
            ({**base, "pricing_model": "base"}, "not supported yet"),
            ({**base, "pricing_model": "usage"}, "not supported yet"),
            ({**base, "pricing_model": "weekly"}, "pricing_model"),
            ({k: v for k, v in base.items() if k != "amount"}, "data.amount"),
            ({k: v for k, v in base.items() if k != "name"}, "data.name"),
            ({k: v for k, v in base.items() if k != "currency"}, "data.currency"),
            ({**base, "currency": "xyz"}, "currency"),
            ({**base, "amount": -5}, "data.amount"),
            ({**base, "amount": "12.5"}, "data.amount"),
            ({**base, "amount": 10**13}, "data.amount"),
            ({**base, "name": ""}, "data.name"),
        ]:
            response = cd.post(f"{cd.acct}/products", {"data": data})
            assert words in check_error(response, 400), data
        check_error(cd.post(f"{cd.acct}/products", base), 400)  # not wrapped in data
        check_error(cd.get(f"{cd.acct}/products", status="deleted"), 400)
        check_error(cd.get(f"{cd.acct}/products", limit=0), 400)
        check_error(cd.get(f"{cd.acct}/products", starting_after="prod_nope"), 400)
        check_error(cd.get(f"{cd.acct}/products/prod_nope"), 404)
        check_error(cd.put(f"{cd.acct}/products/prod_nope", {"data": {"name": "Y"}}), 404)
        assert cd.tenant.ok("GET", "/v1/events")["data"] == before


class TestClientsAndMembers:
    def test_create_list_get_update(self, cd: ChatDash) -> None:
        client_id = cd.client_with_admin("Acme Ltd", "ann@acme.test")
        listing = cd.ok("GET", "/clients")
        check_model(list[ClientOut], listing)
        assert listing == [{"_id": client_id, "name": "Acme Ltd", "language": "en",
                            "isSaasClient": False}]
        assert cd.ok("GET", f"/clients/{client_id}") == listing[0]
        reply = cd.ok("PUT", f"/clients/{client_id}", {"client": {"name": "Acme Group",
                                                                  "language": "de"}})
        check_model(Message, reply)
        assert cd.ok("GET", f"/clients/{client_id}")["name"] == "Acme Group"
        cd.ok("PUT", f"/clients/{client_id}", {"name": "Acme Flat", "email": "ap@acme.test"})
        customer = cd.tenant.ok("GET", f"/v1/customers/{client_id}")
        assert (customer["name"], customer["locale"], customer["email"]) == \
            ("Acme Flat", "de", "ap@acme.test")

    def test_members_and_the_admin_rule(self, cd: ChatDash) -> None:
        client_id = cd.client_with_admin()
        product = cd.product()["productId"]
        (admin,) = cd.ok("GET", f"/clients/{client_id}/members")
        added = cd.ok("POST", f"/clients/{client_id}/members",
                      {"name": "Max", "loginId": "max", "password": "pw", "email": "m@x.test"})
        assert added == {"message": "Member added successfully"}
        members = cd.ok("GET", f"/clients/{client_id}/members")
        check_model(list[MemberOut], members)
        assert [(x["name"], x["isAdmin"], x["clientId"]) for x in members] == [
            ("Ann Admin", True, client_id), ("Max", False, client_id)]
        assert members[0]["_id"] == admin["_id"]  # member ids stay stable

        # without an admin member the client cannot be invoiced
        cd.ok("PUT", f"/clients/{client_id}/members/{admin['_id']}", {"isAdmin": False})
        assert "admin member" in check_error(cd.invoice(client_id, product), 400)
        reply = cd.ok("PUT", f"/clients/{client_id}/members/{members[1]['_id']}",
                      {"isAdmin": True, "name": "Max Admin", "password": "new"})
        assert reply == {"message": "Member updated successfully"}
        assert cd.invoice(client_id, product).status_code == 200
        after = cd.ok("GET", f"/clients/{client_id}/members")
        assert [(x["name"], x["isAdmin"]) for x in after] == [("Ann Admin", False),
                                                              ("Max Admin", True)]

    def test_passwords_are_never_stored(self, cd: ChatDash, db: Any) -> None:
        client_id = cd.client_with_admin()
        cd.ok("POST", f"/clients/{client_id}/members",
              {"name": "Pat", "loginId": "pat", "password": "hunter2-unique-pw"})
        from sqlalchemy import text
        with db.transaction(write=False) as session:
            rows = session.execute(text(
                "SELECT c.name, c.login_id, c.email, c.metadata FROM customer_contacts c")).all()
            event_data = [str(r[0]) for r in session.execute(text("SELECT data FROM events"))]
        assert not any("s3cret-pass" in str(r) or "hunter2" in str(r) for r in rows)
        assert not any("s3cret-pass" in d or "hunter2" in d for d in event_data)

    def test_client_without_member_and_bad_input(self, cd: ChatDash) -> None:
        assert cd.ok("POST", "/clients", {"client": {"name": "Lonely"}})["message"]
        (lonely,) = cd.ok("GET", "/clients")
        assert lonely["language"] == "en"
        assert cd.ok("GET", f"/clients/{lonely['_id']}/members") == []
        before = cd.tenant.ok("GET", "/v1/events")["data"]
        member = {"name": "A", "loginId": "a", "password": "p"}
        for body in [{}, {"client": {}}, {"client": {"name": "X", "language": "english"}},
                     {"client": {"name": "X"}, "member": {"name": "A", "loginId": "a"}},
                     {"client": {"name": "X"}, "member": {**member, "email": "nope"}},
                     {"client": {"name": 5}}]:
            check_error(cd.post("/clients", body), 400)
        path = f"/clients/{lonely['_id']}"
        check_error(cd.post(f"{path}/members", {"name": "A", "password": "p"}), 400)
        check_error(cd.post(f"{path}/members", {**member, "isAdmin": "maybe"}), 400)
        check_error(cd.put(path, {"language": "xx-YY"}), 400)
        check_error(cd.get("/clients/cus_nope"), 404)
        check_error(cd.get("/clients/cus_nope/members"), 404)
        check_error(cd.put("/clients/cus_nope", {"name": "Y"}), 404)
        check_error(cd.post("/clients/cus_nope/members", member), 404)
        check_error(cd.put(f"{path}/members/ctc_nope", {"name": "Y"}), 404)
        assert cd.tenant.ok("GET", "/v1/events")["data"] == before


def test_tenant_isolation(cd: ChatDash, db: Any, client: TestClient) -> None:
    client_id = cd.client_with_admin()
    product = cd.product()["productId"]
    member = cd.ok("GET", f"/clients/{client_id}/members")[0]["_id"]
    invoice = cd.invoice(client_id, product).json()["id"]
    other = ChatDash(make_tenant(db, client, "Other"))
    live = ChatDash(cd.tenant, live=True)
    for stranger in (other, live):
        acct = stranger.acct
        assert stranger.ok("GET", "/clients") == []
        assert stranger.ok("GET", f"{acct}/products")["data"] == []
        assert stranger.ok("GET", f"{acct}/transactions")["data"] == []
        for response in (
            stranger.get(f"{acct}/invoices/{invoice}"),
            stranger.get(f"{acct}/products/{product}"),
            stranger.put(f"{acct}/products/{product}", {"data": {"name": "Mine"}}),
            stranger.get(f"/clients/{client_id}"),
            stranger.get(f"/clients/{client_id}/members"),
            stranger.put(f"/clients/{client_id}", {"name": "Mine"}),
            stranger.put(f"/clients/{client_id}/members/{member}", {"isAdmin": False}),
            stranger.invoice(client_id, product),
        ):
            check_error(response, 404)
    assert cd.ok("GET", f"{cd.acct}/products/{product}")["productName"] == "Onboarding"
    assert cd.ok("GET", f"/clients/{client_id}/members")[0]["isAdmin"] is True


def test_auth_and_routing_errors(cd: ChatDash) -> None:
    for headers in ({"Authorization": ""}, {"Authorization": "Bearer"},
                    {"Authorization": "sk_test_nope"}, {"Authorization": "Basic abc"}):
        check_error(cd.get("/clients", headers=headers), 401)
        check_error(cd.get(f"{cd.acct}/products", headers=headers), 401)
        check_error(cd.post(f"{cd.acct}/products", {}, headers=headers), 401)
    assert check_error(cd.get("/no/such/route"), 404) == "Not found"
    check_error(cd.http.delete(f"/compat/chatdash{cd.acct}/products",
                               headers=cd.headers()), 405)
    check_error(cd.get(f"{cd.acct}/products/prod_%00"), 400)
    check_error(cd.get("/clients", headers={"Folio-Account": "acct_nope"}), 404)
    response = cd.http.post(f"/compat/chatdash{cd.acct}/invoices", content=b"{not json",
                            headers={**cd.headers(), "Content-Type": "application/json"})
    check_error(response, 400)
