"""ChatDash's subscriptions over Folio subscriptions: create, get, list, by-customer,
update (plan change, cancel at period end) and delete (cancel now)."""

from __future__ import annotations

from typing import Any

from folio.faces.chatdash.subscription_schemas import (
    CanceledOut,
    SubscriptionList,
    SubscriptionOut,
)
from tests.conftest import Tenant
from tests.faces.chatdash.support import BASE, ChatDash, check_error, check_model
from tests.subscription_helpers import metered_plan


def _create(cd: ChatDash, client: str, plan: str, **data: Any) -> Any:
    body = {"data": {"clientId": client, "agentIds": ["agent_1", "agent_2"],
                     "selectedProduct": {"productId": plan}, **data}}
    return cd.post(f"{cd.acct}/subscriptions", body)


def _subscribed(tenant: Tenant) -> tuple[ChatDash, str, dict[str, Any], dict[str, Any]]:
    plan = metered_plan(tenant)
    cd = ChatDash(tenant)
    client = cd.client_with_admin()
    response = _create(cd, client, plan["id"], collection_method="send_invoice",
                       days_until_due=14)
    assert response.status_code == 200, response.text
    check_model(SubscriptionOut, response.json())
    return cd, client, plan, response.json()


def test_create_get_and_shape(tenant: Tenant) -> None:
    cd, client, plan, sub = _subscribed(tenant)
    assert sub["id"].startswith("sub_")
    assert (sub["type"], sub["status"], sub["collection_method"]) == (
        "subscription", "active", "send_invoice")
    assert sub["customer"] == {"id": client, "email": "ann@acme.test", "name": "Acme Ltd"}
    assert sub["product"] == {"id": plan["id"], "name": "Pro"}
    assert (sub["agents"], sub["amount"], sub["currency"]) == (
        ["agent_1", "agent_2"], 2000, "eur")
    assert sub["current_period_start"] < sub["current_period_end"]
    assert (sub["cancel_at_period_end"], sub["canceled_at"]) == (False, None)
    got = cd.ok("GET", f"{cd.acct}/subscriptions/{sub['id']}")
    check_model(SubscriptionOut, got)
    assert got == sub
    canonical = tenant.ok("GET", f"/v1/subscriptions/{sub['id']}")
    assert (canonical["customer"], canonical["plan"]) == (client, plan["id"])


def test_list_filters_and_pages(tenant: Tenant) -> None:
    cd, client, plan, first = _subscribed(tenant)
    second = _create(cd, client, plan["id"]).json()
    trial = metered_plan(tenant, name="Trial", trial_days=14)
    trialing = _create(cd, client, trial["id"]).json()
    listed = cd.ok("GET", f"{cd.acct}/subscriptions")
    check_model(SubscriptionList, listed)
    assert [s["id"] for s in listed["subscriptions"]] == [second["id"], first["id"]]
    page = cd.get(f"{cd.acct}/subscriptions", limit=1).json()
    assert (page["has_more"], page["next_cursor"]) == (True, second["id"])
    rest = cd.get(f"{cd.acct}/subscriptions", limit=1, starting_after=second["id"]).json()
    assert [s["id"] for s in rest["subscriptions"]] == [first["id"]]
    assert rest["has_more"] is False
    only_trials = cd.get(f"{cd.acct}/subscriptions", status="trialing").json()
    assert [s["id"] for s in only_trials["subscriptions"]] == [trialing["id"]]
    assert cd.get(f"{cd.acct}/subscriptions", status="unpaid").json() == {
        "subscriptions": [], "has_more": False, "next_cursor": None}
    check_error(cd.get(f"{cd.acct}/subscriptions", status="bogus"), 400)


def test_by_customer_id_or_email(tenant: Tenant) -> None:
    cd, client, plan, sub = _subscribed(tenant)
    other = cd.client_with_admin(name="Other", email="bob@other.test")
    _create(cd, other, plan["id"])
    for params in ({"customerId": client}, {"email": "ann@acme.test"}):
        got = cd.get(f"{cd.acct}/subscriptions/by-customer", **params).json()
        check_model(SubscriptionList, got)
        assert [s["id"] for s in got["subscriptions"]] == [sub["id"]]
    check_error(cd.get(f"{cd.acct}/subscriptions/by-customer"), 400)
    check_error(cd.get(f"{cd.acct}/subscriptions/by-customer", email="no@one.test"), 404)
    check_error(cd.get(f"{cd.acct}/subscriptions/by-customer", customerId="cus_nope"), 404)


def test_update_changes_plan_and_cancel_at_period_end(tenant: Tenant) -> None:
    cd, _, _, sub = _subscribed(tenant)
    bigger = metered_plan(tenant, name="Scale", base=5000)
    path = f"{cd.acct}/subscriptions/{sub['id']}"
    changed = cd.ok("PUT", path, {"data": {"productId": bigger["id"]}})
    check_model(SubscriptionOut, changed)
    assert (changed["product"]["id"], changed["amount"]) == (bigger["id"], 5000)
    ending = cd.ok("PUT", path, {"data": {"cancelAtPeriodEnd": True}})
    assert ending["cancel_at_period_end"] is True
    assert ending["canceled_at"] is not None
    resumed = cd.ok("PUT", path, {"data": {"cancelAtPeriodEnd": False,
                                           "taxSettings": {"enabled": False}}})
    assert (resumed["cancel_at_period_end"], resumed["canceled_at"]) == (False, None)
    check_error(cd.put(path, {"data": {"startDate": 1_900_000_000}}), 400)
    check_error(cd.put(path, {"data": {"taxSettings": {"enabled": True}}}), 400)
    yearly = metered_plan(tenant, name="Yearly", interval="yearly")
    check_error(cd.put(path, {"data": {"productId": yearly["id"]}}), 400)
    assert cd.ok("GET", path)["product"]["id"] == bigger["id"]


def test_delete_cancels_now(tenant: Tenant) -> None:
    cd, _, _, sub = _subscribed(tenant)
    path = f"{cd.acct}/subscriptions/{sub['id']}"
    response = cd.http.delete(BASE + path, headers=cd.headers())
    assert response.status_code == 200, response.text
    check_model(CanceledOut, response.json())
    assert response.json() == {"id": sub["id"], "canceled": True}
    got = cd.ok("GET", path)
    assert got["status"] == "canceled"
    assert got["canceled_at"] is not None
    assert cd.get(f"{cd.acct}/subscriptions", status="canceled").json()[
        "subscriptions"][0]["id"] == sub["id"]
    check_error(cd.http.delete(BASE + path, headers=cd.headers()), 409)


def test_create_refusals_change_nothing(tenant: Tenant) -> None:
    plan = metered_plan(tenant)
    cd = ChatDash(tenant)
    client = cd.client_with_admin()
    product = cd.product()
    check_error(_create(cd, client, product["productId"]), 404)
    check_error(_create(cd, client, "plan_nope"), 404)
    check_error(_create(cd, "cus_nope", plan["id"]), 404)
    check_error(_create(cd, client, plan["id"], taxSettings={"enabled": True}), 400)
    check_error(cd.post(f"{cd.acct}/subscriptions", {"data": {"clientId": client}}), 400)
    tenant.ok("POST", "/v1/customers", {"name": "No admin"})
    no_admin = tenant.get("/v1/customers", limit=1).json()["data"][0]["id"]
    message = check_error(_create(cd, no_admin, plan["id"]), 400)
    assert "admin member" in message
    assert cd.get(f"{cd.acct}/subscriptions").json()["subscriptions"] == []


def test_other_tenant_and_mode_are_404(tenant: Tenant, other_tenant: Tenant) -> None:
    cd, client, plan, sub = _subscribed(tenant)
    theirs = ChatDash(other_tenant)
    check_error(theirs.get(f"{theirs.acct}/subscriptions/{sub['id']}"), 404)
    check_error(theirs.put(f"{theirs.acct}/subscriptions/{sub['id']}",
                           {"data": {"cancelAtPeriodEnd": True}}), 404)
    check_error(theirs.http.delete(f"{BASE}{theirs.acct}/subscriptions/{sub['id']}",
                                   headers=theirs.headers()), 404)
    check_error(_create(theirs, client, plan["id"]), 404)
    check_error(theirs.get(f"{cd.acct}/subscriptions"), 404)  # not their account
    live = ChatDash(tenant, live=True)
    check_error(live.get(f"{live.acct}/subscriptions/{sub['id']}"), 404)
    assert live.get(f"{live.acct}/subscriptions").json()["subscriptions"] == []
    assert cd.ok("GET", f"{cd.acct}/subscriptions/{sub['id']}")["status"] == "active"


def test_idempotent_create(tenant: Tenant) -> None:
    plan = metered_plan(tenant)
    cd = ChatDash(tenant)
    client = cd.client_with_admin()
    body = {"data": {"clientId": client, "agentIds": [],
                     "selectedProduct": {"productId": plan["id"]}}}
    headers = {"Idempotency-Key": "sub-1"}
    first = cd.post(f"{cd.acct}/subscriptions", body, headers)
    again = cd.post(f"{cd.acct}/subscriptions", body, headers)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert first.json()["agents"] == []
    assert len(cd.ok("GET", f"{cd.acct}/subscriptions")["subscriptions"]) == 1
