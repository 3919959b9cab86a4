"""Tenant isolation over /v1: another tenant's key, the same tenant's other mode and the
platform/connected-account header never reach (or reveal) another account's objects.

Every object route of the app is enumerated from `app.routes`, so a new route that
forgets the tenant scope fails here (or fails loudly because its path parameter is not
known to this test yet).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient

from folio.db.engine import Database
from tests.conftest import Tenant, make_tenant

# distinctive names: none of them may ever appear in another tenant's response
SECRET_NAMES = ("Zebulon Quarterly Holdings", "zebulon-books@example.com", "Quuxinator 9000",
                "Zebulon VAT", "ZEBULON-PROMO", "Gadget nickname zeb", "Confidential work zeb",
                "Zebulon metered calls", "zebulon-usage-event-1", "Zebulon Gold plan",
                "Zebulon clock")


@dataclass
class World:
    """One of every object of tenant A (test mode)."""

    tenant: Tenant
    ids: dict[str, str] = field(default_factory=dict)

    def every_id(self) -> set[str]:
        return set(self.ids.values())


def _build_world(a: Tenant) -> World:
    w = World(tenant=a)
    # seller and buyer details, so the open invoice and its credit note have e-invoices
    a.ok("POST", "/v1/account", {"legal_name": "Zebulon Seller GmbH", "vat_id": "DE136695976",
                                 "einvoice_address": "9930:DE136695976",
                                 "address": {"line1": "Hauptstr. 1", "city": "Berlin",
                                             "postal_code": "10115", "country": "DE"}})
    cus = a.ok("POST", "/v1/customers", {"name": SECRET_NAMES[0], "email": SECRET_NAMES[1],
                                         "address": {"city": "Paris", "country": "FR"},
                                         "metadata": {"owner": "zebulon"}})
    product = a.ok("POST", "/v1/products", {"name": SECRET_NAMES[2]})
    price = a.ok("POST", "/v1/prices", {"product": product["id"], "currency": "eur",
                                        "unit_amount": 1500, "nickname": SECRET_NAMES[5]})
    rate = a.ok("POST", "/v1/tax_rates", {"display_name": SECRET_NAMES[3], "percentage": "19",
                                          "inclusive": False})
    coupon = a.ok("POST", "/v1/coupons", {"percent_off": "10", "name": SECRET_NAMES[4]})
    draft = a.ok("POST", "/v1/invoices", {
        "customer": cus["id"], "currency": "eur",
        "lines": [{"description": SECRET_NAMES[6], "quantity": "2", "unit_amount": 5000}]})
    opened = a.ok("POST", "/v1/invoices", {
        "customer": cus["id"], "currency": "eur", "default_tax_rates": [rate["id"]],
        "po_number": "PO-ZEB-1",
        "discounts": [{"coupon": coupon["id"]}],
        "lines": [{"price": price["id"], "quantity": "3"}]})
    opened = a.ok("POST", f"/v1/invoices/{opened['id']}/finalize")
    payment = a.ok("POST", "/v1/payments", {"invoice": opened["id"], "amount": 1000})
    note = a.ok("POST", "/v1/credit_notes", {"invoice": opened["id"], "amount": 500})
    grant = a.ok("POST", f"/v1/customers/{cus['id']}/credit_grants",
                 {"amount": 700, "currency": "eur", "reason": "Zebulon goodwill"})
    credited = a.ok("POST", "/v1/invoices", {
        "customer": cus["id"], "currency": "eur", "apply_credit_balance": True,
        "lines": [{"description": SECRET_NAMES[6], "unit_amount": 500}]})
    credited = a.ok("POST", f"/v1/invoices/{credited['id']}/finalize")
    assert credited["credit_applied"] == 500
    meter = a.ok("POST", "/v1/meters", {"code": "calls", "name": SECRET_NAMES[7]})
    a.ok("POST", "/v1/usage_events", {"event_id": SECRET_NAMES[8], "customer": cus["id"],
                                      "feature": "calls", "value": 5})
    # after the finalizations above (a default payment method would charge them)
    method = a.ok("POST", f"/v1/customers/{cus['id']}/payment_methods",
                  {"token": "pm_card_visa"})
    schedule = a.ok("POST", "/v1/recurring_schedules", {
        "customer": cus["id"], "frequency": {"interval": "month"}, "start_at": 4_000_000_000,
        "template": {"lines": [{"description": SECRET_NAMES[6], "unit_amount": 900}]}})
    w.ids.update(payment_method=method["id"], recurring_schedule=schedule["id"])
    plan = a.ok("POST", "/v1/plans", {
        "name": SECRET_NAMES[9], "currency": "eur", "base_amount": 900,
        "features": [{"code": "calls", "name": "Calls", "kind": "metered",
                      "charge": {"model": "per_unit", "unit_amount_decimal": "1"}}]})
    sub = a.ok("POST", "/v1/subscriptions", {"customer": cus["id"], "plan": plan["id"]})
    clock = a.ok("POST", "/v1/test_clocks", {"frozen_time": 1_780_000_000,
                                            "name": SECRET_NAMES[10]})
    event = a.ok("GET", "/v1/events")["data"][0]
    w.ids.update(plan=plan["id"], subscription=sub["id"], test_clock=clock["id"])
    w.ids.update(
        customer=cus["id"], product=product["id"],
        price=price["id"], tax_rate=rate["id"], coupon=coupon["id"], draft=draft["id"],
        draft_line=draft["lines"]["data"][0]["id"], open=opened["id"],
        open_line=opened["lines"]["data"][0]["id"], open_number=opened["number"],
        payment=payment["id"], credit_note=note["id"], credit_note_number=note["number"],
        credit_grant=grant["id"], credited=credited["id"], event=event["id"], account=a.id,
        meter=meter["id"],
    )
    return w


@pytest.fixture
def world(tenant: Tenant) -> World:
    return _build_world(tenant)


# path parameter name -> the world's id(s) of that kind; invoice routes run against both
# the draft (with its line) and the open invoice (with its line)
PARAM_KINDS = {
    "customer_id": "customer", "product_id": "product", "price_id": "price",
    "tax_rate_id": "tax_rate", "coupon_id": "coupon", "payment_id": "payment",
    "credit_note_id": "credit_note", "event_id": "event", "grant_id": "credit_grant",
    "meter_id": "meter", "method_id": "payment_method", "schedule_id": "recurring_schedule",
    "plan_id": "plan", "sub_id": "subscription",
    "clock_id": "test_clock",
}
INVOICE_VARIANTS = (("draft", "draft_line"), ("open", "open_line"))
# minimal valid bodies (so the request reaches the lookup, not body validation)
BODIES: dict[str, dict[str, Any]] = {
    "/v1/invoices/{invoice_id}/lines": {"lines": [{"description": "x", "unit_amount": 1}]},
    "/v1/invoices/{invoice_id}/lines/{line_id}": {"quantity": "2"},
    "/v1/invoices/{invoice_id}": {"memo": "changed"},
    "/v1/customers/{customer_id}": {"name": "Renamed"},
    "/v1/customers/{customer_id}/credit_grants": {"amount": 100, "currency": "eur"},
    "/v1/products/{product_id}": {"name": "Renamed"},
    "/v1/prices/{price_id}": {"nickname": "Renamed"},
    "/v1/tax_rates/{tax_rate_id}": {"display_name": "Renamed"},
    "/v1/coupons/{coupon_id}": {"name": "Renamed"},
    "/v1/customers/{customer_id}/payment_methods": {"token": "pm_card_visa"},
    "/v1/recurring_schedules/{schedule_id}": {"auto_finalize": True},
    "/v1/plans/{plan_id}": {"name": "Renamed"},
    "/v1/subscriptions/{sub_id}": {"seats": 3},
    "/v1/test_clocks/{clock_id}/advance": {"frozen_time": 1_790_000_000},
}


def app_routes(app: Any) -> list[tuple[str, set[str]]]:
    """(path template, methods) of every route, included routers flattened."""
    try:  # FastAPI >= 0.130 keeps included routers as one entry of app.routes
        from fastapi.routing import iter_route_contexts
        routes: Any = list(iter_route_contexts(app.routes))
    except ImportError:  # pragma: no cover - older FastAPI lists every route
        routes = app.routes
    return [(r.path, set(r.methods or ())) for r in routes if getattr(r, "path", None)]


def object_routes(app: Any) -> list[tuple[str, set[str]]]:
    return [(path, methods) for path, methods in app_routes(app)
            if path.startswith("/v1") and "{" in path]


def object_calls(app: Any, w: World) -> list[tuple[str, str, dict[str, Any] | None]]:
    """(method, concrete path, body) for every /v1 route with a path parameter."""
    calls: list[tuple[str, str, dict[str, Any] | None]] = []
    for template, methods in object_routes(app):
        params = re.findall(r"{(\w+)}", template)
        if "invoice_id" in params:
            variants = [{"invoice_id": w.ids[inv], "line_id": w.ids[line]}
                        for inv, line in INVOICE_VARIANTS]
        else:
            unknown = [p for p in params if p not in PARAM_KINDS]
            assert not unknown, f"{template}: teach this test the parameter(s) {unknown}"
            variants = [{p: w.ids[PARAM_KINDS[p]] for p in params}]
        for method in sorted(methods - {"HEAD"}):
            for values in variants:
                path = template.format(**{p: values[p] for p in params})
                body = BODIES.get(template, {}) if method == "POST" else None
                calls.append((method, path, body))
    return calls


def send(client: TestClient, method: str, path: str, body: dict[str, Any] | None,
         headers: dict[str, str]):  # type: ignore[no-untyped-def]
    if body is None:
        return client.request(method, path, headers=headers)
    return client.request(method, path, json=body, headers=headers)


def assert_not_found(response: Any, w: World, sent: str) -> None:
    """404 in the canonical shape, naming nothing of A's except what the caller sent."""
    assert response.status_code == 404, (sent, response.status_code, response.text)
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"type", "code", "message", "param"}
    assert error["type"] == "invalid_request_error"
    assert error["code"] == "resource_missing"
    assert isinstance(error["message"], str)
    assert error["message"]
    text = response.text
    for secret in w.every_id() | set(SECRET_NAMES):
        if secret not in sent:
            assert secret not in text, (sent, secret, text)


def snapshot(w: World) -> dict[str, Any]:
    a = w.tenant
    return {
        "draft": a.ok("GET", f"/v1/invoices/{w.ids['draft']}"),
        "open": a.ok("GET", f"/v1/invoices/{w.ids['open']}"),
        "customer": a.ok("GET", f"/v1/customers/{w.ids['customer']}"),
        "coupon": a.ok("GET", f"/v1/coupons/{w.ids['coupon']}"),
        "credit_note": a.ok("GET", f"/v1/credit_notes/{w.ids['credit_note']}"),
        "credit_grants": a.ok(
            "GET", f"/v1/customers/{w.ids['customer']}/credit_grants?limit=100")["data"],
        "events": [e["id"] for e in a.ok("GET", "/v1/events?limit=100")["data"]],
        "usage": a.ok("GET", f"/v1/customers/{w.ids['customer']}/usage"),
        "plan": a.ok("GET", f"/v1/plans/{w.ids['plan']}"),
        "subscription": a.ok("GET", f"/v1/subscriptions/{w.ids['subscription']}"),
        "test_clock": a.ok("GET", f"/v1/test_clocks/{w.ids['test_clock']}"),
    }


class TestObjectRoutes:
    def test_enumeration_matches_the_openapi_document(self, app: Any, client: TestClient
                                                      ) -> None:
        declared = {(path, method.upper())
                    for path, item in client.get("/openapi.json").json()["paths"].items()
                    for method in item if path.startswith("/v1") and "{" in path}
        found = {(path, method) for path, methods in object_routes(app)
                 for method in methods - {"HEAD"}}
        assert found == declared
        assert len(found) >= 25

    def test_route_enumeration_covers_every_resource(self, app: Any, world: World) -> None:
        paths = {path for _, path, _ in object_calls(app, world)}
        for kind in ("customer", "product", "price", "tax_rate", "coupon", "draft", "open",
                     "payment", "credit_note", "event", "credit_grant", "meter", "plan",
                     "subscription", "test_clock"):
            assert any(world.ids[kind] in p for p in paths), kind
        assert any(world.ids["draft_line"] in p for p in paths)
        methods = {m for m, _, _ in object_calls(app, world)}
        assert methods == {"GET", "POST", "DELETE"}

    @pytest.mark.parametrize("who", ["other_tenant_test_key", "same_tenant_live_key"])
    def test_every_object_route_answers_404(self, app: Any, client: TestClient, world: World,
                                            other_tenant: Tenant, who: str) -> None:
        headers = (other_tenant.headers() if who == "other_tenant_test_key"
                   else world.tenant.headers(live=True))
        before = snapshot(world)
        calls = object_calls(app, world)
        assert len(calls) >= 25
        for method, path, body in calls:
            response = send(client, method, path, body, headers)
            assert_not_found(response, world, f"{method} {path} {json.dumps(body)}")
        assert snapshot(world) == before  # nothing of A's changed
        # and nothing was created on the caller's side
        if who == "other_tenant_test_key":
            assert other_tenant.ok("GET", "/v1/events")["data"] == []

    def test_owner_reaches_every_object_route(self, app: Any, world: World) -> None:
        """The positive control: the same GET calls with A's own test key answer 200 (a
        draft has no e-invoice: 409)."""
        for method, path, _ in object_calls(app, world):
            if method == "GET":
                response = world.tenant.get(path)
                if path == f"/v1/invoices/{world.ids['draft']}/einvoice":
                    assert response.status_code == 409, response.text
                    assert response.json()["error"]["code"] == "invoice_not_finalized"
                else:
                    assert response.status_code == 200, (path, response.text)


LISTS = ("/v1/customers", "/v1/invoices", "/v1/products", "/v1/prices", "/v1/tax_rates",
         "/v1/coupons", "/v1/payments", "/v1/credit_notes", "/v1/events", "/v1/meters",
         "/v1/plans", "/v1/subscriptions", "/v1/test_clocks")


class TestLists:
    def test_owner_sees_its_objects(self, world: World) -> None:
        for path in LISTS:
            assert world.tenant.ok("GET", f"{path}?limit=100")["data"], path

    @pytest.mark.parametrize("who", ["other_tenant_test_key", "same_tenant_live_key"])
    def test_lists_show_no_object_of_a(self, client: TestClient, world: World,
                                       other_tenant: Tenant, who: str) -> None:
        headers = (other_tenant.headers() if who == "other_tenant_test_key"
                   else world.tenant.headers(live=True))
        secrets = world.every_id() - {world.ids["account"]} | set(SECRET_NAMES)
        for path in LISTS:
            response = client.get(path, params={"limit": 100}, headers=headers)
            assert response.status_code == 200, (path, response.text)
            body = response.json()
            assert body["data"] == [], path
            assert body["has_more"] is False, path
            for secret in secrets:
                assert secret not in response.text, (path, secret)

    def test_filters_and_cursors_naming_a_objects(self, client: TestClient, world: World,
                                                  other_tenant: Tenant) -> None:
        b = other_tenant
        for path, params in [("/v1/invoices", {"customer": world.ids["customer"]}),
                             ("/v1/payments", {"invoice": world.ids["open"]}),
                             ("/v1/credit_notes", {"invoice": world.ids["open"]}),
                             ("/v1/prices", {"product": world.ids["product"]})]:
            r = client.get(path, params=params, headers=b.headers())
            assert_not_found(r, world, json.dumps(params))
        r = b.get("/v1/events", object_id=world.ids["open"])
        assert r.status_code == 200
        assert r.json()["data"] == []
        for path, kind in [("/v1/customers", "customer"), ("/v1/invoices", "open"),
                           ("/v1/events", "event")]:
            for cursor in ("starting_after", "ending_before"):
                r = client.get(path, params={cursor: world.ids[kind]}, headers=b.headers())
                assert r.status_code == 400, (path, cursor, r.text)
                assert r.json()["error"]["param"] == cursor


class TestReferencesInBodies:
    def test_references_to_a_objects_are_not_found(self, world: World,
                                                    other_tenant: Tenant) -> None:
        b, ids = other_tenant, world.ids
        own = b.ok("POST", "/v1/customers", {"name": "Bee"})
        own_draft = b.ok("POST", "/v1/invoices", {
            "customer": own["id"], "lines": [{"description": "b", "unit_amount": 100}]})
        own_line = own_draft["lines"]["data"][0]["id"]
        own_open = b.ok("POST", "/v1/invoices", {
            "customer": own["id"], "lines": [{"description": "b", "unit_amount": 100}]})
        own_open = b.ok("POST", f"/v1/invoices/{own_open['id']}/finalize")
        events_before = b.ok("GET", "/v1/events?limit=100")["data"]
        cases: list[tuple[str, dict[str, Any]]] = [
            ("/v1/invoices", {"customer": ids["customer"]}),
            ("/v1/invoices/preview", {"customer": ids["customer"]}),
            ("/v1/invoices", {"customer": own["id"], "lines": [{"price": ids["price"]}]}),
            ("/v1/invoices", {"customer": own["id"], "lines": [
                {"unit_amount": 100, "tax_rates": [ids["tax_rate"]]}]}),
            ("/v1/invoices", {"customer": own["id"], "default_tax_rates": [ids["tax_rate"]]}),
            ("/v1/invoices", {"customer": own["id"], "discounts": [{"coupon": ids["coupon"]}]}),
            ("/v1/invoices", {"customer": own["id"], "lines": [
                {"unit_amount": 100, "discounts": [{"coupon": ids["coupon"]}]}]}),
            ("/v1/invoices/preview", {"customer": own["id"], "lines": [{"price": ids["price"]}]}),
            ("/v1/prices", {"product": ids["product"], "currency": "eur", "unit_amount": 1}),
            ("/v1/payments", {"invoice": ids["open"], "amount": 1}),
            ("/v1/credit_notes", {"invoice": ids["open"], "amount": 1}),
            ("/v1/credit_notes", {"invoice": own_open["id"], "lines": [
                {"invoice_line": ids["open_line"], "quantity": "1"}]}),
            (f"/v1/invoices/{own_draft['id']}", {"default_tax_rates": [ids["tax_rate"]]}),
            (f"/v1/invoices/{own_draft['id']}", {"discounts": [{"coupon": ids["coupon"]}]}),
            (f"/v1/invoices/{own_draft['id']}/lines", {"lines": [{"price": ids["price"]}]}),
            (f"/v1/invoices/{own_draft['id']}/lines/{own_line}",
             {"tax_rates": [ids["tax_rate"]]}),
            (f"/v1/invoices/{own_draft['id']}/lines/{ids['draft_line']}", {"quantity": "3"}),
            ("/v1/usage_events", {"event_id": "b-1", "customer": ids["customer"],
                                  "feature": "calls", "value": 1}),
            ("/v1/subscriptions", {"customer": own["id"], "plan": ids["plan"]}),
            ("/v1/customers", {"name": "Bee 2", "test_clock": ids["test_clock"]}),
        ]
        for path, body in cases:
            r = b.post(path, body)
            assert_not_found(r, world, f"{path} {json.dumps(body)}")
        r = b.delete(f"/v1/invoices/{own_draft['id']}/lines/{ids['draft_line']}")
        assert_not_found(r, world, ids["draft_line"])
        # nothing was written for B, and A's draft line is untouched
        assert b.ok("GET", "/v1/events?limit=100")["data"] == events_before
        assert b.ok("GET", "/v1/prices")["data"] == []
        # a batch naming A's customer is refused whole, naming the event
        b.ok("POST", "/v1/meters", {"code": "calls", "name": "B calls"})
        r = b.post("/v1/usage_events", {"events": [
            {"event_id": "b-2", "customer": own["id"], "feature": "calls", "value": 1},
            {"event_id": "b-3", "customer": ids["customer"], "feature": "calls", "value": 1}]})
        assert r.status_code == 400
        assert r.json()["error"]["errors"][0]["param"] == "events[1].customer"
        assert r.json()["error"]["errors"][0]["code"] == "resource_missing"
        assert b.ok("GET", f"/v1/customers/{own['id']}/usage")["data"][0]["event_count"] == 0
        assert len(b.ok("GET", "/v1/invoices")["data"]) == 2
        a_draft = world.tenant.ok("GET", f"/v1/invoices/{ids['draft']}")
        assert a_draft["lines"]["data"][0]["quantity"] == "2"

    def test_live_key_cannot_reference_test_objects(self, world: World) -> None:
        a, ids = world.tenant, world.ids
        for path, body in [("/v1/invoices", {"customer": ids["customer"]}),
                           ("/v1/prices", {"product": ids["product"], "currency": "eur",
                                           "unit_amount": 1}),
                           ("/v1/payments", {"invoice": ids["open"], "amount": 1})]:
            assert_not_found(a.post(path, body, live=True), world, json.dumps(body))


class TestConnectedAccounts:
    @pytest.fixture
    def accounts(self, db: Database, client: TestClient) -> dict[str, Tenant]:
        platform = make_tenant(db, client, "Platform")
        connected = make_tenant(db, client, "Connected", platform=platform.id)
        sibling = make_tenant(db, client, "Sibling", platform=platform.id)
        other_platform = make_tenant(db, client, "Other platform")
        foreign = make_tenant(db, client, "Foreign", platform=other_platform.id)
        stranger = make_tenant(db, client, "Stranger")
        return {"platform": platform, "connected": connected, "sibling": sibling,
                "other_platform": other_platform, "foreign": foreign, "stranger": stranger}

    def test_platform_acts_on_its_connected_account(self, client: TestClient,
                                                    accounts: dict[str, Tenant]) -> None:
        platform, connected = accounts["platform"], accounts["connected"]
        cus = connected.ok("POST", "/v1/customers", {"name": "Connected customer"})
        as_connected = platform.headers(**{"Folio-Account": connected.id})
        r = client.get(f"/v1/customers/{cus['id']}", headers=as_connected)
        assert r.status_code == 200
        assert r.json()["name"] == "Connected customer"
        listed = client.get("/v1/customers", headers=as_connected).json()["data"]
        assert [c["id"] for c in listed] == [cus["id"]]
        account = client.get("/v1/account", headers=as_connected).json()
        assert account["id"] == connected.id
        # a write through the header lands on the connected account
        made = client.post("/v1/products", json={"name": "Via platform"}, headers=as_connected)
        assert made.status_code == 200
        assert connected.ok("GET", f"/v1/products/{made.json()['id']}")["name"] == "Via platform"
        # without the header the platform acts as itself and sees none of it
        assert_not_found(platform.get(f"/v1/customers/{cus['id']}"),
                         World(tenant=platform, ids={"c": cus["id"]}), cus["id"])
        assert platform.ok("GET", "/v1/customers")["data"] == []
        assert platform.ok("GET", "/v1/products")["data"] == []
        # the platform's live key acting on the connected account sees live mode only
        live = client.get(f"/v1/customers/{cus['id']}",
                          headers=platform.headers(live=True, **{"Folio-Account": connected.id}))
        assert live.status_code == 404
        # the header naming the platform itself is allowed
        me = client.get("/v1/account", headers=platform.headers(**{"Folio-Account": platform.id}))
        assert me.status_code == 200
        assert me.json()["id"] == platform.id

    def test_connected_account_cannot_see_the_platform(self, accounts: dict[str, Tenant]
                                                       ) -> None:
        platform, connected = accounts["platform"], accounts["connected"]
        cus = platform.ok("POST", "/v1/customers", {"name": "Platform customer"})
        r = connected.get(f"/v1/customers/{cus['id']}")
        assert r.status_code == 404
        assert "Platform customer" not in r.text
        assert connected.ok("GET", "/v1/customers")["data"] == []

    @pytest.mark.parametrize(("key_of", "acting_as"), [
        ("connected", "platform"),  # up to its platform
        ("connected", "sibling"),  # across to its platform's other account
        ("connected", "foreign"),  # to another platform's connected account
        ("connected", "other_platform"),
        ("stranger", "connected"),  # an unrelated tenant
        ("other_platform", "connected"),  # another platform
        ("foreign", "connected"),
    ])
    def test_forbidden_account_headers(self, client: TestClient, accounts: dict[str, Tenant],
                                       key_of: str, acting_as: str) -> None:
        target = accounts[acting_as]
        cus = target.ok("POST", "/v1/customers", {"name": "Target customer"})
        for live in (False, True):
            headers = accounts[key_of].headers(live=live, **{"Folio-Account": target.id})
            for path in ("/v1/account", "/v1/customers", f"/v1/customers/{cus['id']}"):
                r = client.get(path, headers=headers)
                assert r.status_code == 403, (key_of, acting_as, path, r.text)
                error = r.json()["error"]
                assert error["code"] == "account_invalid"
                assert error["type"] == "permission_error"
                assert error["param"] == "Folio-Account"
                assert "Target customer" not in r.text
                assert cus["id"] not in r.text
            r = client.post("/v1/customers", json={"name": "Intruder"}, headers=headers)
            assert r.status_code == 403
        assert [c["id"] for c in target.ok("GET", "/v1/customers")["data"]] == [cus["id"]]

    def test_unknown_account_header_is_403_like_a_foreign_one(
            self, client: TestClient, accounts: dict[str, Tenant]) -> None:
        r = client.get("/v1/customers", headers=accounts["platform"].headers(
            **{"Folio-Account": "acct_doesnotexist000000000"}))
        assert r.status_code == 403
        assert r.json()["error"]["code"] == "account_invalid"
