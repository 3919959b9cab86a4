"""Billing run benchmark: N subscriptions with usage -> invoices generated and finalized
per second, on PostgreSQL and SQLite.

    .venv/bin/python bench/billing_bench.py [--db sqlite|postgres|both] [-n N]
        [--events K] [--pg-url URL] [--no-set-based] [--workers W] [--profile]

For each database: a fresh schema (built by the migrations), one account, a `sum` meter,
a monthly in-arrears plan (base price, a metered feature with included units and
graduated overage, a per-seat feature), N customers each with one subscription that
started a month ago and K usage events in that month. The setup rows are bulk-inserted
and, on PostgreSQL, the tables ANALYZEd (not timed). Then `run_billing(database, at)`
is timed: by default (as the product) it bills chunks of 500 on the set-based path
(ADR 15), on PostgreSQL with two chunk workers; `--no-set-based` bills every
subscription in its own transaction (usage aggregated, lines, totals, number, finalize,
credit, collection hook, events, next period). Target (issue 4): >= 1,000 invoices/s on
PostgreSQL (100,000 in under 2 minutes). --pg-url's public schema is DROPPED and rebuilt.
Besides the rate it prints the CPU time per invoice of this process (all its threads,
`time.process_time`) and, on PostgreSQL, of the run's server backends (from /proc, so
only when the server runs on this machine), and the load average at the start.
A benchmark, not a test: it always exits 0.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, text

sys.path.insert(0, str(Path(__file__).parent))
import api_bench  # the shared database helpers

from folio.db import migrate
from folio.db.engine import Database
from folio.db.models import Account, Customer, Invoice, Subscription, UsageEvent
from folio.domain.billing.periods import BillingCycle, Interval
from folio.jobs.billing_run import SET_BASED_DEFAULT, default_workers, run_billing
from folio.services import meters, plans
from folio.services.accounts import create_account
from folio.services.context import Ctx
from folio.services.meters import MeterCreate
from folio.services.plans import PlanCreate

TARGET = 1_000
START = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp())
CHUNK = 5_000


def setup(db: Database, n: int, events: int) -> tuple[int, int]:
    """Returns (account id, the instant the first period ends)."""
    with db.transaction() as session:
        account = create_account(session, "bench-secret", name="Bench").account
        account_id = account.id
    with db.transaction() as session:
        ctx = Ctx(session, account=session.get(Account, account_id), livemode=False,
                  clock=lambda: START)
        meters.create_meter(ctx, MeterCreate(code="api_calls", name="API calls"))
        plan = plans.create_plan(ctx, PlanCreate.model_validate({
            "name": "Bench", "currency": "eur", "base_amount": 4900,
            "billing_timing": "in_arrears",
            "features": [
                {"code": "api_calls", "name": "API calls", "kind": "metered",
                 "included": "1000", "charge": {"model": "graduated", "tiers": [
                     {"up_to": "10000", "unit_amount_decimal": "0.2"},
                     {"up_to": None, "unit_amount_decimal": "0.1"}]}},
                {"code": "seats", "name": "Seats", "kind": "seats", "included": "1",
                 "charge": {"model": "per_unit", "unit_amount_decimal": "900"}}]}))
        plan_id = plan.id
    cycle = BillingCycle(Interval.MONTHLY, START)
    end = cycle.boundary(1)
    for lo in range(0, n, CHUNK):
        hi = min(n, lo + CHUNK)
        with db.transaction() as session:
            base = {"account_id": account_id, "livemode": False, "metadata": {},
                    "created": START}
            session.execute(insert(Customer.__table__), [
                {**base, "uuid": str(uuid.uuid4()), "public_id": f"cus_bench{i:010d}",
                 "name": f"Customer {i}", "tax_exempt": "none",
                 "invoice_prefix": f"B{i:09d}"} for i in range(lo, hi)])
            ids = dict(session.execute(select(Customer.public_id, Customer.id).where(
                Customer.account_id == account_id,
                Customer.public_id.in_([f"cus_bench{i:010d}" for i in range(lo, hi)]))).all())
            session.execute(insert(Subscription.__table__), [
                {**base, "uuid": str(uuid.uuid4()), "public_id": f"sub_bench{i:010d}",
                 "customer_id": ids[f"cus_bench{i:010d}"], "plan_id": plan_id,
                 "status": "active", "start_date": START, "billing_anchor": START,
                 "timezone": "UTC", "collection_method": "charge_automatically",
                 "seats": 1 + i % 3, "default_tax_rates": [], "discounts": [],
                 "apply_credit_balance": True, "next_boundary": 1, "next_billing_at": end,
                 "current_period_start": START, "current_period_end": end,
                 "cancel_at_period_end": False, "pending_prorations": [], "updated": START}
                for i in range(lo, hi)])
            session.execute(insert(UsageEvent.__table__), [
                {"account_id": account_id, "livemode": False,
                 "customer_id": ids[f"cus_bench{i:010d}"], "feature_code": "api_calls",
                 "event_id": f"e{i}-{j}", "timestamp": START + 3600 * (j + 1),
                 "value": str(100 * (1 + (i + j) % 50)), "properties": None,
                 "created": START}
                for i in range(lo, hi) for j in range(events)])
    return account_id, end


def backend_cpu(db: Database) -> dict[int, float]:
    """CPU seconds so far of each server backend of this database (PostgreSQL on this
    machine; empty otherwise)."""
    if db.dialect != "postgresql":
        return {}
    with db.transaction(write=False) as session:
        pids = session.scalars(text("SELECT pid FROM pg_stat_activity "
                                    "WHERE datname = current_database()")).all()
    out = {}
    tick = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[pid] = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
    return out


def run_database(kind: str, opts: argparse.Namespace) -> dict[str, Any]:
    if kind == "postgres":
        url = opts.pg_url
        api_bench.reset_postgres(url)
    else:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='folio-billing-bench-')}/bench.db"
    migrate.upgrade(url)
    db = Database(url)
    started = time.perf_counter()
    account_id, end = setup(db, opts.n, opts.events)
    if kind == "postgres" and not opts.no_analyze:
        # the server here runs without autovacuum: without statistics the planner
        # bitmap-scans the whole tables for a chunk's 500 ids (~0.2 s per chunk at
        # 100,000); a production database has them
        with db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
    setup_seconds = time.perf_counter() - started
    profiler = cProfile.Profile() if opts.profile else None
    workers = opts.workers or default_workers(db)
    server_before = backend_cpu(db)
    load = os.getloadavg()[0]
    cpu_started = time.process_time()
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    summary = run_billing(db, end, commit_every=opts.commit_every,
                          set_based=opts.set_based, workers=workers)
    if profiler:
        profiler.disable()
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    server = sum(v - server_before.get(pid, 0.0) for pid, v in backend_cpu(db).items())
    with db.transaction(write=False) as session:
        finalized = session.scalar(select(Invoice.id).where(
            Invoice.account_id == account_id, Invoice.status == "draft").limit(1))
    db.dispose()
    if profiler:
        out = io.StringIO()
        order = os.environ.get("BENCH_SORT", "cumulative")  # e.g. tottime
        rows = int(os.environ.get("BENCH_ROWS", 40))
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(rows)
        print(out.getvalue())
    return {"db": kind, "n": opts.n, "commit_every": opts.commit_every,
            "path": "set-based" if opts.set_based else "per-subscription",
            "fast_lane": summary.fast_lane,
            "events": opts.n * opts.events,
            "setup_s": setup_seconds, "seconds": seconds, "invoices": summary.invoices,
            "workers": workers, "load": load,
            "cpu_ms": 1000 * cpu / max(1, summary.invoices),
            "server_ms": 1000 * server / max(1, summary.invoices),
            "failures": len(summary.failures), "rate": summary.invoices / seconds,
            "drafts_left": finalized is not None,
            "first_failure": summary.failures[0].reason if summary.failures else None}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("-n", type=int, default=int(os.environ.get("BILLING_BENCH_N", 5000)),
                        help="subscriptions (default 5,000; BILLING_BENCH_N)")
    parser.add_argument("--events", type=int, default=3, help="usage events per subscription")
    parser.add_argument("--pg-url", default=api_bench.PG_URL)
    parser.add_argument("--commit-every", type=int, default=1,
                        help="subscriptions per transaction (1: each in its own)")
    parser.add_argument("--set-based", action=argparse.BooleanOptionalAction,
                        default=SET_BASED_DEFAULT,
                        help="bill chunks of 500 on the set-based path (ADR 15; the "
                             "product default); --no-set-based: one subscription per "
                             "transaction")
    parser.add_argument("--workers", type=int, default=0,
                        help="chunk workers of the set-based run (0: the product's "
                             "default for the database)")
    parser.add_argument("--no-analyze", action="store_true",
                        help="PostgreSQL: leave the loaded tables without statistics")
    parser.add_argument("--profile", action="store_true")
    opts = parser.parse_args(argv)
    kinds = ["postgres", "sqlite"] if opts.db == "both" else [opts.db]
    print(f"load: {os.getloadavg()[0]:.2f} (2-core machine, shared)")
    for kind in kinds:
        r = run_database(kind, opts)
        verdict = "meets" if r["rate"] >= TARGET else "below"
        print(f"{r['db']:8} {r['path']} (fast lane {r['fast_lane']:,}), "
              f"commit every {r['commit_every']:>3}: {r['invoices']:>7,} invoices "
              f"from {r['n']:,} subscriptions "
              f"({r['events']:,} events) in {r['seconds']:.1f} s = {r['rate']:,.0f} "
              f"invoices/s ({verdict} the {TARGET:,}/s target on PostgreSQL); "
              f"failures {r['failures']}{' ' + str(r['first_failure']) if r['failures'] else ''}"
              f"; setup {r['setup_s']:.1f} s; drafts left: {r['drafts_left']}")
        server = f", server {r['server_ms']:.2f} ms" if kind == "postgres" else ""
        print(f"         workers {r['workers']}, load at start {r['load']:.2f}; CPU per "
              f"invoice: this process {r['cpu_ms']:.2f} ms{server}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
