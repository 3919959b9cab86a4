"""Usage ingestion racing a billing run that closes the events' period, on a real database:
every event ends up either counted in the invoice of its period or refused with
`usage_period_closed`, never accepted and left out (services/usage_periods.py: ingestion
holds the subscriptions FOR SHARE, the run holds them FOR UPDATE; SQLite serialises the
write transactions)."""

from __future__ import annotations

import random
import threading
import time
from collections import defaultdict
from decimal import Decimal
from typing import Any

import pytest

from folio.db.engine import Database
from folio.db.models import Account
from folio.jobs.billing_run import run_billing
from folio.services import usage_events
from folio.services.context import Ctx
from folio.services.usage_events import UsageEventsInvalid
from tests.conftest import Tenant
from tests.subscription_helpers import DAY

CUSTOMERS = 24


def ingest(db: Database, tenant: Tenant, body: dict[str, Any]) -> dict[str, Any]:
    """One batch in one write transaction, as the API runs it, on the real clock."""
    with db.transaction() as session:
        account = session.get(Account, tenant.keys.account.id)
        assert account is not None
        return usage_events.ingest(Ctx(session, account=account, livemode=False), body)


def per_call_plan(t: Tenant) -> str:
    """A monthly in-arrears plan charging 1 per API call (its meter created with it)."""
    t.ok("POST", "/v1/meters", {"code": "api_calls", "name": "API calls"})
    return t.ok("POST", "/v1/plans", {
        "name": "Per call", "currency": "eur", "interval": "monthly", "base_amount": 0,
        "billing_timing": "in_arrears",
        "features": [{"code": "api_calls", "name": "API calls", "kind": "metered",
                      "charge": {"model": "per_unit", "unit_amount_decimal": "1"}}]})["id"]


def setup(t: Tenant, start: int) -> list[tuple[str, str]]:
    """(customer, subscription) pairs on a monthly in-arrears plan charging 1 per call,
    started at `start`: their first usage period is still open."""
    plan = per_call_plan(t)
    out = []
    for i in range(CUSTOMERS):
        cus = t.ok("POST", "/v1/customers", {"name": f"Racer {i}"})["id"]
        sub = t.ok("POST", "/v1/subscriptions", {"customer": cus, "plan": plan,
                                                 "start_date": start})["id"]
        out.append((cus, sub))
    return out


def billed_usage(t: Tenant, sub: str) -> Decimal:
    """The usage quantity the subscription's invoice bills (0 without a usage line)."""
    invoices = [i for i in t.get("/v1/invoices", limit=100).json()["data"]
                if i.get("subscription") == sub]
    assert len(invoices) == 1
    return sum((Decimal(line["quantity"]) for line in invoices[0]["lines"]["data"]
                if line["type"] == "usage"), Decimal(0))


@pytest.mark.parametrize("set_based", [True, False])
def test_every_event_is_billed_or_refused(tenant: Tenant, db: Database,
                                          set_based: bool) -> None:
    start = int(time.time()) - 20 * DAY
    pairs = setup(tenant, start)
    at = int(time.time()) + 12 * DAY  # the first boundary (start + 1 month) is due
    accepted: dict[str, int] = defaultdict(int)
    refused = [0]
    problems: list[str] = []  # any refusal but usage_period_closed
    done = threading.Event()
    lock = threading.Lock()

    def send(rng: random.Random, name: str) -> None:
        chosen = rng.sample(pairs, 2)
        events = [{"event_id": f"{name}-{j}", "customer": cus, "feature": "api_calls",
                   "timestamp": int(time.time()) - DAY, "value": rng.randint(1, 9)}
                  for j, (cus, _) in enumerate(chosen * 3)]
        try:
            result = ingest(db, tenant, {"events": events})
        except UsageEventsInvalid as exc:
            codes = {e["code"] for e in exc.errors}
            with lock:
                refused[0] += 1
                problems.extend(codes - {"usage_period_closed"})
            return
        assert result["accepted"] == len(events)
        with lock:
            for e in events:
                accepted[e["customer"]] += e["value"]

    def sender(k: int) -> None:
        rng = random.Random(k)
        n = 0
        while not done.is_set():
            send(rng, f"s{k}-{n}")
            n += 1
        send(rng, f"s{k}-last")  # after the run: every period is closed

    threads = [threading.Thread(target=sender, args=(k,)) for k in range(3)]
    for thread in threads:
        thread.start()
    time.sleep(0.2)
    summary = run_billing(db, at, accounts=[tenant.keys.account.id], set_based=set_based)
    done.set()
    for thread in threads:
        thread.join()
    assert summary.failures == []
    assert problems == []
    assert summary.invoices == CUSTOMERS
    assert refused[0] >= 3  # at least the batches sent after the run
    for cus, sub in pairs:
        assert billed_usage(tenant, sub) == accepted[cus], cus


def test_a_back_dated_subscription_racing_ingestion(tenant: Tenant, db: Database) -> None:
    """A subscription started 33 days ago bills its first usage period at creation; the
    customer's events of that period sent meanwhile are either on that invoice or
    refused."""
    plan = per_call_plan(tenant)
    customers = [tenant.ok("POST", "/v1/customers", {"name": f"R{i}"})["id"]
                 for i in range(8)]
    start = int(time.time()) - 33 * DAY  # boundary 1 (start + 1 month) is past
    when = start + 3 * DAY  # in period 0, which the creation bills
    accepted: dict[str, int] = defaultdict(int)
    problems: list[str] = []
    done = threading.Event()
    lock = threading.Lock()

    def sender(k: int) -> None:
        rng, n = random.Random(k), 0
        while not done.is_set() or n < 2:
            cus = rng.choice(customers)
            events = [{"event_id": f"b{k}-{n}-{j}", "customer": cus, "feature": "api_calls",
                       "timestamp": when, "value": rng.randint(1, 9)} for j in range(3)]
            n += 1
            try:
                ingest(db, tenant, {"events": events})
            except UsageEventsInvalid as exc:
                with lock:
                    problems.extend({e["code"] for e in exc.errors} - {"usage_period_closed"})
                continue
            with lock:
                accepted[cus] += sum(e["value"] for e in events)

    threads = [threading.Thread(target=sender, args=(k,)) for k in range(3)]
    for thread in threads:
        thread.start()
    subs = {}
    for cus in customers:
        time.sleep(0.02)
        subs[cus] = tenant.ok("POST", "/v1/subscriptions", {
            "customer": cus, "plan": plan, "start_date": start})["id"]
    done.set()
    for thread in threads:
        thread.join()
    assert problems == []
    for cus, sub in subs.items():
        assert billed_usage(tenant, sub) == accepted[cus], cus
