"""Duplicate usage events racing on a real database: replayed or concurrent duplicates are
recorded once and counted once, whatever the order in which racing batches hold them.

The service races run one transaction per batch per thread (as the API does); the HTTP
race goes through a real uvicorn server. PostgreSQL serialises racing inserts of one
event_id on the unique index; SQLite serialises writers with BEGIN IMMEDIATE.
"""

from __future__ import annotations

import random
from decimal import Decimal
from functools import partial
from typing import Any

import httpx
from sqlalchemy import func, select

from folio.db.engine import Database
from folio.db.models import UsageEvent
from folio.services import usage_events, usage_reads
from folio.services.context import Ctx
from tests.conftest import Tenant
from tests.integration.test_concurrency import all_ok, in_tx, race


def setup(tenant: Tenant) -> str:
    tenant.ok("POST", "/v1/meters", {"code": "api_calls", "name": "API calls"})
    return tenant.ok("POST", "/v1/customers", {"name": "Racer"})["id"]  # type: ignore[no-any-return]


def batch(customer: str, ids: list[int]) -> dict[str, Any]:
    """Events without a timestamp: each is stamped with its request's clock."""
    return {"events": [{"event_id": f"evt-{i:05d}", "customer": customer,
                        "feature": "api_calls", "value": i} for i in ids]}


def ingest(db: Database, tenant: Tenant, body: dict[str, Any]) -> dict[str, Any]:
    return in_tx(db, tenant, lambda ctx: usage_events.ingest(ctx, body))


def stored(db: Database, tenant: Tenant) -> tuple[int, int]:
    """(rows, distinct event ids) of the tenant."""
    with db.transaction(write=False) as session:
        rows, distinct = session.execute(select(
            func.count(), func.count(func.distinct(UsageEvent.event_id))).where(
            UsageEvent.account_id == tenant.keys.account.id)).one()
    return int(rows), int(distinct)


def total(db: Database, tenant: Tenant, customer: str) -> Decimal:
    def read(ctx: Ctx) -> Decimal:
        view = usage_reads.customer_usage(ctx, customer, "api_calls", 0, 2**40)
        return Decimal(view["data"][0]["value"])

    return in_tx(db, tenant, read)


def test_the_same_batch_sent_eight_times_at_once(db: Database, tenant: Tenant) -> None:
    customer = setup(tenant)
    body = batch(customer, list(range(200)))
    results = all_ok(race([partial(ingest, db, tenant, body) for _ in range(8)]))
    assert sum(r["accepted"] for r in results) == 200
    assert sum(r["duplicates"] for r in results) == 7 * 200
    assert sorted(r["accepted"] for r in results)[:7] == [0] * 7  # one batch won whole
    assert stored(db, tenant) == (200, 200)
    assert total(db, tenant, customer) == sum(range(200))


def test_overlapping_batches_in_opposite_orders(db: Database, tenant: Tenant) -> None:
    """Eight batches share ids, half of them in reverse order (the shape that deadlocks
    when rows are inserted in arrival order on PostgreSQL)."""
    customer = setup(tenant)
    rng = random.Random(4)
    batches = []
    for k in range(8):
        ids = list(range(k * 40, k * 40 + 200))
        if k % 2:
            ids.reverse()
        else:
            rng.shuffle(ids)
        batches.append(batch(customer, ids))
    results = all_ok(race([partial(ingest, db, tenant, b) for b in batches]))
    union = {i for k in range(8) for i in range(k * 40, k * 40 + 200)}
    assert sum(r["accepted"] for r in results) == len(union) == 480
    assert sum(r["accepted"] + r["duplicates"] for r in results) == 8 * 200
    assert stored(db, tenant) == (480, 480)
    assert total(db, tenant, customer) == sum(union)


def test_duplicates_racing_over_http(live_server: str, db: Database, tenant: Tenant) -> None:
    customer = setup(tenant)
    bodies = [batch(customer, list(range(k * 50, k * 50 + 300))) for k in range(6)]

    def send(body: dict[str, Any]) -> dict[str, Any]:
        with httpx.Client(base_url=live_server, headers=tenant.headers(), timeout=None) as h:
            response = h.post("/v1/usage_events", json=body)
            assert response.status_code == 200, response.text
            return response.json()  # type: ignore[no-any-return]

    results = all_ok(race([partial(send, b) for b in bodies]))
    assert sum(r["accepted"] for r in results) == 550
    replay = all_ok(race([partial(send, b) for b in bodies]))  # everything again, at once
    assert [r["accepted"] for r in replay] == [0] * 6
    assert [r["duplicates"] for r in replay] == [300] * 6
    assert stored(db, tenant) == (550, 550)
    assert total(db, tenant, customer) == sum(range(550))
