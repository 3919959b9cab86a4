"""Bad input, wrong state, unknown and foreign ids through the Dollr face: FastAPI's error
shapes with fitting statuses, never a 500, and nothing changes."""

from __future__ import annotations

from typing import Any

import pytest

from folio.faces.dollr import schemas as s
from tests.conftest import Tenant
from tests.faces.dollr.support import BASE, Dollr


@pytest.fixture
def dollr(tenant: Tenant) -> Dollr:
    return Dollr.with_key(tenant)


def _events(t: Tenant) -> list[Any]:
    return t.ok("GET", "/v1/events")["data"]  # type: ignore[no-any-return]


def _422(response: Any, loc: list[Any] | None = None, type_: str | None = None) -> None:
    assert response.status_code == 422, response.text
    body = s.HTTPValidationErrorOut.model_validate(response.json())
    if loc is not None:
        assert body.detail[0].loc == loc, body
    if type_ is not None:
        assert body.detail[0].type == type_, body


class TestValidation:
    @pytest.mark.parametrize(("body", "loc"), [
        ({}, ["body", "counterparty_id"]),
        ({"counterparty_id": "x"}, ["body", "counterparty_id"]),
        ({"currency": "US"}, ["body", "currency"]),
        ({"fee_bearer": "BOTH"}, ["body", "fee_bearer"]),
        ({"as_payment_link": "maybe"}, ["body", "as_payment_link"]),
        ({"due_date": "tomorrow"}, ["body", "due_date"]),
        ({"note": "a\x00b"}, ["body", "note"]),
    ])
    def test_invoice_create(self, dollr: Dollr, body: dict[str, Any], loc: list[Any]) -> None:
        cp = dollr.counterparty()["id"]
        before = _events(dollr.tenant)
        full = {"counterparty_id": cp, "currency": "USD", "note": "n", "fee_bearer": "PAYER",
                "as_payment_link": False}
        sent = {**full, **body} if body else {}
        _422(dollr.call("POST", "/v1/invoices/create", sent), loc)
        assert _events(dollr.tenant) == before
        assert dollr.ok("GET", "/v1/invoices/list") == []

    def test_unknown_currency_and_body_not_json(self, dollr: Dollr) -> None:
        cp = dollr.counterparty()["id"]
        _422(dollr.call("POST", "/v1/invoices/create", {
            "counterparty_id": cp, "currency": "ZZZ", "note": "", "fee_bearer": "PAYER",
            "as_payment_link": False}), ["body", "currency"], "currency_invalid")
        r = dollr.tenant.client.post(BASE + "/v1/invoices/create", content=b"{nope",
                                     headers={"Authorization": f"Bearer {dollr.token}",
                                              "Content-Type": "application/json"})
        _422(r)

    @pytest.mark.parametrize(("body", "loc", "type_"), [
        ({"name": "X", "currency": "USD", "qty": 0, "amount": 1}, ["body", "qty"], None),
        ({"name": "X", "currency": "USD", "qty": 1, "amount": 0}, ["body", "amount"], None),
        ({"name": "X", "currency": "USD", "qty": 1, "amount": 1.001}, ["body", "amount"],
         "parameter_invalid"),
        ({"name": "X", "currency": "EUR", "qty": 1, "amount": 1}, ["body", "currency"],
         "currency_mismatch"),
        ({"name": "", "currency": "USD", "qty": 1, "amount": 1}, ["body", "name"], None),
        ({"currency": "USD", "qty": 1, "amount": 1}, ["body", "name"], "missing"),
    ])
    def test_item_add(self, dollr: Dollr, body: dict[str, Any], loc: list[Any],
                      type_: str | None) -> None:
        inv = dollr.invoice()
        before = _events(dollr.tenant)
        _422(dollr.call("POST", f"/v1/invoices/{inv['id']}/items/add", body), loc, type_)
        assert _events(dollr.tenant) == before
        assert dollr.ok("GET", f"/v1/invoices/retrieve/{inv['id']}") == inv

    def test_parties(self, dollr: Dollr) -> None:
        for body, loc in (({"fullname": "A", "phone": "+2317700"}, ["body", "phone"]),
                          ({"phone": "23177000000"}, ["body", "fullname"]),
                          ({"fullname": "A", "phone": "23177000000", "country_code": "LBR"},
                           ["body", "country_code"]),
                          ({"fullname": "A", "phone": "23177000000", "email": "nope"},
                           ["body", "email"])):
            _422(dollr.call("POST", "/v1/parties/create", body), loc)
        _422(dollr.call("POST", "/v1/counterparties/create", {"relationship_type": "BOSS",
                                                              "party_id": 1}),
             ["body", "relationship_type"])
        _422(dollr.call("GET", "/v1/counterparties/list", relationship_type="boss"))
        _422(dollr.call("GET", "/v1/invoices/list", currency="usd"), ["query", "currency"])
        _422(dollr.call("GET", "/v1/invoices/list", status="DRAFT"), ["query", "status"])
        assert dollr.ok("GET", "/v1/parties/list") == []

    def test_nul_in_query_and_path(self, dollr: Dollr) -> None:
        _422(dollr.call("GET", "/v1/parties/list", fullname="a\x00b"))
        _422(dollr.call("GET", "/v1/invoices/retrieve/number/a%00b"))


class TestUnknownAndForeignIds:
    def test_paths_answer_404(self, dollr: Dollr, other_tenant: Tenant) -> None:
        other = Dollr.with_key(other_tenant)
        inv = other.invoice()
        other.ok("PUT", f"/v1/invoices/publish/{inv['id']}")
        number = other.ok("GET", f"/v1/invoices/retrieve/{inv['id']}")["invoice_number"]
        item = inv["invoice_items"][0]["id"]
        cp = inv["counterparty_id"]
        before = _events(other_tenant)
        for method, path, body in (
            ("GET", f"/v1/invoices/retrieve/number/{number}", None),
            ("GET", f"/v1/invoices/receipt/{inv['id']}", None),
            ("GET", f"/v1/invoices/receipt/number/{number}", None),
            ("PUT", f"/v1/invoices/update/{inv['id']}", {"note": "x"}),
            ("PUT", f"/v1/invoices/publish/{inv['id']}", None),
            ("DELETE", f"/v1/invoices/cancel/{inv['id']}", None),
            ("POST", f"/v1/invoices/{inv['id']}/items/add",
             {"name": "X", "currency": "USD", "qty": 1, "amount": 1}),
            ("PUT", f"/v1/invoices/{inv['id']}/items/{item}/update", {"qty": 2}),
            ("DELETE", f"/v1/invoices/{inv['id']}/items/{item}/remove", None),
            ("GET", f"/v1/parties/retrieve/{cp}", None),
            ("GET", f"/v1/counterparties/retrieve/{cp}", None),
            ("PUT", f"/v1/counterparties/update/{cp}", {"relationship_type": "DONOR"}),
        ):
            r = dollr.call(method, path, body)
            assert r.status_code == 404, (method, path, r.text)
            s.Detail.model_validate(r.json())
        assert _events(other_tenant) == before
        assert dollr.ok("GET", "/v1/invoices/list") == []
        assert dollr.ok("GET", "/v1/parties/list") == []
        assert dollr.ok("GET", "/v1/counterparties/list") == []

    def test_item_of_another_invoice(self, dollr: Dollr) -> None:
        a, b = dollr.invoice(), dollr.invoice()
        r = dollr.call("DELETE", f"/v1/invoices/{a['id']}/items/"
                                 f"{b['invoice_items'][0]['id']}/remove")
        assert r.status_code == 404
        assert r.json() == {"detail": "Invoice item not found."}

    def test_ids_in_a_body_answer_422(self, dollr: Dollr, other_tenant: Tenant) -> None:
        theirs = Dollr.with_key(other_tenant).counterparty()["id"]
        _422(dollr.call("POST", "/v1/invoices/create", {
            "counterparty_id": theirs, "currency": "USD", "note": "", "fee_bearer": "PAYER",
            "as_payment_link": False}), ["body", "counterparty_id"], "resource_missing")
        _422(dollr.call("POST", "/v1/counterparties/create", {
            "relationship_type": "CUSTOMER", "party_id": theirs}), ["body", "party_id"])

    def test_live_mode_is_separate(self, dollr: Dollr) -> None:
        inv = dollr.invoice()
        live = Dollr.with_key(dollr.tenant, live=True)
        assert live.ok("GET", "/v1/invoices/list") == []
        assert live.call("GET", f"/v1/parties/retrieve/{inv['counterparty_id']}"
                         ).status_code == 404

    def test_unknown_route_and_method(self, dollr: Dollr) -> None:
        r = dollr.call("GET", "/v1/nothing/here")
        assert r.status_code == 404
        assert r.json() == {"detail": "Not Found"}
        r = dollr.call("POST", "/v1/invoices/list")
        assert r.status_code == 405
        assert r.json() == {"detail": "Method Not Allowed"}


class TestState:
    def test_only_idle_is_editable(self, dollr: Dollr) -> None:
        inv = dollr.invoice()
        item = inv["invoice_items"][0]["id"]
        dollr.ok("PUT", f"/v1/invoices/publish/{inv['id']}")
        before = dollr.ok("GET", f"/v1/invoices/retrieve/{inv['id']}")
        events = _events(dollr.tenant)
        for method, path, body in (
            ("PUT", f"/v1/invoices/update/{inv['id']}", {"note": "x"}),
            ("POST", f"/v1/invoices/{inv['id']}/items/add",
             {"name": "X", "currency": "USD", "qty": 1, "amount": 1}),
            ("PUT", f"/v1/invoices/{inv['id']}/items/{item}/update", {"qty": 9}),
            ("DELETE", f"/v1/invoices/{inv['id']}/items/{item}/remove", None),
            ("PUT", f"/v1/invoices/publish/{inv['id']}", None),
        ):
            r = dollr.call(method, path, body)
            _422(r, ["path", "id"])
            assert "IDLE" in r.json()["detail"][0]["msg"]
        assert dollr.ok("GET", f"/v1/invoices/retrieve/{inv['id']}") == before
        assert _events(dollr.tenant) == events

    def test_publish_needs_an_item(self, dollr: Dollr) -> None:
        inv = dollr.invoice(items=[])
        _422(dollr.call("PUT", f"/v1/invoices/publish/{inv['id']}"), type_="invoice_no_lines")
        assert dollr.ok("GET", f"/v1/invoices/retrieve/{inv['id']}")["status"] == "IDLE"

    def test_idle_cancel_keeps_the_row_canceled(self, dollr: Dollr) -> None:
        """A draft is voided through the domain's void_draft transition, never deleted."""
        inv = dollr.invoice()
        canceled = dollr.ok("DELETE", f"/v1/invoices/cancel/{inv['id']}")
        assert canceled["status"] == "CANCELED"
        assert canceled["invoice_number"] == ""
        assert dollr.ok("GET", f"/v1/invoices/retrieve/{inv['id']}")["status"] == "CANCELED"
        _422(dollr.call("PUT", f"/v1/invoices/publish/{inv['id']}"))

    def test_receipt_only_once_paid(self, dollr: Dollr) -> None:
        inv = dollr.invoice()
        _422(dollr.call("GET", f"/v1/invoices/receipt/{inv['id']}"), type_="invoice_not_paid")
        dollr.ok("PUT", f"/v1/invoices/publish/{inv['id']}")
        number = dollr.ok("GET", f"/v1/invoices/retrieve/{inv['id']}")["invoice_number"]
        _422(dollr.call("GET", f"/v1/invoices/receipt/number/{number}"),
             type_="invoice_not_paid")

    def test_one_counterparty_per_party(self, dollr: Dollr) -> None:
        cp = dollr.counterparty()
        _422(dollr.call("POST", "/v1/counterparties/create", {
            "relationship_type": "DONOR", "party_id": cp["party_id"]}),
            ["body", "party_id"], "counterparty_exists")
        _422(dollr.call("POST", "/v1/counterparties/create", {"relationship_type": "DONOR"}),
             ["body", "party_id"], "parameter_missing")
        other = dollr.counterparty("Bob")
        _422(dollr.call("PUT", f"/v1/counterparties/update/{cp['id']}",
                        {"party_id": other["id"]}), ["body", "party_id"])
        got = dollr.ok("GET", f"/v1/counterparties/retrieve/{cp['id']}")
        assert got["relationship_type"] == "CUSTOMER"
