"""Racing sets of a period's usage (Commet's PUT /usage): twins record one correction,
different targets end at one of them, never at their sum."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

from folio.db.engine import Database
from folio.db.models import Account
from folio.services import feature_usage
from folio.services.context import Ctx
from tests.conftest import Tenant
from tests.integration.test_concurrency import all_ok, race
from tests.subscription_helpers import metered_plan


def _set(db: Database, tenant: Tenant, customer: str, value: int) -> dict[str, Any]:
    with db.transaction() as session:
        account = session.get(Account, tenant.keys.account.id)
        assert account is not None
        ctx = Ctx(session=session, account=account, livemode=False,
                  clock=lambda: int(time.time()))
        return feature_usage.set_period_usage(ctx, customer, "api_calls", Decimal(value))


def _used(tenant: Tenant, customer: str) -> str:
    got = tenant.get(f"/v1/customers/{customer}/usage", feature="api_calls").json()
    return str(got["data"][0]["value"])


def _subscriber(tenant: Tenant) -> str:
    plan = metered_plan(tenant)
    cus = tenant.ok("POST", "/v1/customers", {"name": "Racer"})["id"]
    tenant.ok("POST", "/v1/subscriptions", {"customer": cus, "plan": plan["id"],
                                            "collection_method": "send_invoice",
                                            "days_until_due": 0})
    return str(cus)


def test_twin_sets_record_one_correction(db: Database, tenant: Tenant) -> None:
    cus = _subscriber(tenant)
    results = all_ok(race([lambda: _set(db, tenant, cus, 50) for _ in range(4)]))
    assert sorted(r["delta"] for r in results) == [0, 0, 0, 50]
    assert _used(tenant, cus) == "50"


def test_different_targets_never_add_up(db: Database, tenant: Tenant) -> None:
    cus = _subscriber(tenant)
    results = all_ok(race([lambda v=v: _set(db, tenant, cus, v) for v in (50, 80)]))
    assert _used(tenant, cus) in ("50", "80")
    assert {r["value"] for r in results} == {Decimal(50), Decimal(80)}
