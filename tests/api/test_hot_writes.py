"""The hot write lane (create and finalize of a plain invoice) writes exactly what the
full pipeline writes and answers exactly what it answers; everything else goes to the
full pipeline before anything is written."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import orjson
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from starlette.types import Receive, Scope, Send

from folio.api.hot_writes import HotWrites
from folio.db.engine import Database
from folio.db.models import Account, Customer, Event, Invoice, InvoiceLine, NumberSeries
from tests import factories as f
from tests.conftest import Tenant

# values that differ between any two invoices: compared by shape, not by value
VOLATILE = {"id", "uuid", "public_id", "created", "updated", "finalized_at", "number",
            "hosted_token", "hosted_invoice_url", "invoice_id", "request_id", "object_id"}


class Fallback:
    """Stands for the full pipeline: records each request's body, answers 599."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        self.bodies.append(body)
        await send({"type": "http.response.start", "status": 599, "headers": []})
        await send({"type": "http.response.body", "body": b""})


@pytest.fixture
def lane(app: FastAPI) -> tuple[TestClient, Fallback]:
    fallback = Fallback()
    return TestClient(HotWrites(fallback, state=app.state.folio)), fallback


def body(tenant: Tenant, **fields: Any) -> dict[str, Any]:
    customer = f.customer(tenant, address={"line1": "Hauptstrasse 1", "city": "Berlin",
                                           "postal_code": "10115", "country": "DE"},
                          tax_id="DE123456788")
    rate, reduced = f.tax_rate(tenant, "19"), f.tax_rate(tenant, "7")
    return {"customer": customer["id"], "default_tax_rates": [rate["id"]],
            "description": "March", "metadata": {"order": "42"},
            "lines": [{"description": "Widget", "quantity": "3", "unit_amount": 1999},
                      {"description": "Support hours", "quantity": "1.5",
                       "unit_amount_decimal": "8000.5", "unit_code": "HUR"},
                      {"description": "Book", "quantity": "2", "unit_amount": 495,
                       "tax_rates": [reduced["id"]], "metadata": {"isbn": "1"}}],
            **fields}


def normalized(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: (type(v).__name__ if k in VOLATILE and v is not None else normalized(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [normalized(x) for x in value]
    return value


def create_and_finalize(tenant: Tenant, data: dict[str, Any]) -> tuple[bytes, bytes]:
    created = tenant.post("/v1/invoices", data)
    assert created.status_code == 200, created.text
    done = tenant.post(f"/v1/invoices/{created.json()['id']}/finalize", None)
    assert done.status_code == 200, done.text
    return created.content, done.content


def rows(db: Database, invoice_id: str) -> dict[str, Any]:
    """The invoice's stored rows (invoice, lines, events), every column."""
    with db.transaction(write=False) as session:
        invoice = session.execute(select(Invoice.__table__).where(
            Invoice.public_id == invoice_id)).mappings().one()
        lines = session.execute(select(InvoiceLine.__table__).where(
            InvoiceLine.invoice_id == invoice["id"]).order_by(InvoiceLine.position)
        ).mappings().all()
        events = session.execute(select(Event.__table__).where(
            Event.object_id == invoice_id).order_by(Event.id)).mappings().all()
    return {"invoice": dict(invoice), "lines": [dict(x) for x in lines],
            "events": [dict(x) for x in events]}


def test_the_lane_writes_and_answers_what_the_full_pipeline_does(
        db: Database, tenant: Tenant, monkeypatch: pytest.MonkeyPatch) -> None:
    data = body(tenant)
    monkeypatch.setattr(HotWrites, "enabled", False)
    taken = HotWrites.taken
    full = create_and_finalize(tenant, data)  # also opens the number series
    assert HotWrites.taken == taken
    monkeypatch.setattr(HotWrites, "enabled", True)
    fast = create_and_finalize(tenant, data)
    assert HotWrites.taken == taken + 2  # both requests took the lane

    for slow_body, fast_body in zip(full, fast, strict=True):
        slow_view, fast_view = orjson.loads(slow_body), orjson.loads(fast_body)
        # same keys in the same order, same values but for ids and instants
        assert orjson.dumps(normalized(fast_view)) == orjson.dumps(normalized(slow_view))
    slow_open, fast_open = orjson.loads(full[1]), orjson.loads(fast[1])
    assert fast_open["status"] == "open"
    assert fast_open["total"] == 22477
    # the next number of the same series
    assert int(fast_open["number"].rsplit("-", 1)[1]) == int(
        slow_open["number"].rsplit("-", 1)[1]) + 1

    slow_rows, fast_rows = rows(db, slow_open["id"]), rows(db, fast_open["id"])
    assert [e["type"] for e in fast_rows["events"]] == ["invoice.created",
                                                        "invoice.finalized"]
    assert normalized(fast_rows) == normalized(slow_rows)
    for event, view in zip(fast_rows["events"], (fast[0], fast[1]), strict=True):
        assert event["data"] == {"object": orjson.loads(view)}
        assert event["request_id"].startswith("req_")
    invoice = fast_rows["invoice"]
    assert invoice["number"] == fast_open["number"]
    assert invoice["hosted_token"]
    assert fast_open["hosted_invoice_url"].endswith(
        invoice["hosted_token"])
    assert invoice["finalized_at"] == invoice["updated"] == fast_open["finalized_at"]
    assert invoice["seller_snapshot"]["name"] == "Tenant"


def _count(db: Database, tenant: Tenant) -> int:
    with db.transaction(write=False) as session:
        return len(session.scalars(select(Invoice.id).where(
            Invoice.account_id == tenant.keys.account.id)).all())


def test_create_bodies_off_the_plain_path_go_to_the_full_pipeline(
        db: Database, tenant: Tenant, other_tenant: Tenant,
        lane: tuple[TestClient, Fallback]) -> None:
    data = body(tenant)
    theirs = f.customer(other_tenant)["id"]
    other_rate = f.tax_rate(other_tenant)["id"]
    inactive = f.tax_rate(tenant)["id"]
    tenant.ok("POST", f"/v1/tax_rates/{inactive}", {"active": False})
    line = data["lines"][0]
    cases = [
        {**data, "unknown": 1},  # refused by the full path's model
        {**data, "lines": [{**line, "quantity": "abc"}]},
        {**data, "customer": theirs},  # another tenant's customer: 404 there
        {**data, "customer": "cus_doesnotexist"},
        {**data, "default_tax_rates": [other_rate]},
        {**data, "default_tax_rates": [inactive]},
        {**data, "default_tax_rates": data["default_tax_rates"] * 2},
        {**data, "collection_method": "send_invoice", "days_until_due": 30},
        {**data, "discounts": [{"percent_off": "10"}]},
        {**data, "period_start": 1},
        {**data, "currency": "xxx"},
        {**data, "lines": [{**line, "discounts": [{"amount_off": 10}]}]},
        {**data, "lines": [{**line, "unit_amount_decimal": "1"}]},  # both amounts
        {**data, "lines": [{"description": "x", "quantity": "1"}]},  # no amount
        {**data, "lines": [{**line, "type": "credit", "unit_amount": -5}]},
        {**data, "lines": [{**line, "product": "prod_x"}]},
    ]
    client, fallback = lane
    before = _count(db, tenant)
    for n, case in enumerate(cases, start=1):
        raw = orjson.dumps(case)
        response = client.post("/v1/invoices", content=raw, headers={
            **tenant.headers(), "content-type": "application/json"})
        assert response.status_code == 599, case
        assert fallback.bodies[-1] == raw
        assert len(fallback.bodies) == n
    plain = orjson.dumps(data)
    for headers in ({**tenant.headers(), "content-type": "text/plain"},
                    {**tenant.headers(), "content-type": "application/json",
                     "Idempotency-Key": "k1"},
                    {"Authorization": "Bearer sk_test_notcached",
                     "content-type": "application/json"}):
        assert client.post("/v1/invoices", content=plain, headers=headers).status_code == 599
    assert client.post("/v1/invoices?expand=x", content=plain, headers={
        **tenant.headers(), "content-type": "application/json"}).status_code == 599
    assert _count(db, tenant) == before  # nothing was written
    # the plain body itself is taken
    assert client.post("/v1/invoices", content=plain, headers={
        **tenant.headers(), "content-type": "application/json"}).status_code == 200


def test_errors_come_from_the_full_pipeline(tenant: Tenant, other_tenant: Tenant) -> None:
    data = body(tenant)
    bad = tenant.post("/v1/invoices", {**data, "unknown": 1})
    assert bad.status_code == 400
    assert bad.json()["error"]["param"] == "unknown"
    theirs = tenant.post("/v1/invoices", {**data, "customer": f.customer(other_tenant)["id"]})
    assert theirs.status_code == 404
    assert theirs.json()["error"]["param"] == "customer"
    draft = tenant.ok("POST", "/v1/invoices", data)
    assert other_tenant.post(f"/v1/invoices/{draft['id']}/finalize").status_code == 404
    tenant.ok("POST", f"/v1/invoices/{draft['id']}/finalize")
    again = tenant.post(f"/v1/invoices/{draft['id']}/finalize")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "invoice_not_draft"


def _finalize(client: TestClient, tenant: Tenant, invoice_id: str) -> int:
    return client.post(f"/v1/invoices/{invoice_id}/finalize",
                       headers=tenant.headers()).status_code


def test_finalizes_off_the_plain_path_go_to_the_full_pipeline(
        db: Database, tenant: Tenant, other_tenant: Tenant,
        lane: tuple[TestClient, Fallback]) -> None:
    client, fallback = lane
    other_tenant.ok("GET", "/v1/account")  # cached
    fresh = f.draft(tenant)
    assert _finalize(client, tenant, fresh["id"]) == 599  # the series is not opened yet
    tenant.ok("POST", f"/v1/invoices/{fresh['id']}/finalize")
    assert _finalize(client, tenant, fresh["id"]) == 599  # open already
    cases = [
        f.draft(tenant, collection_method="send_invoice", days_until_due=10),
        f.draft(tenant, apply_credit_balance=True),
        f.draft(tenant, discounts=[{"percent_off": "10"}]),
        f.draft(tenant, lines=[]),
        f.draft(tenant, lines=[{"description": "Free", "quantity": "1", "unit_amount": 0}]),
    ]
    for draft in cases:
        assert _finalize(client, tenant, draft["id"]) == 599, draft
    plain = f.draft(tenant)
    assert _finalize(client, other_tenant, plain["id"]) == 599  # another tenant's
    with db.transaction() as session:  # a default payment method: an automatic charge
        session.execute(update(Customer).where(Customer.public_id == plain["customer"])
                        .values(default_payment_method="pm_x"))
    assert _finalize(client, tenant, plain["id"]) == 599
    with db.transaction() as session:
        session.execute(update(Customer).where(Customer.public_id == plain["customer"])
                        .values(default_payment_method=None))
        session.execute(update(Account).where(Account.id == tenant.keys.account.id)
                        .values(einvoice_required=True))
    assert _finalize(client, tenant, plain["id"]) == 599
    with db.transaction() as session:
        session.execute(update(Account).where(Account.id == tenant.keys.account.id)
                        .values(einvoice_required=False))
    assert len(fallback.bodies) == 10
    with db.transaction(write=False) as session:
        assert session.scalar(select(Invoice.status).where(
            Invoice.public_id == plain["id"])) == "draft"
        assert session.scalars(select(NumberSeries.last_value).where(
            NumberSeries.account_id == tenant.keys.account.id)).all() == [1]
    # now plain: taken (a body is ignored, as the full path ignores it)
    assert client.post(f"/v1/invoices/{plain['id']}/finalize", content=b"{}", headers={
        **tenant.headers(), "content-type": "application/json"}).status_code == 200


def test_numbers_stay_gapless_with_the_lane_and_the_full_path_racing(
        db: Database, tenant: Tenant, settings: Any) -> None:
    """The lane finalizes many invoices at once on its event loop (inline or in the
    threadpool on SQLite, on its async connections on PostgreSQL) while threads finalize
    others through the full path: one series, no gap."""
    import asyncio

    from folio.api.deps import AppState, AuthCache
    from folio.services.accounts import Principal
    from folio.services.invoice_fast_finalize import finalize_plan
    from tests.integration.test_concurrency import (
        NOW,
        all_ok,
        clock,
        counters,
        finalize,
        make_customer,
        make_drafts,
        race,
        series_values,
        statuses,
    )

    full_threads, per_thread, by_lane = 3, 20, 60
    customer = make_customer(db, tenant)
    drafts = make_drafts(db, tenant, customer, full_threads * per_thread + by_lane + 1)
    finalize(db, tenant, drafts.pop())  # opens the series (the lane never does)
    lane_drafts, full_drafts = drafts[:by_lane], drafts[by_lane:]
    hot = HotWrites(Fallback(), state=AppState(db=db, settings=settings, clock=clock,
                                               auth_cache=AuthCache()))
    account_id = tenant.keys.account.id
    principal = Principal(key_account_id=account_id, account_id=account_id, livemode=False)

    async def lane_all() -> list[str]:
        bodies = await asyncio.gather(*(
            hot._run(lambda st, ctx, x=x: finalize_plan(st, ctx, x), principal, "req_race")
            for x in lane_drafts))
        if hot.pool is not None:
            await hot.pool.close()
        assert all(b is not None for b in bodies)
        return [str(orjson.loads(b)["number"]) for b in bodies if b is not None]

    chunks = [full_drafts[i::full_threads] for i in range(full_threads)]
    workers = [lambda: asyncio.run(lane_all()),
               *(lambda c=c: [finalize(db, tenant, x) for x in c] for c in chunks)]
    results = all_ok(race(workers))
    numbers = [n for r in results for n in r]
    total = full_threads * per_thread + by_lane
    assert counters(numbers, "INV-2026-") == list(range(2, total + 2))
    assert statuses(db, drafts) == {"open"}
    assert series_values(db, tenant) == {"INV-2026-#": total + 1}
    with db.transaction(write=False) as session:
        finalized = session.scalars(select(Event.created).where(
            Event.account_id == account_id, Event.type == "invoice.finalized")).all()
    assert len(finalized) == total + 1
    assert set(finalized) == {NOW}


@pytest.mark.parametrize("change", [{"display_name": "MwSt"}, {"percentage": "16"},
                                    {"inclusive": True}])
def test_a_rate_changed_since_the_draft_was_totalled_goes_to_the_full_pipeline(
        db: Database, tenant: Tenant, lane: tuple[TestClient, Fallback],
        change: dict[str, Any]) -> None:
    """The lane skips finalize's recalculation only while every rate is as the draft
    recorded it; a rate changed since (its name, its percentage) sends the finalize to
    the full pipeline, which recalculates."""
    from folio.db.models import TaxRate

    client, fallback = lane
    tenant.ok("POST", f"/v1/invoices/{f.draft(tenant)['id']}/finalize")  # opens the series
    rate = f.tax_rate(tenant, "19")
    taxed = f.draft(tenant, default_tax_rates=[rate["id"]])
    unchanged = f.draft(tenant, default_tax_rates=[rate["id"]])
    assert _finalize(client, tenant, unchanged["id"]) == 200  # as recorded: taken
    values = {k: Decimal(v) if k == "percentage" else v for k, v in change.items()}
    with db.transaction() as session:
        session.execute(update(TaxRate).where(TaxRate.public_id == rate["id"])
                        .values(**values))
    assert _finalize(client, tenant, taxed["id"]) == 599
    assert fallback.bodies == [b""]
    with db.transaction(write=False) as session:
        assert session.scalar(select(Invoice.status).where(
            Invoice.public_id == taxed["id"])) == "draft"
