"""Usage ingestion benchmark: events/s over HTTP against the raw-driver floor, same run.

    .venv/bin/python bench/usage_bench.py [--db sqlite|postgres|both] [--seconds N]
        [--threads N] [--workers N] [--batch N] [--pg-url URL]

For each database it starts the real server (`folio serve --workers N`, default 1) on
a fresh database, creates an account, 100 customers and a `sum` meter over HTTP, then:

1. Folio: --threads keep-alive httpx clients POST /v1/usage_events batches of --batch
   (default 1,000) new events (distinct event ids, random customers, integer values, a
   few properties), each answered with accepted = batch size.
2. Floors: the same number of threads insert the same kind of rows (new event ids) into
   the same table with the raw driver (sqlite3 / psycopg), one transaction per batch, no
   HTTP, no validation, no lookups: INSERT ... ON CONFLICT (account_id, livemode,
   event_id) DO NOTHING in two ways, a plain multi-row VALUES list (one parameter per
   value) and the batch as one JSON document unpacked by the database (json_each /
   json_to_recordset: the statement Folio uses on SQLite, and on PostgreSQL when a batch
   holds a duplicate); and on PostgreSQL a plain `COPY ... FROM STDIN` (what Folio writes
   a batch with there, duplicates being caught by the primary key). The target ratio is
   taken against the faster INSERT ... ON CONFLICT floor (the driver's fastest plain
   insert with deduplication, as issue 4 defines the floor); the ratio to the COPY floor
   (no deduplication at all) is printed beside it.
3. Replay: the Folio batches sent again (all duplicates), for the record.

Request bodies are built before the clock starts. Targets (issue 4): >= 100,000 events/s
on PostgreSQL, and >= 0.5 of the floor. Best of --rounds interleaved rounds. A benchmark,
not a test: it always exits 0. --pg-url's public schema is DROPPED and rebuilt.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).parent))
import api_bench  # the shared server and database helpers

TARGET_RATE = 100_000
TARGET_RATIO = 0.5
COLUMNS = ("account_id", "livemode", "customer_id", "feature_code", "event_id", "timestamp",
           "value", "properties", "created")


class Server(api_bench.Server):
    """`folio serve --workers N`."""

    def __init__(self, database_url: str, workdir: Path, workers: int) -> None:
        super().__init__(database_url, workdir)
        self.workers = workers

    def start(self) -> None:
        log = self.log_path.open("wb")
        self.proc = subprocess.Popen([api_bench.FOLIO, "serve", "--workers", str(self.workers)],
                                     env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited:\n{self.log_path.read_text()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.base + "/healthz", timeout=2).status_code == 200:
                    return
            time.sleep(0.1)
        raise RuntimeError("server did not become healthy within 60s")

    def cpu_all(self) -> float | None:
        """CPU seconds of the server and its worker processes."""
        if self.proc is None:
            return None
        pids = [self.proc.pid]
        with contextlib.suppress(OSError):
            children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
            pids += [int(p) for p in children.read_text().split()]
        total = 0.0
        for pid in pids:
            cpu = api_bench.process_cpu_seconds(pid)
            if cpu is None:
                return None
            total += cpu
        return total


@dataclass
class Rate:
    events: int
    seconds: float
    errors: int = 0
    cpu_ms_per_1000: float | None = None

    @property
    def per_second(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


class Batches:
    """Unique event ids across the whole run; bodies (or rows) built ahead of time."""

    def __init__(self, customers: list[str], size: int) -> None:
        self.customers, self.size = customers, size
        self.counter = itertools.count()
        self.lock = threading.Lock()
        self.rng = random.Random(7)

    def _ids(self, prefix: str) -> list[str]:
        with self.lock:
            start = next(self.counter)
            for _ in range(self.size - 1):
                next(self.counter)
        return [f"{prefix}-{start + i:012d}" for i in range(self.size)]

    def body(self) -> bytes:
        now = int(time.time())
        events = [{"event_id": eid, "customer": self.rng.choice(self.customers),
                   "feature": "api_calls", "value": self.rng.randint(1, 50), "timestamp": now,
                   "properties": {"region": "eu", "model": "m1"}}
                  for eid in self._ids("evt")]
        return json.dumps({"events": events}).encode()

    def rows(self, account_id: int, customer_ids: list[int]) -> list[tuple[Any, ...]]:
        now = int(time.time())
        props = json.dumps({"region": "eu", "model": "m1"})
        return [(account_id, False, self.rng.choice(customer_ids), "api_calls", eid, now,
                 str(self.rng.randint(1, 50)), props, now) for eid in self._ids("raw")]

    def json_rows(self, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        """The same rows with properties as an object (for the JSON-document floor)."""
        return [(*row[:7], json.loads(row[7]), row[8]) for row in rows]


def run_threads(threads: int, work: list[list[Any]], op: Callable[[Any, Any], int],
                make_conn: Callable[[contextlib.ExitStack], Any]) -> Rate:
    """Each thread sends its own pre-built items; returns events recorded per second."""
    counts = [0] * threads
    errors = [0] * threads
    gate = threading.Barrier(threads + 1)

    def run(i: int, conn: Any) -> None:
        gate.wait()
        for item in work[i]:
            try:
                counts[i] += op(conn, item)
            except Exception as exc:
                errors[i] += 1
                if errors[i] == 1:
                    print(f"    ! {type(exc).__name__}: {str(exc)[:300]}", file=sys.stderr)

    with contextlib.ExitStack() as stack:
        workers = [threading.Thread(target=run, args=(i, make_conn(stack)), daemon=True)
                   for i in range(threads)]
        for w in workers:
            w.start()
        begin = time.perf_counter()
        gate.wait()
        for w in workers:
            w.join()
        elapsed = time.perf_counter() - begin
    return Rate(events=sum(counts), seconds=elapsed, errors=sum(errors))


def http_ingest(server: Server, key: str, bodies: list[list[bytes]], expect: str) -> Rate:
    def make_conn(stack: contextlib.ExitStack) -> httpx.Client:
        return stack.enter_context(httpx.Client(
            base_url=server.base, timeout=60,
            headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"}))

    def op(client: httpx.Client, body: bytes) -> int:
        response = client.post("/v1/usage_events", content=body)
        if response.status_code != 200:
            raise RuntimeError(f"{response.status_code} {response.text[:300]}")
        data = response.json()
        return int(data["received"] if expect == "duplicates" else data["accepted"])

    before = server.cpu_all()
    rate = run_threads(len(bodies), bodies, op, make_conn)
    after = server.cpu_all()
    if before is not None and after is not None and rate.events:
        rate.cpu_ms_per_1000 = (after - before) * 1000 / rate.events * 1000
    return rate


def floor_sql(kind: str, method: str, rows: int) -> str:
    """The floor's statement: `values` a plain multi-row VALUES list (one parameter per
    value), `json` the batch as one JSON parameter unpacked by the database (the statement
    Folio's db/bulk.py builds, written here in plain SQL)."""
    if method == "values":
        mark = "?" if kind == "sqlite" else "%s"
        one = "(" + ", ".join([mark] * len(COLUMNS)) + ")"
        return (f"INSERT INTO usage_events ({', '.join(COLUMNS)}) VALUES "
                + ", ".join([one] * rows)
                + " ON CONFLICT (account_id, livemode, event_id) DO NOTHING")
    names = ", ".join(COLUMNS)
    if kind == "sqlite":
        picks = ", ".join(f"json_extract(value, '$[{i}]')" for i in range(len(COLUMNS)))
        return (f"INSERT INTO usage_events ({names}) SELECT {picks} FROM json_each(?) "
                "WHERE 1 ON CONFLICT (account_id, livemode, event_id) DO NOTHING")
    return (f"INSERT INTO usage_events ({names}) SELECT {names} FROM json_to_recordset(%s) "
            "AS r(account_id bigint, livemode boolean, customer_id bigint, feature_code "
            "text, event_id text, timestamp bigint, value text, properties json, created "
            "bigint) ON CONFLICT (account_id, livemode, event_id) DO NOTHING")


def copy_batch(conn: Any, batch: list[tuple[Any, ...]]) -> int:
    """The PostgreSQL COPY floor: the batch's rows as they are (properties as JSON text)."""
    with conn.cursor() as cursor, cursor.copy(
            f"COPY usage_events ({', '.join(COLUMNS)}) FROM STDIN") as copy:
        for row in batch:
            copy.write_row(row)
    conn.commit()
    return len(batch)


def floor_ingest(kind: str, location: str, method: str,
                 rows: list[list[list[tuple[Any, ...]]]]) -> Rate:
    def make_conn(stack: contextlib.ExitStack) -> Any:
        if kind == "sqlite":
            conn = sqlite3.connect(location, isolation_level=None, check_same_thread=False,
                                   timeout=30)
            for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON",
                           "busy_timeout=30000"):  # as folio.db.engine configures SQLite
                conn.execute(f"PRAGMA {pragma}")
        else:
            import psycopg

            conn = psycopg.connect(api_bench.pg_conninfo(location))
        stack.callback(conn.close)
        return conn

    def op(conn: Any, batch: list[tuple[Any, ...]]) -> int:
        if method == "copy":
            return copy_batch(conn, batch)
        sql = floor_sql(kind, method, len(batch))
        if method == "values":
            params: Any = [value for row in batch for value in row]
        elif kind == "sqlite":
            params = [json.dumps([list(row) for row in batch])]
        else:
            params = [json.dumps([dict(zip(COLUMNS, row, strict=True)) for row in batch])]
        if kind == "sqlite":
            conn.execute("BEGIN IMMEDIATE")
        cursor = conn.execute(sql, params)
        inserted = cursor.rowcount
        conn.commit()
        return int(inserted)

    before = time.process_time()
    rate = run_threads(len(rows), rows, op, make_conn)
    if rate.events:
        rate.cpu_ms_per_1000 = (time.process_time() - before) * 1000 / rate.events * 1000
    return rate


def setup(server: Server, key: str) -> list[str]:
    with httpx.Client(base_url=server.base, timeout=30,
                      headers={"Authorization": f"Bearer {key}"}) as client:
        def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
            response = client.post(path, json=body)
            if response.status_code != 200:
                raise RuntimeError(f"POST {path}: {response.status_code} {response.text}")
            return response.json()  # type: ignore[no-any-return]

        post("/v1/meters", {"code": "api_calls", "name": "API calls", "aggregation": "sum"})
        return [post("/v1/customers", {"name": f"Customer {i}"})["id"] for i in range(100)]


def ids_for_floor(kind: str, location: str, public_ids: list[str]) -> tuple[int, list[int]]:
    if kind == "sqlite":
        conn: Any = sqlite3.connect(location)
        mark = "?"
    else:
        import psycopg

        conn = psycopg.connect(api_bench.pg_conninfo(location))
        mark = "%s"
    rows = [conn.execute(f"SELECT account_id, id FROM customers WHERE public_id = {mark}",
                         (public_id,)).fetchone() for public_id in public_ids]
    conn.close()
    return rows[0][0], [r[1] for r in rows]


@dataclass
class Figures:
    db: str
    folio: Rate
    floor: Rate  # plain multi-row VALUES
    floor_json: Rate  # the batch as one JSON document, as Folio sends it on SQLite
    floor_copy: Rate | None  # PostgreSQL COPY, as Folio writes a batch there
    replay: Rate
    stored: int


def count_rows(kind: str, location: str) -> int:
    if kind == "sqlite":
        conn: Any = sqlite3.connect(location)
    else:
        import psycopg

        conn = psycopg.connect(api_bench.pg_conninfo(location))
    n = conn.execute("SELECT count(*) FROM usage_events").fetchone()[0]
    conn.close()
    return int(n)


def run_database(kind: str, opts: argparse.Namespace) -> Figures:
    workdir = Path(tempfile.mkdtemp(prefix=f"folio-usage-bench-{kind}-"))
    try:
        if kind == "sqlite":
            location = str(workdir / "bench.db")
            url = f"sqlite:///{location}"
        else:
            url = location = opts.pg_url
            api_bench.reset_postgres(url)
        server = Server(url, workdir, opts.workers)
        server.cli("migrate")
        key = server.create_key()
        server.start()
        try:
            return measure(kind, location, server, key, opts)
        finally:
            server.stop()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def measure(kind: str, location: str, server: Server, key: str,
            opts: argparse.Namespace) -> Figures:
    customers = setup(server, key)
    account_id, customer_ids = ids_for_floor(kind, location, customers)
    batches = Batches(customers, opts.batch)
    threads, per_thread = opts.threads, opts.batches_per_thread
    print(f"  [{kind}] {threads} thread(s) x {per_thread} batches of {opts.batch}; "
          f"server pid {server.proc.pid if server.proc else '?'}, {opts.workers} worker(s)",
          flush=True)
    # warm-up: imports, pools, caches, prepared statements
    http_ingest(server, key, [[batches.body() for _ in range(3)] for _ in range(threads)],
                "accepted")
    floor_ingest(kind, location, "values", [[batches.rows(account_id, customer_ids)
                                             for _ in range(3)] for _ in range(threads)])
    folios: list[Rate] = []
    floors: dict[str, list[Rate]] = {"values": [], "json": [],
                                     **({"copy": []} if kind == "postgres" else {})}
    sent = []
    for _ in range(opts.rounds):
        bodies = [[batches.body() for _ in range(per_thread)] for _ in range(threads)]
        sent.append(bodies)
        folios.append(http_ingest(server, key, bodies, "accepted"))
        for method, runs in floors.items():
            rows = [[batches.rows(account_id, customer_ids) for _ in range(per_thread)]
                    for _ in range(threads)]
            if method == "json":
                rows = [[batches.json_rows(b) for b in per] for per in rows]
            runs.append(floor_ingest(kind, location, method, rows))
        copied = (f", COPY {floors['copy'][-1].per_second:9.0f}" if "copy" in floors else "")
        print(f"    folio {folios[-1].per_second:9.0f} events/s   floor: VALUES "
              f"{floors['values'][-1].per_second:9.0f}, JSON document "
              f"{floors['json'][-1].per_second:9.0f}{copied} events/s", flush=True)
    replay = http_ingest(server, key, sent[0], "duplicates")

    def top(runs: list[Rate]) -> Rate:
        return max(runs, key=lambda r: r.per_second)

    return Figures(db=kind, folio=top(folios), floor=top(floors["values"]),
                   floor_json=top(floors["json"]),
                   floor_copy=top(floors["copy"]) if "copy" in floors else None, replay=replay,
                   stored=count_rows(kind, location))


def cpu(rate: Rate) -> str:
    return "n/a" if rate.cpu_ms_per_1000 is None else f"{rate.cpu_ms_per_1000:.1f} ms"


def report(figures: list[Figures], opts: argparse.Namespace, load: str) -> None:
    rule = "=" * 100
    print()
    print(rule)
    print(f"Folio usage ingestion on {os.cpu_count()} CPU core(s), {load}. Server: "
          f"{opts.workers} uvicorn worker(s);\nclients, floor and PostgreSQL share the same "
          f"cores. {opts.threads} thread(s) each side, batches of {opts.batch}, one "
          f"transaction per batch;\nbest of {opts.rounds} interleaved rounds of "
          f"{opts.threads * opts.batches_per_thread * opts.batch:,} events. 'CPU' = server "
          "CPU (or the floor's own process) per 1,000 events.")
    print("-" * 100)
    for f in figures:
        copied = f.floor_copy.per_second if f.floor_copy else 0.0
        best_floor = max(f.floor.per_second, f.floor_json.per_second)
        ratio = f.folio.per_second / best_floor if best_floor else 0.0
        rate_ok = "" if f.db != "postgres" else (
            f" | target {TARGET_RATE:,}/s "
            f"{'PASS' if f.folio.per_second >= TARGET_RATE else 'MISS'}")
        copy_text = f", COPY {copied:7.0f}" if f.floor_copy else ""
        print(f"{f.db:<8} HTTP {f.folio.per_second:7.0f} events/s | floors: VALUES "
              f"{f.floor.per_second:7.0f}, JSON {f.floor_json.per_second:7.0f}{copy_text} | "
              f"ratio to the faster INSERT floor {ratio:.2f} (target >= {TARGET_RATIO}) "
              f"{'PASS' if ratio >= TARGET_RATIO else 'MISS'}{rate_ok}")
        if f.floor_copy:
            print(f"{'':<9}ratio to the COPY floor (no deduplication): "
                  f"{f.folio.per_second / copied:.2f}")
        copy_cpu = f" / {cpu(f.floor_copy)}" if f.floor_copy else ""
        print(f"{'':<9}CPU/1000 events: server {cpu(f.folio)}, floors {cpu(f.floor)} / "
              f"{cpu(f.floor_json)}{copy_cpu}; replay (all duplicates) "
              f"{f.replay.per_second:.0f} "
              f"events/s; rows {f.stored:,}; errors "
              f"{f.folio.errors + f.floor.errors + f.floor_json.errors + f.replay.errors}")
    print(rule)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--batches-per-thread", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--pg-url", default=api_bench.PG_URL,
                        help="PostgreSQL database whose public schema is DROPPED and rebuilt")
    opts = parser.parse_args(argv)
    load = "load average at start {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
    started = time.perf_counter()
    figures: list[Figures] = []
    for kind in (["sqlite", "postgres"] if opts.db == "both" else [opts.db]):
        print(f"== {kind}", flush=True)
        try:
            figures.append(run_database(kind, opts))
        except Exception as exc:
            print(f"  {kind}: skipped: {type(exc).__name__}: {exc}", flush=True)
    if figures:
        report(figures, opts, load)
    print(f"total {time.perf_counter() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
