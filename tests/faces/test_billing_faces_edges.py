"""Odd input on the billing paths of the Commet and ChatDash faces: a clear 4xx in the
face's error shape, never a 500."""

from __future__ import annotations

from tests.conftest import Tenant
from tests.faces.chatdash.support import ChatDash, check_error
from tests.faces.commet.helpers import commet, customer, error_of


def test_commet_odd_input(tenant: Tenant) -> None:
    c = commet(tenant)
    customer(c, externalId="u1")
    for path, params in (("/plans", {"cursor": "plan_unknown"}), ("/plans", {"limit": 101}),
                         ("/features", {"limit": 0}), ("/plans/%00", {}),
                         ("/features/x%00", {})):
        response = c.get(path, **params)
        assert 400 <= response.status_code < 500, (path, response.text)
        error_of(response, response.status_code)
    for body in ({}, {"customerId": "u1"}, {"customerId": "u1", "featureCode": "a",
                                           "quantity": "1"},
                 {"customerId": "u1\x00", "featureCode": "a"}, []):
        error_of(c.post("/usage/check", body), 400)
    for body in ({"customerId": "u1", "featureCode": "a"},
                 {"customerId": "u1", "featureCode": "a", "value": 1.5},
                 {"customerId": "u1", "featureCode": "a", "value": 10**16}):
        error_of(c.put("/usage", body), 400)
    error_of(c.put("/usage", {"customerId": "u1", "featureCode": "nope", "value": 1}), 409)


def test_chatdash_odd_input(tenant: Tenant) -> None:
    cd = ChatDash(tenant)
    subs = f"{cd.acct}/subscriptions"
    for params in ({"starting_after": "sub_unknown"}, {"limit": 0}, {"limit": "x"},
                   {"starting_after": "a\x00"}):
        response = cd.get(subs, **params)
        assert 400 <= response.status_code < 500, response.text
        check_error(response, response.status_code)
    check_error(cd.get(subs + "/sub_unknown"), 404)
    check_error(cd.put(subs + "/sub_unknown", {"data": {}}), 404)
    check_error(cd.post(subs, {"data": {"clientId": "c", "agentIds": ["x"] * 11,
                                        "selectedProduct": {"productId": "p"}}}), 400)
    check_error(cd.post(subs, {"data": {"clientId": "c", "agentIds": [],
                                        "selectedProduct": {"productId": "p",
                                                            "startDate": -1}}}), 400)
    check_error(cd.post(subs, "not json"), 400)
    check_error(ChatDash(tenant, account="acct_nope").get(subs.replace(
        cd.account, "acct_nope")), 404)
