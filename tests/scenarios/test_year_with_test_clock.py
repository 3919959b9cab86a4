"""A year of a metered subscription on a test clock: month-end anchor in Europe/Berlin,
overage, a customer credit, a plan change mid-period, a pause and a resume (the resume
draws on the credit the pause left), every invoice asserted to the minor unit.

Usage is recorded through the usage service on the clock's time (ingestion over HTTP
checks timestamps against the real clock)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from folio.db.engine import Database
from folio.db.models import Account
from folio.services import usage_events
from folio.services.context import Ctx
from tests.conftest import Tenant

BERLIN = ZoneInfo("Europe/Berlin")


def berlin(year: int, month: int, day: int, hour: int = 9) -> int:
    return int(datetime(year, month, day, hour, tzinfo=BERLIN).timestamp())


class Clock:
    def __init__(self, t: Tenant, db: Database, start: int) -> None:
        self.t, self.db = t, db
        self.id = t.ok("POST", "/v1/test_clocks", {"frozen_time": start, "name": "year"})["id"]
        self.calls = 0

    def advance(self, to: int) -> None:
        clock = self.t.ok("POST", f"/v1/test_clocks/{self.id}/advance", {"frozen_time": to})
        assert clock["frozen_time"] == to

    def use(self, customer: str, at: int, calls: int) -> None:
        """Advance to `at` and record `calls` API calls then."""
        self.advance(at)
        self.calls += 1
        with self.db.transaction() as session:
            account = session.get(Account, self.t.keys.account.id)
            ctx = Ctx(session, account=account, livemode=False, clock=lambda: at)
            result = usage_events.ingest(ctx, {"event_id": f"u{self.calls}",
                                               "customer": customer, "feature": "api_calls",
                                               "timestamp": at, "value": str(calls)})
        assert result["accepted"] == 1


def plan(t: Tenant, name: str, base: int, included: str, charge: dict[str, Any]
         ) -> str:
    return t.ok("POST", "/v1/plans", {  # type: ignore[no-any-return]
        "name": name, "currency": "eur", "interval": "monthly", "base_amount": base,
        "billing_timing": "in_advance",
        "features": [{"code": "api_calls", "name": "API calls", "kind": "metered",
                      "included": included, "charge": charge}]})["id"]


def test_a_year_of_billing(tenant: Tenant, db: Database) -> None:
    t = tenant
    start = berlin(2026, 1, 31)
    clock = Clock(t, db, start)
    t.ok("POST", "/v1/meters", {"code": "api_calls", "name": "API calls"})
    basic = plan(t, "Basic", 1000, "100", {"model": "per_unit", "unit_amount_decimal": "2"})
    pro = plan(t, "Pro", 3000, "1000", {"model": "graduated", "tiers": [
        {"up_to": "1000", "unit_amount_decimal": "1"},
        {"up_to": None, "unit_amount_decimal": "0.5"}]})
    cus = t.ok("POST", "/v1/customers", {"name": "Clocked", "timezone": "Europe/Berlin",
                                         "test_clock": clock.id})["id"]
    sub = t.ok("POST", "/v1/subscriptions", {"customer": cus, "plan": basic})
    assert sub["test_clock"] == clock.id
    assert sub["current_period_end"] == berlin(2026, 2, 28)

    clock.use(cus, berlin(2026, 2, 1), 150)  # period 0: 50 over the 100 included
    clock.use(cus, berlin(2026, 3, 1), 100)  # period 1: all included
    t.ok("POST", f"/v1/customers/{cus}/credit_grants", {"amount": 300, "currency": "eur"})
    clock.use(cus, berlin(2026, 4, 1), 300)  # period 2: 200 over
    clock.use(cus, berlin(2026, 5, 1), 800)  # period 3 (Apr 30 - May 31), on Basic
    clock.advance(berlin(2026, 5, 15))  # 16 of the period's 31 days remain
    t.ok("POST", f"/v1/subscriptions/{sub['id']}", {"plan": pro})
    clock.use(cus, berlin(2026, 5, 16), 1200)  # billed under Pro at the boundary
    upcoming = t.ok("GET", f"/v1/subscriptions/{sub['id']}/upcoming_invoice")
    clock.use(cus, berlin(2026, 6, 1), 500)  # period 4 (May 31 - Jun 30): all included
    clock.advance(berlin(2026, 6, 10))  # 20 of 30 days remain
    t.ok("POST", f"/v1/subscriptions/{sub['id']}/pause")
    clock.advance(berlin(2026, 8, 15))  # period 6 (Jul 31 - Aug 31): 16 of 31 days remain
    resumed = t.ok("POST", f"/v1/subscriptions/{sub['id']}/resume")
    assert resumed["status"] == "active"
    clock.use(cus, berlin(2026, 8, 16), 1200)  # 200 over
    clock.advance(berlin(2027, 1, 31))

    issued = list(reversed(t.get("/v1/invoices", subscription=sub["id"], limit=100
                                 ).json()["data"]))
    summary = [(i["period_start"], i["total"], i["credit_applied"], i["amount_due"],
                [(x["type"], x["amount"]) for x in i["lines"]["data"]]) for i in issued]
    expected = [
        # k0, Jan 31: Basic for period 0
        (berlin(2026, 1, 31), 1000, 0, 1000, [("plan_base", 1000)]),
        # k1, Feb 28: period 1 + 50 calls over at 2
        (berlin(2026, 2, 28), 1100, 0, 1100, [("plan_base", 1000),
                                              ("feature_overage", 100)]),
        # k2, Mar 31: the 300 credit is drawn on (before tax)
        (berlin(2026, 3, 31), 700, 300, 700, [("plan_base", 1000),
                                              ("feature_overage", 0)]),
        # k3, Apr 30: 200 over
        (berlin(2026, 4, 30), 1400, 0, 1400, [("plan_base", 1000),
                                              ("feature_overage", 400)]),
        # k4, May 31: Pro for period 4; 2000 calls, 1000 over at 1 (first tier); the change
        # credits 1000 x 16/31 = 516.13 -> -516 and debits 3000 x 16/31 = 1548.39 -> 1548
        (berlin(2026, 5, 31), 5032, 0, 5032, [("plan_base", 3000),
                                              ("feature_overage", 1000),
                                              ("proration", -516), ("proration", 1548)]),
        # k5, Jun 30: paused, no base (the invoice shows the usage period, 4); the pause
        # credits 3000 x 20/30 = 2000; the negative total becomes the customer's credit
        (berlin(2026, 5, 31), -2000, 0, 0, [("feature_overage", 0), ("proration", -2000)]),
        # k6, Jul 31: paused all period 5, no usage
        (berlin(2026, 6, 30), 0, 0, 0, [("feature_overage", 0)]),
        # k7, Aug 31: resumed: Pro for period 7, 200 over, 3000 x 16/31 = 1548.39 -> 1548
        # for the resumed part of period 6; the 2000 credit is drawn on
        (berlin(2026, 8, 31), 2748, 2000, 2748, [("plan_base", 3000),
                                                 ("feature_overage", 200),
                                                 ("proration", 1548)]),
        *[(berlin(*ym, 30 if ym[1] in (9, 11) else 31), 3000, 0, 3000,  # type: ignore[misc]
           [("plan_base", 3000), ("feature_overage", 0)])
          for ym in [(2026, 9), (2026, 10), (2026, 11), (2026, 12), (2027, 1)]],
    ]
    assert summary == expected
    k4 = issued[4]
    assert (upcoming["total"], [x["amount"] for x in upcoming["lines"]["data"]]) == (
        k4["total"], [x["amount"] for x in k4["lines"]["data"]])
    overage = k4["lines"]["data"][1]
    assert (overage["used_quantity"], overage["included_quantity"],
            overage["overage_quantity"]) == ("2000", "1000", "1000")
    assert all(i["status"] in ("open", "paid") and i["number"] for i in issued)
    assert t.ok("GET", f"/v1/subscriptions/{sub['id']}")["current_period_end"] == berlin(
        2027, 2, 28)
    # TODO(lead): once card collection and dunning land, make one of these invoices'
    # charge fail (a declining sandbox card) and recover on a retry: assert
    # invoice.payment_failed, the subscription going past_due and back to active, and the
    # invoice paid once, with no double charge.
