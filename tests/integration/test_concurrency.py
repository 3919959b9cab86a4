"""Concurrency on a real database: gapless numbers, payments that never overpay, and
idempotent POSTs executed once, with many threads racing for the same rows.

The services run with one ``db.transaction()`` per operation per thread (as the API does);
the idempotency races go through a real uvicorn server so that requests overlap inside
the application. A barrier lines the threads up so that they start together.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any, TypeVar

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from folio.db.engine import Database
from folio.db.models import Account, Event, Invoice, NumberSeries, Payment
from folio.domain.errors import DomainError, InvalidState, RuleViolation
from folio.services import customers, invoices, lifecycle, payments
from folio.services.context import Ctx
from folio.services.inputs.customers import CustomerCreate
from folio.services.inputs.invoices import InvoiceCreate
from folio.services.inputs.payments import PaymentCreate
from tests.conftest import Tenant, make_tenant

T = TypeVar("T")

# A fixed clock keeps every number of a run in one yearly series (no new-year surprise).
NOW = 1_780_000_000  # 2026-05-28


def clock() -> int:
    return NOW


def in_tx(db: Database, tenant: Tenant, fn: Callable[[Ctx], T]) -> T:
    """Runs fn in one write transaction as the tenant, the way folio.api.deps does."""
    with db.transaction() as session:
        account = session.get(Account, tenant.keys.account.id)
        assert account is not None
        return fn(Ctx(session=session, account=account, livemode=False, clock=clock))


def race(workers: list[Callable[[], T]]) -> list[T | BaseException]:
    """Starts every worker at the same moment on its own thread; returns each outcome."""
    barrier = threading.Barrier(len(workers))
    results: list[T | BaseException] = [RuntimeError("not run")] * len(workers)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = workers[i]()
        except BaseException as exc:  # reported to the test
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(workers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def all_ok(results: list[T | BaseException]) -> list[T]:
    """The outcomes of a race in which no worker may fail."""
    failures = [r for r in results if isinstance(r, BaseException)]
    assert failures == []
    return [r for r in results if not isinstance(r, BaseException)]


def make_customer(db: Database, tenant: Tenant, prefix: str | None = None) -> str:
    data = CustomerCreate(name="Ada", email="ada@example.com", invoice_prefix=prefix)
    return in_tx(db, tenant, lambda ctx: customers.create_customer(ctx, data).public_id)


def make_drafts(db: Database, tenant: Tenant, customer: str, n: int,
                unit_amount: int = 5000) -> list[str]:
    data = InvoiceCreate.model_validate({
        "customer": customer, "currency": "eur",
        "lines": [{"description": "Work", "quantity": "2", "unit_amount": unit_amount}]})

    def create(ctx: Ctx) -> list[str]:
        return [invoices.create_invoice(ctx, data).public_id for _ in range(n)]

    return in_tx(db, tenant, create)


def finalize(db: Database, tenant: Tenant, invoice_id: str) -> str:
    def run(ctx: Ctx) -> str:
        number = lifecycle.finalize_invoice(ctx, invoice_id).number
        assert number is not None
        return number

    return in_tx(db, tenant, run)


def counters(numbers: list[str], prefix: str) -> list[int]:
    assert all(n.startswith(prefix) for n in numbers), numbers
    return sorted(int(n[len(prefix):]) for n in numbers)


def series_values(db: Database, tenant: Tenant) -> dict[str, int]:
    with db.transaction(write=False) as session:
        rows = session.execute(select(NumberSeries.key, NumberSeries.last_value).where(
            NumberSeries.account_id == tenant.keys.account.id)).all()
    return {key: int(value) for key, value in rows}


def statuses(db: Database, invoice_ids: list[str]) -> set[str]:
    with db.transaction(write=False) as session:
        return set(session.scalars(select(Invoice.status).where(
            Invoice.public_id.in_(invoice_ids))))


class TestGaplessNumbering:
    @pytest.mark.slow
    def test_800_concurrent_finalizes_give_800_gapless_numbers(
            self, db: Database, tenant: Tenant) -> None:
        threads, per_thread = 8, 100
        customer = make_customer(db, tenant)
        drafts = make_drafts(db, tenant, customer, threads * per_thread)
        chunks = [drafts[i::threads] for i in range(threads)]

        def worker(chunk: list[str]) -> list[str]:
            return [finalize(db, tenant, invoice_id) for invoice_id in chunk]

        results = all_ok(race([partial(worker, chunk) for chunk in chunks]))
        numbers = [n for r in results for n in r]
        assert len(numbers) == len(set(numbers)) == 800
        assert counters(numbers, "INV-2026-") == list(range(1, 801))
        assert all(len(n) == len("INV-2026-000001") for n in numbers)
        assert statuses(db, drafts) == {"open"}
        assert series_values(db, tenant) == {"INV-2026-#": 800}

    def test_per_customer_series_are_each_gapless(self, db: Database,
                                                 client: TestClient) -> None:
        tenant = make_tenant(db, client, name="Per customer", numbering="customer")
        per_customer, threads = 40, 4
        drafts = {prefix: make_drafts(db, tenant, make_customer(db, tenant, prefix),
                                      per_customer)
                  for prefix in ("ABCDEFGH", "ZYXWVUTS")}
        # every thread finalizes invoices of both customers, interleaved, so the very first
        # number of each series (the row insert) is raced for as well
        mixed = [x for pair in zip(*drafts.values(), strict=True) for x in pair]
        chunks = [mixed[i::threads] for i in range(threads)]

        def worker(chunk: list[str]) -> list[tuple[str, str]]:
            return [(invoice_id, finalize(db, tenant, invoice_id)) for invoice_id in chunk]

        results = all_ok(race([partial(worker, chunk) for chunk in chunks]))
        number_of = dict(pair for r in results for pair in r)
        for prefix, ids in drafts.items():
            numbers = [number_of[i] for i in ids]
            assert all(re.fullmatch(rf"{prefix}-\d{{4}}", n) for n in numbers), numbers
            assert counters(numbers, f"{prefix}-") == list(range(1, per_customer + 1))
        assert statuses(db, mixed) == {"open"}
        assert series_values(db, tenant) == {"ABCDEFGH-#": 40, "ZYXWVUTS-#": 40}

    def test_racing_finalizes_of_one_draft_take_one_number(
            self, db: Database, tenant: Tenant) -> None:
        customer = make_customer(db, tenant)
        (draft,) = make_drafts(db, tenant, customer, 1)
        results = race([lambda: finalize(db, tenant, draft) for _ in range(6)])
        numbers = [r for r in results if isinstance(r, str)]
        refused = [r for r in results if not isinstance(r, str)]
        assert numbers == ["INV-2026-000001"]
        assert len(refused) == 5
        assert all(isinstance(r, InvalidState) for r in refused)
        assert series_values(db, tenant) == {"INV-2026-#": 1}
        # the next finalize continues the series without a gap
        (second,) = make_drafts(db, tenant, customer, 1)
        assert finalize(db, tenant, second) == "INV-2026-000002"


class TestConcurrentPayments:
    def open_invoice(self, db: Database, tenant: Tenant) -> str:
        (draft,) = make_drafts(db, tenant, make_customer(db, tenant), 1)  # total 10000
        finalize(db, tenant, draft)
        return draft

    def pay(self, db: Database, tenant: Tenant, invoice_id: str, amount: int) -> int:
        data = PaymentCreate(invoice=invoice_id, amount=amount)
        return in_tx(db, tenant, lambda ctx: payments.create_payment(ctx, data).amount)

    def state(self, db: Database, invoice_id: str) -> tuple[dict[str, Any], int, int]:
        with db.transaction(write=False) as session:
            invoice = session.scalars(select(Invoice).where(
                Invoice.public_id == invoice_id)).one()
            n, total = session.execute(select(func.count(), func.coalesce(
                func.sum(Payment.amount), 0)).where(Payment.invoice_id == invoice.id)).one()
            view = {name: getattr(invoice, name)
                    for name in ("status", "total", "amount_paid", "amount_due")}
            return view, int(n), int(total)

    def check(self, db: Database, invoice_id: str,
              results: list[int | BaseException]
              ) -> tuple[dict[str, Any], list[BaseException]]:
        succeeded = [r for r in results if isinstance(r, int)]
        refused = [r for r in results if not isinstance(r, int)]
        assert all(isinstance(r, DomainError) for r in refused), refused
        invoice, n, paid = self.state(db, invoice_id)
        assert paid == sum(succeeded) == invoice["amount_paid"] <= invoice["total"]
        assert n == len(succeeded)
        assert (invoice["status"] == "paid") == (invoice["amount_due"] == 0)
        return invoice, refused

    def test_overpaying_payments_are_refused(self, db: Database, tenant: Tenant) -> None:
        invoice_id = self.open_invoice(db, tenant)
        results = race([lambda: self.pay(db, tenant, invoice_id, 3000) for _ in range(10)])
        invoice, refused = self.check(db, invoice_id, results)
        assert invoice["amount_paid"] == 9000
        assert invoice["amount_due"] == 1000
        assert invoice["status"] == "open"
        assert len(refused) == 7
        assert all(isinstance(r, RuleViolation) and r.code == "amount_exceeds_due"
                   for r in refused)

    def test_exact_parts_pay_in_full_once(self, db: Database, tenant: Tenant) -> None:
        invoice_id = self.open_invoice(db, tenant)
        results = race([lambda: self.pay(db, tenant, invoice_id, 1000) for _ in range(16)])
        invoice, refused = self.check(db, invoice_id, results)
        assert invoice["amount_paid"] == 10000
        assert invoice["status"] == "paid"
        assert len(refused) == 6
        assert all(isinstance(r, InvalidState) and r.code == "invoice_not_payable"
                   for r in refused)
        with db.transaction(write=False) as session:
            paid_events = session.scalar(select(func.count()).select_from(Event).where(
                Event.object_id == invoice_id, Event.type == "invoice.paid"))
        assert paid_events == 1

    def test_mixed_amounts_never_overpay(self, db: Database, tenant: Tenant) -> None:
        invoice_id = self.open_invoice(db, tenant)
        amounts = [4000, 3500, 3000, 2500, 2000, 1500, 1000, 700, 300, 100]
        results = race([partial(self.pay, db, tenant, invoice_id, a) for a in amounts])
        invoice, refused = self.check(db, invoice_id, results)
        assert invoice["amount_paid"] > 0
        for r in refused:
            assert (isinstance(r, RuleViolation) and r.code == "amount_exceeds_due") or (
                isinstance(r, InvalidState) and r.code == "invoice_not_payable"
                and invoice["status"] == "paid")


# --- idempotency over HTTP, on a real server ---------------------------------------------


@pytest.fixture(scope="module")
def base_url(app: Any) -> Iterator[str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        assert thread.is_alive(), "the server failed to start"
        time.sleep(0.01)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join()
    sock.close()


def post_all(base_url: str, tenant: Tenant, path: str, bodies: list[dict[str, Any]],
             key: str) -> list[httpx.Response]:
    """POSTs every body at once, one thread and one connection each, with the same key."""
    headers = {**tenant.headers(), "Idempotency-Key": key}

    def send(body: dict[str, Any]) -> httpx.Response:
        with httpx.Client(base_url=base_url, timeout=None) as http:
            return http.post(path, json=body, headers=headers)

    return all_ok(race([partial(send, b) for b in bodies]))


def events_of(tenant: Tenant, object_id: str) -> list[str]:
    return [e["type"] for e in tenant.ok("GET", f"/v1/events?object_id={object_id}")["data"]]


class TestIdempotencyUnderConcurrency:
    def test_same_customer_request_runs_once(self, base_url: str, tenant: Tenant) -> None:
        body = {"name": "Grace Hopper", "email": "grace@example.com"}
        responses = post_all(base_url, tenant, "/v1/customers", [body] * 4, "cus-once")
        assert [r.status_code for r in responses] == [200] * 4, [r.text for r in responses]
        assert len({r.content for r in responses}) == 1
        replayed = sorted(r.headers.get("Idempotent-Replayed", "") for r in responses)
        assert replayed == ["", "true", "true", "true"]
        created = responses[0].json()
        assert [c["id"] for c in tenant.ok("GET", "/v1/customers")["data"]] == [created["id"]]
        assert events_of(tenant, created["id"]) == ["customer.created"]

    def test_same_invoice_request_runs_once(self, base_url: str, tenant: Tenant) -> None:
        customer = tenant.ok("POST", "/v1/customers", {"name": "Ada"})
        body = {"customer": customer["id"], "currency": "eur",
                "lines": [{"description": "Work", "quantity": "3", "unit_amount": 1200}]}
        responses = post_all(base_url, tenant, "/v1/invoices", [body] * 4, "inv-once")
        assert [r.status_code for r in responses] == [200] * 4, [r.text for r in responses]
        assert len({r.content for r in responses}) == 1
        assert sum(r.headers.get("Idempotent-Replayed") == "true" for r in responses) == 3
        created = responses[0].json()
        assert created["total"] == 3600
        assert [i["id"] for i in tenant.ok("GET", "/v1/invoices")["data"]] == [created["id"]]
        assert events_of(tenant, created["id"]) == ["invoice.created"]

    def test_racing_different_bodies_with_one_key(self, base_url: str, tenant: Tenant) -> None:
        bodies = [{"name": f"Customer {i}"} for i in range(4)]
        responses = post_all(base_url, tenant, "/v1/customers", bodies, "cus-clash")
        ok = [r for r in responses if r.status_code == 200]
        assert len(ok) == 1, [r.text for r in responses]
        for r in responses:
            if r.status_code != 200:
                assert r.status_code == 400
                assert r.json()["error"]["code"] == "idempotency_key_reused"
        listed = tenant.ok("GET", "/v1/customers")["data"]
        assert [c["id"] for c in listed] == [ok[0].json()["id"]]

    def test_same_key_different_body_is_refused(self, base_url: str, tenant: Tenant) -> None:
        headers = {**tenant.headers(), "Idempotency-Key": "cus-reuse"}
        with httpx.Client(base_url=base_url, timeout=None) as http:
            first = http.post("/v1/customers", json={"name": "One"}, headers=headers)
            second = http.post("/v1/customers", json={"name": "Two"}, headers=headers)
        assert first.status_code == 200
        assert second.status_code == 400
        error = second.json()["error"]
        assert error["code"] == "idempotency_key_reused"
        assert error["param"] == "Idempotency-Key"
        assert len(tenant.ok("GET", "/v1/customers")["data"]) == 1

    def test_sequential_replay_is_identical(self, base_url: str, tenant: Tenant) -> None:
        headers = {**tenant.headers(), "Idempotency-Key": "cus-replay"}
        body = {"name": "Replay", "email": "replay@example.com"}
        with httpx.Client(base_url=base_url, timeout=None) as http:
            first = http.post("/v1/customers", json=body, headers=headers)
            again = http.post("/v1/customers", json=body, headers=headers)
        assert first.status_code == again.status_code == 200
        assert "Idempotent-Replayed" not in first.headers
        assert again.headers["Idempotent-Replayed"] == "true"
        assert again.content == first.content
        created = first.json()
        assert events_of(tenant, created["id"]) == ["customer.created"]
        assert len(tenant.ok("GET", "/v1/customers")["data"]) == 1

    def test_racing_payments_over_http(self, base_url: str, tenant: Tenant) -> None:
        customer = tenant.ok("POST", "/v1/customers", {"name": "Ada"})
        draft = tenant.ok("POST", "/v1/invoices", {
            "customer": customer["id"], "lines": [{"quantity": "2", "unit_amount": 5000}]})
        inv = tenant.ok("POST", f"/v1/invoices/{draft['id']}/finalize")
        headers = tenant.headers()

        def pay(i: int) -> httpx.Response:
            with httpx.Client(base_url=base_url, timeout=None) as http:
                return http.post("/v1/payments", json={"invoice": inv["id"], "amount": 3000},
                                 headers={**headers, "Idempotency-Key": f"pay-{i}"})

        results = all_ok(race([partial(pay, i) for i in range(6)]))
        codes = sorted(r.status_code for r in results)
        assert codes == [200] * 3 + [422] * 3, [r.text for r in results]
        for r in results:
            if r.status_code == 422:
                assert r.json()["error"]["code"] == "amount_exceeds_due"
        after = tenant.ok("GET", f"/v1/invoices/{inv['id']}")
        assert after["amount_paid"] == 9000
        assert after["amount_due"] == 1000
        assert after["status"] == "open"
