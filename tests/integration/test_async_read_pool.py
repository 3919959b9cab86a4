"""The hot read lane's async connections on PostgreSQL (db.async_pool): bounded, never
left broken, closed with the app, and a database that does not answer there sends the
request to the full pipeline."""

from __future__ import annotations

import asyncio
import gc
import time
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from folio.api.app import create_app
from folio.api.hot_reads import APPLICATION_NAME, HotReads
from folio.config import Settings
from folio.db.async_pool import AsyncPool, libpq_conninfo
from folio.db.engine import Database, configure_psycopg
from tests import factories as f
from tests.api.test_hot_reads import Fallback
from tests.conftest import Tenant


@pytest.fixture(autouse=True)
def postgres_only(db: Database) -> None:
    if db.dialect != "postgresql":
        pytest.skip("the async lane serves PostgreSQL; SQLite reads inline")


def pool(db: Database, size: int = 2) -> AsyncPool:
    return AsyncPool(libpq_conninfo(db.engine.url), size, configure_psycopg)


def test_concurrent_reads_share_at_most_size_connections(db: Database) -> None:
    reads = pool(db, size=2)

    async def run() -> list[Any]:
        results = await asyncio.gather(*(
            reads.fetch_all("SELECT pg_backend_pid(), pg_sleep(0.02)", None)
            for _ in range(12)))
        assert reads.open_connections == 2
        await reads.close()
        return results

    results = asyncio.run(run())
    assert all(rows is not None for rows in results)
    assert len({rows[0][0] for rows in results if rows}) == 2  # two backends served all
    assert reads.open_connections == 0


def test_a_failed_statement_answers_none_and_drops_its_connection(db: Database) -> None:
    reads = pool(db)

    async def run() -> tuple[Any, Any, int]:
        first = await reads.fetch_all("SELECT pg_backend_pid()", None)
        failed = await reads.fetch_all("SELECT * FROM no_such_table", None)
        after = reads.open_connections
        again = await reads.fetch_all("SELECT pg_backend_pid()", None)
        await reads.close()
        return first, (failed, again), after

    first, (failed, again), after = asyncio.run(run())
    assert failed is None
    assert after == 0
    assert first is not None
    assert first != again  # a new backend


def test_a_new_event_loop_gets_new_connections(db: Database) -> None:
    reads = pool(db)
    one = asyncio.run(reads.fetch_all("SELECT pg_backend_pid()", None))
    two = asyncio.run(reads.fetch_all("SELECT pg_backend_pid()", None))
    assert one is not None
    assert one != two
    assert reads.open_connections == 1


def test_an_unreachable_database_sends_the_read_to_the_full_pipeline(
        app: FastAPI, tenant: Tenant) -> None:
    created = f.draft(tenant, lines=[{"description": "Item", "quantity": "1",
                                      "unit_amount": 100}])
    invoice = tenant.ok("POST", f"/v1/invoices/{created['id']}/finalize")
    tenant.ok("GET", "/v1/account")  # the principal is cached
    fallback = Fallback()
    lane = HotReads(fallback, state=app.state.folio)
    lane.pool = AsyncPool("postgresql://postgres@127.0.0.1:1/none?connect_timeout=2", 2,
                              configure_psycopg)
    response = TestClient(lane).get(f"/v1/invoices/{invoice['id']}",
                                    headers=tenant.headers())
    assert response.status_code == 599
    assert fallback.calls == 1
    assert lane.pool.open_connections == 0


def _lane_backends(db: Database, name: str = APPLICATION_NAME) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = :name "
            "AND datname = current_database()"), {"name": name}).scalar_one())


def _settled_lane_backends(db: Database, name: str = APPLICATION_NAME) -> int:
    """The lane backends left by apps of earlier tests, once the ones no longer
    reachable have been collected (their connections close then) and have left."""
    gc.collect()
    count = _lane_backends(db, name)
    for _ in range(40):
        time.sleep(0.05)
        now = _lane_backends(db, name)
        if now == count:
            break
        count = now
    return count


def test_the_lane_connections_close_with_the_app(settings: Settings, db: Database,
                                                 tenant: Tenant) -> None:
    created = f.draft(tenant, lines=[{"description": "Item", "quantity": "1",
                                      "unit_amount": 100}])
    invoice = tenant.ok("POST", f"/v1/invoices/{created['id']}/finalize")
    before = _settled_lane_backends(db)
    with TestClient(create_app(settings, db)) as own:
        for _ in range(2):  # the first caches the principal, the second takes the lane
            response = own.get(f"/v1/invoices/{invoice['id']}", headers=tenant.headers())
            assert response.json() == invoice
        assert _lane_backends(db) == before + 1
    for _ in range(100):  # a backend leaves pg_stat_activity just after its socket closes
        if _lane_backends(db) == before:
            break
        time.sleep(0.05)
    assert _lane_backends(db) == before


def test_the_write_lane_connections_close_with_the_app(settings: Settings, db: Database,
                                                       tenant: Tenant) -> None:
    from folio.api import hot_writes

    tenant.ok("POST", f"/v1/invoices/{f.draft(tenant)['id']}/finalize")  # opens the series
    name = hot_writes.APPLICATION_NAME
    before = _settled_lane_backends(db, name)
    taken = hot_writes.HotWrites.taken
    with TestClient(create_app(settings, db)) as own:
        own.get("/v1/account", headers=tenant.headers())  # caches the principal
        created = own.post("/v1/invoices", headers=tenant.headers(), json={
            "customer": f.customer(tenant)["id"], "currency": "eur",
            "lines": [{"description": "Item", "quantity": "1", "unit_amount": 100}]})
        done = own.post(f"/v1/invoices/{created.json()['id']}/finalize",
                        headers=tenant.headers())
        assert done.json()["status"] == "open"
        assert hot_writes.HotWrites.taken == taken + 2  # both took the lane
        assert _lane_backends(db, name) == before + 1
    for _ in range(100):
        if _lane_backends(db, name) == before:
            break
        time.sleep(0.05)
    assert _lane_backends(db, name) == before
