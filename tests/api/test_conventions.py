"""API conventions over /v1: authentication and error shape, input validation (bad input is
a clear 400, never a 500), atomic failures, idempotency, pagination and created filters,
metadata, and the operational endpoints."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from folio.api.app import create_app
from folio.config import Settings
from folio.db.engine import Database
from tests import factories as f
from tests.conftest import Tenant, make_tenant

JSON = {"Content-Type": "application/json"}


def assert_error(response: Any, status: int, code: str | None = None,
                 param: str | None = None) -> dict[str, Any]:
    """The canonical error shape: {"error": {type, code, message, param}}."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"type", "code", "message", "param"}, error
    for key in ("type", "code", "message"):
        assert isinstance(error[key], str)
        assert error[key]
    if code is not None:
        assert error["code"] == code, error
    if param is not None:
        assert error["param"] == param, error
    assert "None" not in error["message"], error
    return error  # type: ignore[no-any-return]


def raw_post(t: Tenant, path: str, content: bytes,
             headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return t.client.post(path, content=content, headers={**t.headers(), **(headers or JSON)})


def event_ids(t: Tenant) -> list[str]:
    return [e["id"] for e in t.ok("GET", "/v1/events?limit=100")["data"]]


class TestAuthentication:
    def test_missing_key(self, client: TestClient) -> None:
        for path in ("/v1/customers", "/v1/account", "/v1/invoices/in_whatever"):
            error = assert_error(client.get(path), 401, "api_key_missing")
            assert error["type"] == "authentication_error"
        assert_error(client.post("/v1/customers", json={}), 401, "api_key_missing")
        assert_error(client.get("/v1/customers", headers={"Authorization": "Basic abc"}),
                     401, "api_key_missing")
        assert_error(client.get("/v1/customers", headers={"Authorization": "Bearer "}),
                     401, "api_key_missing")

    def test_invalid_key(self, client: TestClient, tenant: Tenant) -> None:
        for key in ("sk_test_nope", "sk_live_" + "0" * 43, tenant.keys.test_key + "x",
                    tenant.keys.test_key[:-1]):
            error = assert_error(client.get("/v1/customers",
                                            headers={"Authorization": f"Bearer {key}"}),
                                 401, "api_key_invalid")
            assert error["type"] == "authentication_error"
            assert tenant.keys.test_key not in error["message"]

    def test_auth_is_checked_before_the_body(self, client: TestClient) -> None:
        r = client.post("/v1/customers", content=b"{bad", headers={**JSON,
                        "Authorization": "Bearer sk_test_nope"})
        assert r.status_code in (400, 401)  # either way: a clear error, never a 500

    def test_both_modes_authenticate(self, tenant: Tenant) -> None:
        assert tenant.ok("GET", "/v1/account")["livemode"] is False
        live = tenant.get("/v1/account", live=True)
        assert live.status_code == 200
        assert live.json()["livemode"] is True


class TestValidationErrors:
    def test_unknown_body_field(self, tenant: Tenant) -> None:
        error = assert_error(tenant.post("/v1/customers", {"name": "X", "nmae": "Y"}), 400,
                             "parameter_unknown", "nmae")
        assert "nmae" in error["message"]
        cus = f.customer(tenant)
        assert_error(tenant.post("/v1/invoices", {"customer": cus["id"], "lines": [
            {"unit_amount": 1, "colour": "red"}]}), 400, "parameter_unknown",
            "lines[0].colour")
        assert_error(tenant.post("/v1/customers", {"address": {"zip": "1"}}), 400,
                     "parameter_unknown", "address.zip")
        assert_error(tenant.post(f"/v1/customers/{cus['id']}", {"invoice_prefix": "ABC"}), 400,
                     "parameter_unknown", "invoice_prefix")

    def test_missing_required(self, tenant: Tenant) -> None:
        assert_error(tenant.post("/v1/products", {}), 400, "parameter_missing", "name")
        assert_error(tenant.post("/v1/invoices", {"currency": "eur"}), 400,
                     "parameter_missing", "customer")
        assert_error(tenant.post("/v1/payments", {"amount": 5}), 400, "parameter_missing",
                     "invoice")
        assert_error(tenant.post("/v1/tax_rates", {"display_name": "VAT", "percentage": "7"}),
                     400, "parameter_missing", "inclusive")
        cus = f.customer(tenant)
        assert_error(tenant.post("/v1/invoices", {"customer": cus["id"], "lines": [
            {"description": "no amount"}]}), 400, "parameter_missing", "lines[0].unit_amount")

    @pytest.mark.parametrize(("path", "body", "param"), [
        ("/v1/customers", {"name": 5}, "name"),
        ("/v1/customers", {"email": "not an email"}, "email"),
        ("/v1/customers", {"contacts": "ada"}, "contacts"),
        ("/v1/customers", {"metadata": {"k": 1}}, "metadata.k"),
        ("/v1/customers", {"metadata": ["k"]}, "metadata"),
        ("/v1/customers", {"tax_exempt": "sometimes"}, "tax_exempt"),
        ("/v1/products", {"name": "W", "active": "perhaps"}, "active"),
        ("/v1/products", {"name": ""}, "name"),
        ("/v1/products", {"name": ["W"]}, "name"),
        ("/v1/tax_rates", {"display_name": "V", "percentage": "abc", "inclusive": False},
         "percentage"),
        ("/v1/tax_rates", {"display_name": "V", "percentage": "101", "inclusive": False},
         "percentage"),
        ("/v1/coupons", {"percent_off": {"v": 1}}, "percent_off"),
        ("/v1/payments", {"invoice": "in_x", "amount": 1.5}, "amount"),
        ("/v1/payments", {"invoice": "in_x", "amount": "lots"}, "amount"),
        ("/v1/payments", {"invoice": 12345, "amount": 1}, "invoice"),
        ("/v1/payments", {"invoice": "in_x", "amount": 1, "method": "barter"}, "method"),
    ])
    def test_wrong_types(self, tenant: Tenant, path: str, body: dict[str, Any],
                         param: str) -> None:
        assert_error(tenant.post(path, body), 400, "parameter_invalid", param)

    def test_wrong_types_in_lines(self, tenant: Tenant) -> None:
        cus = f.customer(tenant)
        for line, param in [({"unit_amount": "ten"}, "lines[0].unit_amount"),
                            ({"unit_amount": 1, "quantity": "two"}, "lines[0].quantity"),
                            ({"unit_amount": 1, "quantity": [1]}, "lines[0].quantity"),
                            ({"unit_amount": 1, "type": "gift"}, "lines[0].type"),
                            ({"unit_amount": 1, "tax_rates": "txr_1"}, "lines[0].tax_rates")]:
            assert_error(tenant.post("/v1/invoices", {"customer": cus["id"], "lines": [line]}),
                         400, "parameter_invalid", param)
        assert_error(tenant.post("/v1/invoices", {"customer": cus["id"], "lines": "x"}), 400,
                     "parameter_invalid", "lines")
        assert tenant.ok("GET", "/v1/invoices")["data"] == []

    def test_query_parameters(self, tenant: Tenant) -> None:
        assert_error(tenant.get("/v1/customers", limit="ten"), 400, "parameter_invalid",
                     "limit")
        assert_error(tenant.get("/v1/invoices", status="lost"), 400, "parameter_invalid",
                     "status")
        assert_error(tenant.get("/v1/customers", **{"created[gte]": "yesterday"}), 400,
                     "parameter_invalid", "created[gte]")
        assert_error(tenant.get("/v1/customers", **{"created[lt]": "-1"}), 400,
                     "parameter_invalid", "created[lt]")

    def test_unknown_route_and_method(self, tenant: Tenant) -> None:
        assert_error(tenant.get("/v1/nothing_here"), 404, "route_not_found")
        assert_error(tenant.delete("/v1/customers"), 405, "method_not_allowed")


class TestNumbers:
    def test_json_number_quantity_is_never_a_binary_float(self, tenant: Tenant) -> None:
        cus = f.customer(tenant)
        body = (b'{"customer": "%s", "lines": [{"unit_amount": 1000, "quantity": 0.1},'
                b' {"unit_amount": 3, "quantity": 1.1}]}' % cus["id"].encode())
        r = raw_post(tenant, "/v1/invoices", body)
        assert r.status_code == 200, r.text
        stored = tenant.ok("GET", f"/v1/invoices/{r.json()['id']}")
        first, second = stored["lines"]["data"]
        assert first["quantity"] == "0.1"
        assert first["amount"] == 100
        assert second["quantity"] == "1.1"
        assert second["amount"] == 3  # 3.3 rounds to 3
        assert stored["subtotal"] == 103

    def test_json_number_decimals_elsewhere(self, tenant: Tenant) -> None:
        r = raw_post(tenant, "/v1/tax_rates",
                     b'{"display_name": "V", "percentage": 0.1, "inclusive": false}')
        assert r.status_code == 200
        assert r.json()["percentage"] == "0.1"
        r = raw_post(tenant, "/v1/coupons", b'{"percent_off": 12.5}')
        assert r.status_code == 200
        assert r.json()["percent_off"] == "12.5"
        cus = f.customer(tenant)
        r = raw_post(tenant, "/v1/invoices", b'{"customer": "%s", "lines": [{"quantity": 2, '
                     b'"unit_amount_decimal": 0.7}]}' % cus["id"].encode())
        assert r.status_code == 200, r.text
        line = r.json()["lines"]["data"][0]
        assert line["unit_amount_decimal"] == "0.7"
        assert line["amount"] == 1

    def test_decimal_strings_round_trip(self, tenant: Tenant) -> None:
        inv = f.draft(tenant, lines=[{"unit_amount": 1000, "quantity": "0.1"},
                                     {"unit_amount_decimal": "0.3333", "quantity": "3"}])
        q = [x["quantity"] for x in inv["lines"]["data"]]
        assert q == ["0.1", "3"]
        assert inv["lines"]["data"][1]["unit_amount_decimal"] == "0.3333"

    @pytest.mark.parametrize("content", [
        b'{"unit_amount": 100, "quantity": 1e400}',  # infinity once parsed
        b'{"unit_amount": 100, "quantity": NaN}',
        b'{"unit_amount": 100, "quantity": -Infinity}',
        b'{"unit_amount": 100, "quantity": 0.30000000000000004}',  # too precise
        b'{"unit_amount": 100, "quantity": "1e-30"}',
        b'{"unit_amount": 100, "quantity": "1e-1000"}',  # would not fit the stored text
        b'{"unit_amount": 100, "quantity": "1e+100"}',
        b'{"unit_amount": 100, "quantity": "0"}',
        b'{"unit_amount": 100, "quantity": "-1"}',
        b'{"unit_amount": 100, "quantity": true}',
        b'{"unit_amount": 10000000000000000}',  # above the largest amount
        b'{"unit_amount": 100000000000000000000000000000000000000}',
        b'{"unit_amount": ' + b"9" * 5000 + b"}",  # beyond Python's int parsing limit
        b'{"unit_amount": 1.5}',
        b'{"unit_amount": -5}',  # only discount and credit lines may be negative
        b'{"unit_amount_decimal": "1e30"}',
        b'{"unit_amount_decimal": "Infinity"}',
        b'{"unit_amount": 1000000000000000, "quantity": "999999999999"}',  # 10**27 total
        b'{"unit_amount_decimal": "999999999999", "quantity": "999999999999"}',
        b'{"unit_amount": 1, "period_start": 100000000000000000000}',
        b'{"unit_amount": 1, "period_end": -100000000000000000000}',
    ])
    def test_bad_line_numbers_are_400(self, tenant: Tenant, content: bytes) -> None:
        cus = f.customer(tenant)
        body = b'{"customer": "%s", "lines": [%s]}' % (cus["id"].encode(), content)
        for path in ("/v1/invoices", "/v1/invoices/preview"):
            error = assert_error(raw_post(tenant, path, body), 400)
            assert error["type"] == "invalid_request_error"
        draft = f.draft(tenant)
        assert_error(raw_post(tenant, f"/v1/invoices/{draft['id']}/lines",
                              b'{"lines": [%s]}' % content), 400)
        assert [i["id"] for i in tenant.ok("GET", "/v1/invoices")["data"]] == [draft["id"]]

    def test_huge_line_update_is_400(self, tenant: Tenant) -> None:
        draft = f.draft(tenant)
        line = draft["lines"]["data"][0]["id"]
        assert_error(tenant.post(f"/v1/invoices/{draft['id']}/lines/{line}",
                                 {"unit_amount": 10**15, "quantity": "999999999999"}), 400)
        assert tenant.ok("GET", f"/v1/invoices/{draft['id']}")["subtotal"] == 10000

    @pytest.mark.parametrize(("path", "body", "param"), [
        ("/v1/payments", {"invoice": "in_x", "amount": -1}, "amount"),
        ("/v1/payments", {"invoice": "in_x", "amount": 0}, "amount"),
        ("/v1/payments", {"invoice": "in_x", "amount": 10**16}, "amount"),
        ("/v1/payments", {"invoice": "in_x", "amount": 10**40}, "amount"),
        ("/v1/payments", {"invoice": "in_x", "amount": 1, "paid_at": 10**20}, "paid_at"),
        ("/v1/credit_notes", {"invoice": "in_x", "amount": -100}, "amount"),
        ("/v1/coupons", {"amount_off": -100, "currency": "eur"}, "amount_off"),
        ("/v1/coupons", {"percent_off": "-5"}, "percent_off"),
        ("/v1/coupons", {"percent_off": "5", "max_redemptions": 10**20}, "max_redemptions"),
        ("/v1/prices", {"product": "prod_x", "currency": "eur", "unit_amount": -1},
         "unit_amount"),
        ("/v1/prices", {"product": "prod_x", "currency": "eur", "unit_amount": 10**30},
         "unit_amount"),
        ("/v1/tax_rates", {"display_name": "V", "percentage": "-1", "inclusive": False},
         "percentage"),
        ("/v1/invoices", {"customer": "cus_x", "period_start": 10**20}, "period_start"),
        ("/v1/invoices", {"customer": "cus_x", "recurring_occurrence": 10**12},
         "recurring_occurrence"),
        ("/v1/invoices", {"customer": "cus_x", "collection_method": "send_invoice",
                          "days_until_due": 10**20}, "days_until_due"),
    ])
    def test_negative_and_huge_amounts(self, tenant: Tenant, path: str, body: dict[str, Any],
                                       param: str) -> None:
        assert_error(tenant.post(path, body), 400, "parameter_invalid", param)

    def test_huge_query_numbers(self, tenant: Tenant) -> None:
        for name in ("created[gt]", "created[gte]", "created[lt]", "created[lte]"):
            assert_error(tenant.get("/v1/invoices", **{name: str(10**20)}), 400,
                         "parameter_invalid", name)
        assert_error(tenant.get("/v1/customers", limit=str(10**30)), 400,
                     "parameter_invalid", "limit")

    def test_nul_characters_are_refused(self, tenant: Tenant) -> None:
        assert_error(tenant.post("/v1/customers", {"name": "a\x00b"}), 400,
                     "parameter_invalid", "name")
        assert_error(tenant.post("/v1/customers", {"metadata": {"k": "\x00"}}), 400,
                     "parameter_invalid", "metadata")
        assert_error(tenant.get("/v1/customers?email=a%00b"), 400, "parameter_invalid",
                     "email")
        assert_error(tenant.get("/v1/customers/cus_%00"), 400, "parameter_invalid",
                     "customer_id")
        assert tenant.ok("GET", "/v1/customers")["data"] == []


class TestCurrencies:
    def test_invalid_currency(self, tenant: Tenant) -> None:
        cus = f.customer(tenant)
        product = tenant.ok("POST", "/v1/products", {"name": "W"})
        for path, body in [("/v1/invoices", {"customer": cus["id"], "currency": "xxx"}),
                           ("/v1/invoices/preview", {"customer": cus["id"], "currency": "xxx"}),
                           ("/v1/prices", {"product": product["id"], "currency": "xxx",
                                           "unit_amount": 1}),
                           ("/v1/customers", {"currency": "xxx"}),
                           ("/v1/coupons", {"amount_off": 5, "currency": "xxx"})]:
            error = assert_error(tenant.post(path, body), 400, "currency_invalid", "currency")
            assert "xxx" in error["message"]
        for bad in ("eu", "euro", "€", 978):
            assert_error(tenant.post("/v1/invoices", {"customer": cus["id"], "currency": bad}),
                         400, param="currency")
        assert tenant.ok("GET", "/v1/invoices")["data"] == []
        assert tenant.ok("GET", "/v1/prices")["data"] == []

    def test_currency_case_is_normalised(self, tenant: Tenant) -> None:
        _, price = f.product_price(tenant, currency="USD")
        assert price["currency"] == "usd"


class TestMalformedBodies:
    @pytest.mark.parametrize("content", [b"{bad", b'{"name": "x",}', b"", b"[1, 2]", b"null",
                                         b'"customer"', b"42", b"true", b"\xff\xfe",
                                         b'{"name": "\\ud800"}'])
    def test_malformed_or_non_object_json(self, tenant: Tenant, content: bytes) -> None:
        for path in ("/v1/customers", "/v1/products", "/v1/invoices"):
            assert_error(raw_post(tenant, path, content), 400)
        assert tenant.ok("GET", "/v1/customers")["data"] == []

    @pytest.mark.parametrize("content", [b"{bad", b"[1]", b"7", b'{"method": 5}'])
    def test_optional_body_endpoint(self, tenant: Tenant, content: bytes) -> None:
        inv = f.open_invoice(tenant)
        assert_error(raw_post(tenant, f"/v1/invoices/{inv['id']}/pay", content), 400)
        assert tenant.ok("GET", f"/v1/invoices/{inv['id']}")["status"] == "open"

    def test_non_json_content_type(self, tenant: Tenant) -> None:
        r = raw_post(tenant, "/v1/customers", b"name=Ada",
                     {"Content-Type": "application/x-www-form-urlencoded"})
        assert_error(r, 400)
        r = raw_post(tenant, "/v1/customers", b'{"name": "Ada"}', {"Content-Type": "text/plain"})
        assert r.status_code in (200, 400), r.text
        assert r.status_code != 500


class TestTaxIds:
    def test_valid_vat_id_is_accepted_and_normalised(self, tenant: Tenant) -> None:
        cus = tenant.ok("POST", "/v1/customers", {"name": "GmbH", "tax_id": "DE136695976",
                                                  "address": {"country": "DE"}})
        assert cus["tax_id"] == "DE136695976"
        assert cus["address"]["country"] == "DE"
        spaced = tenant.ok("POST", "/v1/customers", {"tax_id": "de 136.695-976",
                                                     "address": {"country": "de"}})
        assert spaced["tax_id"] == "DE136695976"
        assert spaced["address"]["country"] == "DE"
        bare = tenant.ok("POST", "/v1/customers", {"tax_id": "136695976",
                                                   "address": {"country": "DE"}})
        assert bare["tax_id"] == "DE136695976"

    def test_invalid_vat_id(self, tenant: Tenant) -> None:
        error = assert_error(tenant.post("/v1/customers", {"tax_id": "DE123",
                                                           "address": {"country": "DE"}}),
                             400, "tax_id_invalid", "tax_id")
        assert "DE123" in error["message"]
        assert_error(tenant.post("/v1/customers", {"tax_id": "DE136695977",  # bad checksum
                                                   "address": {"country": "DE"}}),
                     400, "tax_id_invalid", "tax_id")
        assert tenant.ok("GET", "/v1/customers")["data"] == []
        assert event_ids(tenant) == []

    def test_update_validates_too(self, tenant: Tenant) -> None:
        cus = tenant.ok("POST", "/v1/customers", {"name": "GmbH", "tax_id": "DE136695976",
                                                  "address": {"country": "DE"}})
        before = event_ids(tenant)
        assert_error(tenant.post(f"/v1/customers/{cus['id']}", {"tax_id": "DE123"}), 400,
                     "tax_id_invalid", "tax_id")
        assert tenant.ok("GET", f"/v1/customers/{cus['id']}")["tax_id"] == "DE136695976"
        assert event_ids(tenant) == before


class TestFailuresChangeNothing:
    def test_invoice_with_a_bad_line_after_a_good_one(self, tenant: Tenant) -> None:
        cus = f.customer(tenant)
        before = event_ids(tenant)
        good = {"description": "fine", "unit_amount": 500}
        for bad, status in [({"description": "no amount"}, 400),
                            ({"price": "price_doesnotexist"}, 404),
                            ({"unit_amount": 1, "tax_rates": ["txr_doesnotexist"]}, 404),
                            ({"unit_amount": 1, "discounts": [{"coupon": "co_nope"}]}, 404)]:
            r = tenant.post("/v1/invoices", {"customer": cus["id"], "lines": [good, bad]})
            assert_error(r, status)
            assert r.json()["error"]["param"].startswith("lines[1]")
        assert tenant.ok("GET", "/v1/invoices")["data"] == []
        assert event_ids(tenant) == before

    def test_adding_lines_is_all_or_nothing(self, tenant: Tenant) -> None:
        inv = f.draft(tenant)
        before = event_ids(tenant)
        r = tenant.post(f"/v1/invoices/{inv['id']}/lines", {"lines": [
            {"description": "ok", "unit_amount": 1}, {"description": "no amount"}]})
        assert_error(r, 400, "parameter_missing")
        after = tenant.ok("GET", f"/v1/invoices/{inv['id']}")
        assert after == inv
        assert event_ids(tenant) == before

    def test_payment_above_due(self, tenant: Tenant) -> None:
        inv = f.open_invoice(tenant)
        before = event_ids(tenant)
        assert_error(tenant.post("/v1/payments", {"invoice": inv["id"], "amount": 10001}), 422,
                     "amount_exceeds_due")
        assert tenant.ok("GET", "/v1/payments")["data"] == []
        assert event_ids(tenant) == before
        assert tenant.ok("GET", f"/v1/invoices/{inv['id']}") == inv

    def test_credit_above_creditable(self, tenant: Tenant) -> None:
        inv = f.open_invoice(tenant)
        before = event_ids(tenant)
        assert_error(tenant.post("/v1/credit_notes", {"invoice": inv["id"], "amount": 10001}),
                     422)
        assert tenant.ok("GET", "/v1/credit_notes")["data"] == []
        assert event_ids(tenant) == before

    def test_finalize_refused_writes_nothing(self, tenant: Tenant) -> None:
        inv = f.draft(tenant, lines=[])
        before = event_ids(tenant)
        assert_error(tenant.post(f"/v1/invoices/{inv['id']}/finalize"), 409,
                     "invoice_no_lines")
        after = tenant.ok("GET", f"/v1/invoices/{inv['id']}")
        assert after["status"] == "draft"
        assert after["number"] is None
        assert event_ids(tenant) == before
        # the number was not consumed either
        assert f.open_invoice(tenant)["number"].endswith("000001")


class TestIdempotency:
    def test_replay_returns_the_stored_response(self, tenant: Tenant) -> None:
        key = {"Idempotency-Key": "create-ada-1"}
        first = tenant.post("/v1/customers", {"name": "Ada"}, **key)
        assert first.status_code == 200
        assert "idempotent-replayed" not in first.headers
        events = event_ids(tenant)
        again = tenant.post("/v1/customers", {"name": "Ada"}, **key)
        assert again.status_code == 200
        assert again.headers["Idempotent-Replayed"] == "true"
        assert again.json() == first.json()
        assert [c["id"] for c in tenant.ok("GET", "/v1/customers")["data"]] == [first.json()["id"]]
        assert event_ids(tenant) == events

    def test_replayed_payment_is_recorded_once(self, tenant: Tenant) -> None:
        inv = f.open_invoice(tenant)
        body = {"invoice": inv["id"], "amount": 2500}
        p1 = tenant.post("/v1/payments", body, **{"Idempotency-Key": "pay-1"})
        p2 = tenant.post("/v1/payments", body, **{"Idempotency-Key": "pay-1"})
        assert p1.status_code == p2.status_code == 200
        assert p1.json() == p2.json()
        assert p2.headers["Idempotent-Replayed"] == "true"
        assert len(tenant.ok("GET", "/v1/payments")["data"]) == 1
        assert tenant.ok("GET", f"/v1/invoices/{inv['id']}")["amount_paid"] == 2500

    def test_same_key_other_request(self, tenant: Tenant) -> None:
        key = {"Idempotency-Key": "k-1"}
        tenant.post("/v1/customers", {"name": "Ada"}, **key)
        error = assert_error(tenant.post("/v1/customers", {"name": "Bob"}, **key), 400,
                             "idempotency_key_reused", "Idempotency-Key")
        assert error["type"] == "idempotency_error"
        assert_error(tenant.post("/v1/products", {"name": "Ada"}, **key), 400,
                     "idempotency_key_reused")
        assert len(tenant.ok("GET", "/v1/customers")["data"]) == 1
        assert tenant.ok("GET", "/v1/products")["data"] == []

    def test_keys_are_scoped_per_account_and_mode(self, tenant: Tenant,
                                                  other_tenant: Tenant) -> None:
        key = {"Idempotency-Key": "shared-key"}
        mine = tenant.post("/v1/customers", {"name": "Ada"}, **key)
        theirs = other_tenant.post("/v1/customers", {"name": "Ada"}, **key)
        live = tenant.post("/v1/customers", {"name": "Ada"}, live=True, **key)
        for r in (mine, theirs, live):
            assert r.status_code == 200
            assert "idempotent-replayed" not in r.headers
        assert len({mine.json()["id"], theirs.json()["id"], live.json()["id"]}) == 3
        assert live.json()["livemode"] is True
        # a different body under the same key is fine for the other tenant
        other = other_tenant.post("/v1/products", {"name": "X"},
                                  **{"Idempotency-Key": "k-products"})
        assert other.status_code == 200
        assert tenant.post("/v1/products", {"name": "Y"},
                           **{"Idempotency-Key": "k-products"}).status_code == 200

    def test_key_length_is_validated(self, tenant: Tenant) -> None:
        assert_error(tenant.post("/v1/customers", {}, **{"Idempotency-Key": "k" * 256}), 400,
                     param="Idempotency-Key")


@pytest.fixture(scope="module")
def clock() -> dict[str, int]:
    return {"now": 1_700_000_000}


@pytest.fixture(scope="module")
def clocked_client(settings: Settings, db: Database, clock: dict[str, int]
                   ) -> Iterator[TestClient]:
    """A second app on the same database whose clock the test sets."""
    app = create_app(settings, db, clock=lambda: clock["now"])
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


class TestPagination:
    @pytest.fixture
    def five(self, tenant: Tenant) -> list[str]:
        return [f.customer(tenant, name=f"C{i}")["id"] for i in range(5)]

    def test_starting_after_walks_forward(self, tenant: Tenant, five: list[str]) -> None:
        seen: list[str] = []
        cursor: str | None = None
        pages = 0
        while True:
            params: dict[str, object] = {"limit": 2}
            if cursor:
                params["starting_after"] = cursor
            page = tenant.ok("GET", "/v1/customers?" + "&".join(
                f"{k}={v}" for k, v in params.items()))
            assert len(page["data"]) <= 2
            assert page["url"] == "/v1/customers"
            seen += [c["id"] for c in page["data"]]
            pages += 1
            if not page["has_more"]:
                break
            cursor = page["data"][-1]["id"]
        assert seen == list(reversed(five))  # newest first, each exactly once
        assert pages == 3

    def test_ending_before_walks_back(self, tenant: Tenant, five: list[str]) -> None:
        newest_first = list(reversed(five))
        last = tenant.ok("GET", f"/v1/customers?limit=2&starting_after={newest_first[3]}")
        assert [c["id"] for c in last["data"]] == [newest_first[4]]
        assert last["has_more"] is False
        seen = [c["id"] for c in last["data"]]
        cursor = seen[0]
        while True:
            page = tenant.ok("GET", f"/v1/customers?limit=2&ending_before={cursor}")
            ids = [c["id"] for c in page["data"]]
            seen = ids + seen
            if not page["has_more"]:
                break
            cursor = ids[0]
        assert seen == newest_first
        first = tenant.ok("GET", f"/v1/customers?ending_before={newest_first[0]}")
        assert first["data"] == []
        assert first["has_more"] is False

    def test_limits(self, tenant: Tenant, five: list[str]) -> None:
        for limit in ("0", "101", "-1"):
            assert_error(tenant.get("/v1/customers", limit=limit), 400, "parameter_invalid",
                         "limit")
        assert len(tenant.ok("GET", "/v1/customers?limit=100")["data"]) == 5
        assert len(tenant.ok("GET", "/v1/customers")["data"]) == 5  # default 10
        one = tenant.ok("GET", "/v1/customers?limit=1")
        assert [c["id"] for c in one["data"]] == [five[-1]]
        assert one["has_more"] is True

    def test_bad_cursors(self, tenant: Tenant, five: list[str]) -> None:
        for cursor in ("starting_after", "ending_before"):
            assert_error(tenant.get("/v1/customers", **{cursor: "cus_doesnotexist"}), 400,
                         param=cursor)
            assert_error(tenant.get("/v1/customers", **{cursor: "x" * 41}), 400,
                         param=cursor)
        # a cursor of another kind of object is unknown too
        product = tenant.ok("POST", "/v1/products", {"name": "W"})
        assert_error(tenant.get("/v1/customers", starting_after=product["id"]), 400,
                     param="starting_after")
        r = tenant.client.get("/v1/customers", headers=tenant.headers(), params={
            "starting_after": five[0], "ending_before": five[1]})
        assert_error(r, 400, param="ending_before")

    def test_every_list_paginates(self, tenant: Tenant) -> None:
        inv = f.open_invoice(tenant)
        f.open_invoice(tenant)
        tenant.ok("POST", "/v1/payments", {"invoice": inv["id"], "amount": 1})
        tenant.ok("POST", "/v1/payments", {"invoice": inv["id"], "amount": 2})
        tenant.ok("POST", "/v1/credit_notes", {"invoice": inv["id"], "amount": 1})
        tenant.ok("POST", "/v1/credit_notes", {"invoice": inv["id"], "amount": 2})
        for i in range(2):
            f.product_price(tenant)
            f.tax_rate(tenant, str(10 + i))
            tenant.ok("POST", "/v1/coupons", {"percent_off": str(5 + i)})
        for path in ("/v1/customers", "/v1/invoices", "/v1/products", "/v1/prices",
                     "/v1/tax_rates", "/v1/coupons", "/v1/payments", "/v1/credit_notes",
                     "/v1/events"):
            everything = [x["id"] for x in tenant.ok("GET", f"{path}?limit=100")["data"]]
            assert len(everything) >= 2, path
            first = tenant.ok("GET", f"{path}?limit=1")
            assert first["has_more"] is True
            rest = tenant.ok("GET", f"{path}?limit=100&starting_after={everything[0]}")
            assert [x["id"] for x in first["data"] + rest["data"]] == everything, path


class TestCreatedFilters:
    def test_created_ranges(self, db: Database, clocked_client: TestClient,
                            clock: dict[str, int]) -> None:
        t = make_tenant(db, clocked_client)
        made: dict[int, str] = {}
        for at in (1000, 2000, 3000, 4000):
            clock["now"] = 1_700_000_000 + at
            made[at] = f.customer(t)["id"]
            f.open_invoice(t, customer=made[at])
        base = 1_700_000_000

        def ids(path: str, **filters: int) -> list[str]:
            query = "&".join(f"created[{k}]={base + v}" for k, v in filters.items())
            return [x["id"] for x in t.ok("GET", f"{path}?{query}")["data"]]

        assert ids("/v1/customers", gte=2000) == [made[4000], made[3000], made[2000]]
        assert ids("/v1/customers", gt=2000) == [made[4000], made[3000]]
        assert ids("/v1/customers", lt=3000) == [made[2000], made[1000]]
        assert ids("/v1/customers", lte=3000) == [made[3000], made[2000], made[1000]]
        assert ids("/v1/customers", gte=2000, lt=4000) == [made[3000], made[2000]]
        assert ids("/v1/customers", gte=4001) == []
        assert ids("/v1/customers", gt=3000, lt=2000) == []
        invoices = t.ok("GET", f"/v1/invoices?created[gte]={base + 3000}")["data"]
        assert {i["customer"] for i in invoices} == {made[3000], made[4000]}
        assert all(i["created"] >= base + 3000 for i in invoices)
        # filters combine with paging
        page = t.ok("GET", f"/v1/customers?created[lt]={base + 4000}&limit=2")
        assert [c["id"] for c in page["data"]] == [made[3000], made[2000]]
        assert page["has_more"]
        rest = t.ok("GET", f"/v1/customers?created[lt]={base + 4000}&limit=2"
                           f"&starting_after={made[2000]}")
        assert [c["id"] for c in rest["data"]] == [made[1000]]
        assert not rest["has_more"]


class TestMetadata:
    def test_every_object_carries_metadata(self, tenant: Tenant) -> None:
        meta = {"order": "A-1"}
        cus = tenant.ok("POST", "/v1/customers", {"name": "M", "metadata": meta})
        product = tenant.ok("POST", "/v1/products", {"name": "W", "metadata": meta})
        price = tenant.ok("POST", "/v1/prices", {"product": product["id"], "currency": "eur",
                                                 "unit_amount": 100, "metadata": meta})
        rate = tenant.ok("POST", "/v1/tax_rates", {"display_name": "V", "percentage": "5",
                                                   "inclusive": False, "metadata": meta})
        coupon = tenant.ok("POST", "/v1/coupons", {"amount_off": 1, "currency": "eur",
                                                   "metadata": meta})
        inv = tenant.ok("POST", "/v1/invoices", {"customer": cus["id"], "metadata": meta,
                                                 "lines": [{"price": price["id"],
                                                            "metadata": meta}]})
        inv = tenant.ok("POST", f"/v1/invoices/{inv['id']}/finalize")
        payment = tenant.ok("POST", "/v1/payments", {"invoice": inv["id"], "amount": 10,
                                                     "metadata": meta})
        note = tenant.ok("POST", "/v1/credit_notes", {"invoice": inv["id"], "amount": 10,
                                                      "metadata": meta})
        for obj in (cus, product, price, rate, coupon, inv, inv["lines"]["data"][0], payment,
                    note):
            assert obj["metadata"] == meta, obj.get("object")
        plain = f.customer(tenant)
        assert plain["metadata"] == {}
        assert tenant.ok("GET", "/v1/account")["metadata"] == {}
        assert tenant.ok("GET", f"/v1/payments/{payment['id']}")["metadata"] == meta

    def test_update_merges_and_empty_string_removes(self, tenant: Tenant) -> None:
        start = {"keep": "1", "change": "2", "drop": "3"}
        update = {"change": "two", "drop": "", "add": "4", "never_there": ""}
        expected = {"keep": "1", "change": "two", "add": "4"}
        cus = tenant.ok("POST", "/v1/customers", {"metadata": start})
        product = tenant.ok("POST", "/v1/products", {"name": "W", "metadata": start})
        price = tenant.ok("POST", "/v1/prices", {"product": product["id"], "currency": "eur",
                                                 "unit_amount": 100, "metadata": start})
        rate = tenant.ok("POST", "/v1/tax_rates", {"display_name": "V", "percentage": "5",
                                                   "inclusive": False, "metadata": start})
        coupon = tenant.ok("POST", "/v1/coupons", {"percent_off": "5", "metadata": start})
        inv = f.draft(tenant, metadata=start, lines=[{"unit_amount": 1, "metadata": start}])
        for path in (f"/v1/customers/{cus['id']}", f"/v1/products/{product['id']}",
                     f"/v1/prices/{price['id']}", f"/v1/tax_rates/{rate['id']}",
                     f"/v1/coupons/{coupon['id']}", f"/v1/invoices/{inv['id']}"):
            assert tenant.ok("POST", path, {"metadata": update})["metadata"] == expected, path
            assert tenant.ok("GET", path)["metadata"] == expected, path
            # an update without metadata leaves it alone; {} changes nothing
            assert tenant.ok("POST", path, {"metadata": {}})["metadata"] == expected, path
        line = inv["lines"]["data"][0]["id"]
        updated = tenant.ok("POST", f"/v1/invoices/{inv['id']}/lines/{line}",
                            {"metadata": update})
        assert updated["lines"]["data"][0]["metadata"] == expected
        assert updated["metadata"] == expected

    def test_metadata_limits(self, tenant: Tenant) -> None:
        assert_error(tenant.post("/v1/customers", {"metadata": {
            f"k{i}": "v" for i in range(51)}}), 400, "parameter_invalid", "metadata")
        assert_error(tenant.post("/v1/customers", {"metadata": {"k" * 41: "v"}}), 400,
                     "parameter_invalid", "metadata")
        assert_error(tenant.post("/v1/customers", {"metadata": {"k": "v" * 501}}), 400,
                     "parameter_invalid", "metadata")
        assert tenant.ok("GET", "/v1/customers")["data"] == []


class TestOperations:
    def test_healthz(self, client: TestClient) -> None:
        r = client.get("/healthz")
        assert r.status_code == 200
        assert r.json()["status"] == "ok"

    def test_request_id_on_every_response(self, client: TestClient, tenant: Tenant) -> None:
        responses = [client.get("/healthz"), client.get("/v1/customers"),
                     tenant.get("/v1/customers"), tenant.get("/v1/customers/cus_nope"),
                     tenant.post("/v1/customers", {"bad": 1}), client.get("/nowhere"),
                     raw_post(tenant, "/v1/customers", b"{bad")]
        ids = [r.headers["Request-Id"] for r in responses]
        assert all(re.fullmatch(r"req_[0-9a-f]{16}", i) for i in ids), ids
        assert len(set(ids)) == len(ids)

    def test_request_id_is_recorded_on_events(self, tenant: Tenant) -> None:
        r = tenant.post("/v1/customers", {"name": "Ada"}, **{"Idempotency-Key": "rid-1"})
        event = tenant.ok("GET", "/v1/events")["data"][0]
        assert event["request"] == {"id": r.headers["Request-Id"], "idempotency_key": "rid-1"}

    def test_metrics(self, client: TestClient, tenant: Tenant) -> None:
        tenant.get("/v1/customers")
        tenant.get("/v1/customers/cus_nope")
        text = client.get("/metrics").text
        assert "folio_requests_total" in text
        assert re.search(r'folio_requests_total\{method="GET",route="/v1/customers",'
                         r'status="200"\} [1-9]', text)
        assert re.search(r'folio_requests_total\{method="GET",'
                         r'route="/v1/customers/\{customer_id\}",status="404"\} [1-9]', text)
        assert "folio_request_duration_seconds_bucket" in text
        assert "cus_nope" not in text  # labelled by route template, never by raw path

    def test_openapi_declares_the_errors(self, client: TestClient) -> None:
        doc = client.get("/openapi.json").json()
        schemas = doc["components"]["schemas"]
        error = schemas["ErrorResponse"]
        assert error["required"] == ["error"]
        body_ref = error["properties"]["error"]["$ref"].rsplit("/", 1)[-1]
        assert set(schemas[body_ref]["properties"]) == {"type", "code", "message", "param",
                                                        "failures", "errors"}
        # `errors` (each bad item of a batch) is optional: only batch requests carry it
        assert set(schemas[body_ref]["required"]) == {"type", "code", "message"}
        operations = 0
        for path, item in doc["paths"].items():
            if not path.startswith("/v1"):
                continue
            for method, op in item.items():
                operations += 1
                for status in ("400", "401", "404"):
                    response = op["responses"].get(status)
                    assert response, (method, path, status)
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/ErrorResponse"}, (
                        method, path, status)
                # FastAPI's default validation shape is never what the API returns
                assert "HTTPValidationError" not in str(op["responses"]), (method, path)
        assert operations >= 40
