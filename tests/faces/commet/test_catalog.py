"""Commet's GET /plans, /plans/{id}, /features, /features/{code} over Folio plans, their
features and meters."""

from __future__ import annotations

from folio.faces.commet.catalog import FeatureOut, PlanOut
from folio.faces.commet.schemas import Envelope, ListEnvelope
from tests.conftest import Tenant
from tests.faces.commet.helpers import check, commet, error_of
from tests.subscription_helpers import metered_plan


def test_plan_maps_price_and_features(tenant: Tenant) -> None:
    plan = metered_plan(tenant, metadata={"code": "pro"})
    c = commet(tenant)
    response = c.get(f"/plans/{plan['id']}")
    assert response.status_code == 200, response.text
    check(Envelope[PlanOut], response.json())
    got = response.json()["data"]
    assert (got["id"], got["code"], got["name"], got["isPublic"], got["isFree"]) == (
        plan["id"], "pro", "Pro", True, False)
    assert got["prices"] == [{
        "id": f"{plan['id']}_price", "billingInterval": "monthly", "intervalCount": 1,
        "price": 2000, "currency": "eur", "isDefault": True, "trialDays": 0,
        "includedBalance": 0, "includedCredits": 0, "introOffer": None}]
    usage, seats, sso = got["features"]
    assert (usage["code"], usage["type"], usage["includedAmount"]) == ("api_calls", "usage",
                                                                       1000)
    # graduated tiers: Commet's per_unit overage shows the first tier's unit price
    assert usage["overage"] == {"enabled": True, "model": "per_unit", "unitPrice": "0.5"}
    assert (seats["type"], seats["includedAmount"], seats["overage"]["unitPrice"]) == (
        "seats", 2, 500)
    assert (sso["type"], sso["overage"], sso["includedAmount"]) == ("boolean", None, None)


def test_include_private_lists_inactive_plans(tenant: Tenant) -> None:
    public = metered_plan(tenant, name="Public")
    private = metered_plan(tenant, name="Private", interval="yearly")
    tenant.ok("POST", f"/v1/plans/{private['id']}", {"active": False})
    c = commet(tenant)
    listed = c.get("/plans")
    check(ListEnvelope[PlanOut], listed.json())
    assert [p["id"] for p in listed.json()["data"]] == [public["id"]]
    everything = c.get("/plans", includePrivate="true").json()
    assert [p["id"] for p in everything["data"]] == [private["id"], public["id"]]
    assert everything["data"][0]["isPublic"] is False
    assert everything["data"][0]["prices"][0]["billingInterval"] == "yearly"
    first = c.get("/plans", includePrivate="true", limit=1).json()
    assert (first["hasMore"], first["nextCursor"]) == (True, private["id"])
    rest = c.get("/plans", includePrivate="true", limit=1, cursor=private["id"]).json()
    assert [p["id"] for p in rest["data"]] == [public["id"]]


def test_package_and_free_plans(tenant: Tenant) -> None:
    tenant.ok("POST", "/v1/meters", {"code": "sms", "name": "SMS", "unit_label": "message"})
    plan = tenant.ok("POST", "/v1/plans", {
        "name": "Texts", "currency": "usd", "base_amount": 0, "interval": "monthly",
        "interval_count": 3, "features": [
            {"code": "sms", "name": "SMS", "kind": "metered", "charge": {
                "model": "package", "package_size": "3", "package_amount": 100}}]})
    free = tenant.ok("POST", "/v1/plans", {"name": "Free", "currency": "usd",
                                           "base_amount": 0})
    c = commet(tenant)
    got = c.get(f"/plans/{plan['id']}").json()["data"]
    assert got["prices"][0]["billingInterval"] == "quarterly"
    assert got["features"][0]["unitName"] == "message"
    assert got["features"][0]["overage"]["unitPrice"] == "33.333333333333"
    assert got["isFree"] is False
    assert c.get(f"/plans/{free['id']}").json()["data"]["isFree"] is True


def test_features_from_plans_and_meters(tenant: Tenant) -> None:
    metered_plan(tenant)
    tenant.ok("POST", "/v1/meters", {"code": "storage_gb", "name": "Storage"})
    c = commet(tenant)
    listed = c.get("/features")
    assert listed.status_code == 200, listed.text
    check(ListEnvelope[FeatureOut], listed.json())
    types = {f["code"]: f["type"] for f in listed.json()["data"]}
    assert types == {"api_calls": "usage", "seats": "seats", "sso": "boolean",
                     "storage_gb": "usage"}
    page = c.get("/features", limit=2).json()
    assert [f["code"] for f in page["data"]] == ["api_calls", "seats"]
    assert (page["hasMore"], page["nextCursor"]) == (True, "seats")
    rest = c.get("/features", limit=2, cursor="seats").json()
    assert [f["code"] for f in rest["data"]] == ["sso", "storage_gb"]
    one = c.get("/features/sso")
    check(Envelope[FeatureOut], one.json())
    assert one.json()["data"]["name"] == "Single sign-on"
    error_of(c.get("/features/nope"), 404, "feature_not_found")


def test_other_tenant_and_mode_are_404(tenant: Tenant, other_tenant: Tenant) -> None:
    plan = metered_plan(tenant)
    for c in (commet(other_tenant), commet(tenant, live=True)):
        error_of(c.get(f"/plans/{plan['id']}"), 404, "plan_not_found")
        error_of(c.get("/features/api_calls"), 404, "feature_not_found")
        assert c.get("/plans").json()["data"] == []
    error_of(commet(tenant).get("/plans", limit=0), 400)
