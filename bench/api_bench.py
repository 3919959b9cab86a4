"""Folio HTTP benchmark: ratios against floors measured in the same run, on this machine.

    .venv/bin/python bench/api_bench.py [--db sqlite|postgres|both] [--seconds N]

For each database it starts the real server (`folio serve`, one uvicorn worker) as a
subprocess on a fresh database, creates an account with `folio accounts create`, seeds a
customer, a tax rate and a finalized 10-line invoice over HTTP, then measures:

1. GET /v1/invoices/{id} (10 lines) against GET /ping of the same server, with the same
   load generator (wrk when installed, else threads of keep-alive httpx clients).
   Target: invoice_rps / ping_rps >= 0.40.
2. create + finalize of a 3-line invoice with a default tax rate (two POSTs), invoices/s
   over HTTP, against the raw-SQL floor: the same rows written with plain sqlite3 /
   psycopg, no ORM and no HTTP, by the same number of threads, in two transactions per
   invoice (1: invoice + 3 lines + event; 2: number_series UPDATE ... RETURNING, invoice
   UPDATE, event). Target: folio_rate / floor_rate >= 0.50. The SQLite floor keeps its
   own log bounded with SQLite's default automatic checkpoint, as the server does with
   its checkpoint thread; the floor of sessions 1 to 6, whose log grew without bound, is
   printed beside it for reference (`sqlite_floor`).

Each figure is the best of --rounds interleaved runs. Server CPU per request is read from
/proc. This is a benchmark, not a test: it always exits 0.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import json
import os
import re
import resource
import shutil
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

BIN = Path(sys.executable).parent
FOLIO = str(BIN / "folio")
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/folio_bench"
SECRET = "folio-bench-secret"
READ_TARGET = 0.40
WRITE_TARGET = 0.50
CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


# --------------------------------------------------------------------------- utilities


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def process_cpu_seconds(pid: int) -> float | None:
    """utime + stime of a process (Linux /proc), None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


@dataclass
class Result:
    rate: float
    count: int
    seconds: float
    server_cpu_ms: float | None = None  # server CPU per operation
    client_cpu_ms: float | None = None  # the load generator's CPU per operation (writes)
    errors: int = 0


def best(results: list[Result]) -> Result:
    return max(results, key=lambda r: r.rate)


# --------------------------------------------------------------------------- databases


def pg_conninfo(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def reset_postgres(url: str) -> None:
    import psycopg

    info = pg_conninfo(url)
    try:
        conn = psycopg.connect(info, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        if "does not exist" not in str(exc):
            raise
        dbname = info.rsplit("/", 1)[1]
        with psycopg.connect(info.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{dbname}"')
        conn = psycopg.connect(info, autocommit=True, connect_timeout=5)
    with conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


# --------------------------------------------------------------------------- server


class Server:
    """`folio serve` in a subprocess, with its own environment and port."""

    def __init__(self, database_url: str, workdir: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "FOLIO_DATABASE_URL": database_url, "FOLIO_SECRET": SECRET,
                    "FOLIO_PORT": str(self.port), "FOLIO_HOST": "127.0.0.1",
                    "FOLIO_ACCESS_LOG": "0", "FOLIO_LOG_LEVEL": "warning", "COLUMNS": "200"}
        self.log_path = workdir / "server.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def cli(self, *args: str) -> str:
        done = subprocess.run([FOLIO, *args], env=self.env, capture_output=True, text=True,
                              timeout=120, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"folio {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
        return done.stdout

    def create_key(self) -> str:
        out = self.cli("accounts", "create", "--name", "Bench")
        match = re.search(r"sk_test_[0-9A-Za-z]+", out)
        if not match:
            raise RuntimeError(f"no sk_test_ key in the output of accounts create:\n{out}")
        return match.group(0)

    def start(self) -> None:
        log = self.log_path.open("wb")
        self.proc = subprocess.Popen([FOLIO, "serve"], env=self.env, stdout=log,
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited:\n{self.log_path.read_text()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.base + "/healthz", timeout=2).status_code == 200:
                    return
            time.sleep(0.1)
        raise RuntimeError("server did not become healthy within 60s")

    def cpu(self) -> float | None:
        return process_cpu_seconds(self.proc.pid) if self.proc else None

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)


# --------------------------------------------------------------------------- load: reads


def wrk_get(url: str, headers: dict[str, str], seconds: float, connections: int) -> Result:
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s"]
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True,
                         timeout=seconds + 30).stdout
    rps = float(re.search(r"Requests/sec:\s*([\d.]+)", out).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", out)
    errors = int(bad.group(1)) if bad else 0
    socket_errors = re.search(r"Socket errors:.*", out)
    if socket_errors:
        errors += sum(int(x) for x in re.findall(r"\d+", socket_errors.group(0)))
    return Result(rate=rps, count=total, seconds=seconds, errors=errors)


Make = Callable[[contextlib.ExitStack], Callable[[], int]]


def threads_loop(n: int, seconds: float, make: Make) -> Result:
    """n threads, each repeating its operation until the deadline; counts operations.
    make(stack) builds one thread's operation and registers its cleanup on the stack."""
    counts = [0] * n
    errors = [0] * n
    start_gate = threading.Barrier(n + 1)
    state: dict[str, float] = {}

    def run(op: Callable[[], int], i: int) -> None:
        start_gate.wait()
        deadline = state["deadline"]
        while time.perf_counter() < deadline:
            try:
                counts[i] += op()
            except Exception as exc:
                errors[i] += 1
                if errors[i] == 1:
                    print(f"    ! {type(exc).__name__}: {str(exc)[:200]}", file=sys.stderr)
                if errors[i] > 50:
                    return

    with contextlib.ExitStack() as stack:
        workers = [threading.Thread(target=run, args=(make(stack), i), daemon=True)
                   for i in range(n)]
        for w in workers:
            w.start()
        begin = time.perf_counter()
        state["deadline"] = begin + seconds
        start_gate.wait()
        for w in workers:
            w.join()
        elapsed = time.perf_counter() - begin
    return Result(rate=sum(counts) / elapsed, count=sum(counts), seconds=elapsed,
                  errors=sum(errors))


def httpx_get(url: str, headers: dict[str, str], seconds: float, connections: int) -> Result:
    def make(stack: contextlib.ExitStack) -> Callable[[], int]:
        client = stack.enter_context(httpx.Client(headers=headers, timeout=30))

        def op() -> int:
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"GET {url}: {response.status_code} {response.text[:200]}")
            return 1

        return op

    return threads_loop(connections, seconds, make)


# --------------------------------------------------------------------------- load: writes


def http_create_finalize(server: Server, key: str, seed: Seed, threads: int,
                         seconds: float) -> Result:
    body = seed.create_body

    def make(stack: contextlib.ExitStack) -> Callable[[], int]:
        client = stack.enter_context(httpx.Client(
            base_url=server.base, timeout=30, headers={"Authorization": f"Bearer {key}"}))

        def op() -> int:
            created = client.post("/v1/invoices", json=body)
            if created.status_code != 200:
                raise RuntimeError(f"create: {created.status_code} {created.text[:200]}")
            done = client.post(f"/v1/invoices/{created.json()['id']}/finalize")
            if done.status_code != 200 or done.json()["status"] != "open":
                raise RuntimeError(f"finalize: {done.status_code} {done.text[:200]}")
            return 1

        return op

    return threads_loop(threads, seconds, make)


# wrk drives the two-step write with a Lua script: each create's response queues its
# invoice's finalize, which the next request of that wrk thread sends. An invoice counts
# once its finalize answered 200 with status "open"; anything else counts as an error.
WRK_CREATE_FINALIZE = """
local create_body = %(body)s
local auth = %(auth)s
local queue = {}
finalized, failed = 0, 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function request()
  local id = table.remove(queue)
  if id then
    return wrk.format("POST", "/v1/invoices/" .. id .. "/finalize",
                      {["Authorization"] = auth}, nil)
  end
  return wrk.format("POST", "/v1/invoices",
                    {["Authorization"] = auth, ["Content-Type"] = "application/json"},
                    create_body)
end

function response(status, headers, body)
  if status ~= 200 then
    failed = failed + 1
  elseif body:find('"status":"open"', 1, true) then
    finalized = finalized + 1
  elseif body:find('"status":"draft"', 1, true) then
    table.insert(queue, body:match('^{"id":"(in_%%w+)"'))
  else
    failed = failed + 1
  end
end

function done(summary, latency, requests)
  local total_finalized, total_failed = 0, 0
  for _, thread in ipairs(threads) do
    total_finalized = total_finalized + thread:get("finalized")
    total_failed = total_failed + thread:get("failed")
  end
  io.write(string.format("FOLIO finalized %%d failed %%d duration_us %%d\\n",
                         total_finalized, total_failed, summary.duration))
end
"""


def lua_string(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def wrk_create_finalize(server: Server, key: str, seed: Seed, connections: int,
                        seconds: float) -> Result:
    """create + finalize with wrk (a load generator in C: its CPU per invoice is a small
    fraction of Python clients', so the server, not the client, is what is measured).
    The client's CPU comes from the wrk child's rusage."""
    script = WRK_CREATE_FINALIZE % {"body": lua_string(json.dumps(seed.create_body)),
                                    "auth": lua_string(f"Bearer {key}")}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        out = subprocess.run(
            ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "-s",
             handle.name, server.base + "/v1/invoices"],
            capture_output=True, text=True, check=True, timeout=seconds + 30).stdout
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    finally:
        os.unlink(handle.name)
    match = re.search(r"FOLIO finalized (\d+) failed (\d+) duration_us (\d+)", out)
    if not match:
        raise RuntimeError(f"wrk printed no summary:\n{out}")
    finalized, failed, micros = (int(g) for g in match.groups())
    elapsed = micros / 1e6
    client_cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return Result(rate=finalized / elapsed, count=finalized, seconds=elapsed, errors=failed,
                  client_cpu_ms=client_cpu * 1000 / finalized if finalized else None)


@dataclass
class Seed:
    """What the seeding created over HTTP, and templates for the floor's rows."""

    customer: str
    tax_rate: str
    invoice_10: str
    create_body: dict[str, Any]
    draft_view: dict[str, Any] = field(default_factory=dict)
    open_view: dict[str, Any] = field(default_factory=dict)


def seed(server: Server, key: str) -> Seed:
    with httpx.Client(base_url=server.base, timeout=30,
                      headers={"Authorization": f"Bearer {key}"}) as client:
        def post(path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
            response = client.post(path, json=body)
            if response.status_code != 200:
                raise RuntimeError(f"POST {path}: {response.status_code} {response.text}")
            return response.json()  # type: ignore[no-any-return]

        customer = post("/v1/customers", {
            "name": "Bench Customer GmbH", "email": "billing@bench.example",
            "address": {"line1": "Hauptstrasse 1", "city": "Berlin", "postal_code": "10115",
                        "country": "DE"}, "tax_id": "DE123456788"})["id"]
        tax_rate = post("/v1/tax_rates", {"display_name": "VAT", "percentage": "19",
                                          "inclusive": False, "country": "DE"})["id"]
        ten = post("/v1/invoices", {
            "customer": customer, "default_tax_rates": [tax_rate],
            "lines": [{"description": f"Consulting, item {i}", "quantity": str(i + 1),
                       "unit_amount": 1250 + 10 * i, "unit_code": "HUR"} for i in range(10)]})
        post(f"/v1/invoices/{ten['id']}/finalize")
        body = {"customer": customer, "default_tax_rates": [tax_rate],
                "lines": [{"description": "Widget", "quantity": "3", "unit_amount": 1999},
                          {"description": "Support hours", "quantity": "1.5",
                           "unit_amount": 8000, "unit_code": "HUR"},
                          {"description": "Shipping", "quantity": "1", "unit_amount": 495}]}
        draft = post("/v1/invoices", body)
        opened = post(f"/v1/invoices/{draft['id']}/finalize")
    return Seed(customer=customer, tax_rate=tax_rate, invoice_10=ten["id"], create_body=body,
                draft_view=draft, open_view=opened)


# --------------------------------------------------------------------------- raw-SQL floor


@dataclass
class FloorRows:
    account_id: int
    customer_id: int
    seed: Seed

    def ids(self, prefix: str) -> tuple[str, str]:
        u = uuid.uuid4()
        return f"{prefix}_{u.hex[:24]}", str(u)


def floor_statements(p: str) -> dict[str, str]:
    return {
        "invoice": (
            "INSERT INTO invoices (customer_id, status, currency, collection_method, "
            "rounding_mode, default_tax_rates, discounts, subtotal, discount_total, tax_total, "
            "total, tax_breakdown, amount_paid, amount_credited, post_payment_credited, "
            "updated, livemode, metadata, account_id, uuid, created, public_id) VALUES "
            f"({', '.join([p] * 22)}) RETURNING id"),
        "line": (
            "INSERT INTO invoice_lines (invoice_id, position, type, description, quantity, "
            "unit_amount_decimal, unit_code, tax_rate_ids, line_discounts, amount, "
            "discount_amount, tax_amount, taxes, livemode, metadata, account_id, uuid, "
            f"created, public_id) VALUES ({', '.join([p] * 19)})"),
        "event": (
            "INSERT INTO events (type, object_type, object_id, data, request_id, livemode, "
            "metadata, account_id, uuid, created, public_id) VALUES "
            f"({', '.join([p] * 11)})"),
        "number": (
            f"UPDATE number_series SET last_value = last_value + 1 WHERE account_id = {p} "
            f"AND livemode = {p} AND key = {p} RETURNING last_value"),
        "finalize": (
            f"UPDATE invoices SET status = {p}, number = {p}, subtotal = {p}, tax_total = {p}, "
            f"total = {p}, tax_breakdown = {p}, finalized_at = {p}, customer_snapshot = {p}, "
            f"updated = {p} WHERE id = {p}"),
    }


FLOOR_SERIES = "FLOOR#"


class FloorWriter:
    """One DB-API connection; writes one invoice the way the server does, minus the ORM and
    HTTP. begin: the statement that opens a write transaction (None: the driver's implicit
    BEGIN, as psycopg does)."""

    def __init__(self, rows: FloorRows, conn: Any, begin: str | None,
                 statements: dict[str, str]) -> None:
        self.rows, self.conn, self.begin_sql, self.sql = rows, conn, begin, statements
        self.false = False
        draft, opened = rows.seed.draft_view, rows.seed.open_view
        self.lines = [(line["description"], line["quantity"], line["unit_amount_decimal"],
                       line["unit_code"], json.dumps(line["tax_rates"]), line["amount"],
                       line["tax_amount"], json.dumps(line["taxes"]))
                      for line in draft["lines"]["data"]]
        self.totals = (draft["subtotal"], draft["tax"], draft["total"],
                       json.dumps(draft["total_taxes"]))
        self.default_rates = json.dumps(draft["default_tax_rates"])
        self.snapshot = opened["customer_details"]

    def begin(self) -> None:
        if self.begin_sql:
            self.conn.execute(self.begin_sql)

    def execute(self, sql: str, params: tuple[Any, ...]) -> None:
        self.conn.execute(sql, params)

    def fetch_one(self, sql: str, params: tuple[Any, ...]) -> Any:
        return self.conn.execute(sql, params).fetchone()

    def many(self, sql: str, seq: list[tuple[Any, ...]]) -> None:
        cur = self.conn.cursor()
        cur.executemany(sql, seq)
        cur.close()

    def commit(self) -> None:
        self.conn.commit()

    def _event(self, type_: str, view: dict[str, Any], now: int) -> tuple[Any, ...]:
        public_id, uid = self.rows.ids("evt")
        return (type_, "invoice", view["id"], json.dumps({"object": view}), "req_floor",
                self.false, "{}", self.rows.account_id, uid, now, public_id)

    def invoice(self) -> int:
        rows, now = self.rows, int(time.time())
        subtotal, tax, total, breakdown = self.totals
        public_id, uid = rows.ids("in")
        view = copy.deepcopy(rows.seed.draft_view)
        view.update(id=public_id, uuid=uid, created=now)
        # transaction 1: the draft, its lines and invoice.created
        self.begin()
        invoice_id = self.fetch_one(self.sql["invoice"], (
            rows.customer_id, "draft", "eur", "charge_automatically", "half_up",
            self.default_rates, "[]", subtotal, 0, tax, total, breakdown, 0, 0, 0, now,
            self.false, "{}", rows.account_id, uid, now, public_id))[0]
        line_rows = []
        for position, (desc, qty, unit, code, rates, amount, tax_amount, taxes) in enumerate(
                self.lines):
            line_id, line_uid = rows.ids("il")
            view["lines"]["data"][position].update(id=line_id)
            line_rows.append((invoice_id, position, "one_off", desc, qty, unit, code, rates,
                              "[]", amount, 0, tax_amount, taxes, self.false, "{}",
                              rows.account_id, line_uid, now, line_id))
        self.many(self.sql["line"], line_rows)
        self.execute(self.sql["event"], self._event("invoice.created", view, now))
        self.commit()
        # transaction 2: number, open, invoice.finalized
        self.begin()
        value = self.fetch_one(self.sql["number"], (rows.account_id, self.false,
                                                    FLOOR_SERIES))[0]
        number = f"FLOOR-{value:06d}"
        self.execute(self.sql["finalize"], ("open", number, subtotal, tax, total, breakdown,
                                            now, json.dumps(self.snapshot), now, invoice_id))
        view.update(status="open", number=number, finalized_at=now, payment_state="unpaid",
                    customer_details=self.snapshot)
        self.execute(self.sql["event"], self._event("invoice.finalized", view, now))
        self.commit()
        return 1


def sqlite_floor(path: str, rows: FloorRows, own_checkpoints: bool = True) -> Make:
    """Plain sqlite3 with the server's durability: WAL, synchronous=NORMAL, foreign keys,
    BEGIN IMMEDIATE, the busy timeout. own_checkpoints: SQLite's default automatic
    checkpoint (every 1,000 pages, in the commit that passes them), which keeps the log
    bounded as every sustained writer must. Without it (the floor of sessions 1 to 6,
    printed for reference) the floor relied on the server's checkpoint thread, which
    copies the floor's pages but can never let the floor's log start over, since it
    cannot hold another process's writers off: that log grew by some 250 MB a second
    (1.2 GB after one 5 s round) and later rounds wrote into blocks earlier rounds had
    allocated (ADR 7, "Seventh pass")."""
    statements = floor_statements("?")
    pragmas = ["journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON",
               "busy_timeout=30000"]
    if not own_checkpoints:
        pragmas.append("wal_autocheckpoint=0")

    def make(stack: contextlib.ExitStack) -> Callable[[], int]:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
        stack.callback(conn.close)
        for pragma in pragmas:
            conn.execute(f"PRAGMA {pragma}")
        return FloorWriter(rows, conn, "BEGIN IMMEDIATE", statements).invoice

    return make


def postgres_floor(url: str, rows: FloorRows) -> Make:
    import psycopg

    statements = floor_statements("%s")

    def make(stack: contextlib.ExitStack) -> Callable[[], int]:
        conn = psycopg.connect(pg_conninfo(url))  # implicit BEGIN, READ COMMITTED
        stack.callback(conn.close)
        return FloorWriter(rows, conn, None, statements).invoice

    return make


def floor_setup(kind: str, location: str, seed_: Seed) -> FloorRows:
    """Looks up the integer ids behind the seeded public ids and opens the floor's own
    number series (so its numbers never collide with the server's)."""
    if kind == "sqlite":
        conn: Any = sqlite3.connect(location)
        p = "?"
    else:
        import psycopg

        conn = psycopg.connect(pg_conninfo(location))
        p = "%s"
    account_id, customer_id = conn.execute(
        f"SELECT account_id, id FROM customers WHERE public_id = {p}",
        (seed_.customer,)).fetchone()
    conn.execute("INSERT INTO number_series (account_id, livemode, key, last_value) "
                 f"VALUES ({p}, {p}, {p}, 0)", (account_id, False, FLOOR_SERIES))
    conn.commit()
    conn.close()
    return FloorRows(account_id=account_id, customer_id=customer_id, seed=seed_)


# --------------------------------------------------------------------------- runs


@dataclass
class Options:
    seconds: float
    rounds: int
    client: str  # wrk | httpx
    write_client: str  # wrk | httpx
    read_connections: int
    write_threads: int
    pg_url: str = PG_URL


@dataclass
class Figures:
    db: str
    invoice: Result
    ping: Result
    write: Result
    floor: Result
    account: Result
    # SQLite: the floor of sessions 1 to 6 (its log never checkpointed by its own
    # writers, growing without bound), for reference
    unbounded_floor: Result | None = None


def with_cpu(server: Server, run: Callable[[], Result]) -> Result:
    before = server.cpu()
    result = run()
    after = server.cpu()
    if before is not None and after is not None and result.count:
        result.server_cpu_ms = (after - before) * 1000 / result.count
    return result


def run_database(kind: str, opts: Options) -> Figures:
    workdir = Path(tempfile.mkdtemp(prefix=f"folio-bench-{kind}-"))
    try:
        if kind == "sqlite":
            db_path = str(workdir / "bench.db")
            url = f"sqlite:///{db_path}"
        else:
            url = opts.pg_url
            reset_postgres(url)
        server = Server(url, workdir)
        server.cli("migrate")
        key = server.create_key()
        server.start()
        try:
            return measure(kind, url, server, key, opts)
        finally:
            server.stop()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def measure(kind: str, url: str, server: Server, key: str, opts: Options) -> Figures:
    seeded = seed(server, key)
    headers = {"Authorization": f"Bearer {key}"}
    get = wrk_get if opts.client == "wrk" else httpx_get
    urls = {"ping": f"{server.base}/ping", "account": f"{server.base}/v1/account",
            "invoice": f"{server.base}/v1/invoices/{seeded.invoice_10}"}
    print(f"  [{kind}] server pid {server.proc.pid if server.proc else '?'} on "
          f"{server.base}; reads with {opts.client} x{opts.read_connections}", flush=True)
    for url_ in urls.values():  # warm up: imports, pools, caches, prepared statements
        get(url_, headers, 1, opts.read_connections)
    reads: dict[str, list[Result]] = {name: [] for name in urls}
    for _ in range(opts.rounds):
        for name, url_ in urls.items():
            reads[name].append(with_cpu(server, lambda u=url_: get(
                u, headers, opts.seconds, opts.read_connections)))
        print("    " + "   ".join(f"{name} {runs[-1].rate:7.0f}/s"
                                  for name, runs in reads.items()), flush=True)

    path = url.split("///", 1)[1] if kind == "sqlite" else url
    rows = floor_setup(kind, path, seeded)
    floor_make = sqlite_floor(path, rows) if kind == "sqlite" else postgres_floor(url, rows)
    threads = opts.write_threads
    print(f"  [{kind}] writes: {threads} connection(s) of {opts.write_client} over HTTP vs "
          f"{threads} thread(s) of raw SQL", flush=True)

    def http_writes(seconds: float) -> Result:
        if opts.write_client == "wrk":
            return wrk_create_finalize(server, key, seeded, threads, seconds)
        client_before = time.process_time()
        result = http_create_finalize(server, key, seeded, threads, seconds)
        if result.count:
            result.client_cpu_ms = ((time.process_time() - client_before) * 1000
                                    / result.count)
        return result

    unbounded_make = sqlite_floor(path, rows, own_checkpoints=False) if (
        kind == "sqlite") else None
    http_writes(1)  # warm-up
    threads_loop(threads, 1, floor_make)
    writes: list[Result] = []
    floors: list[Result] = []
    unbounded: list[Result] = []
    for _ in range(opts.rounds):
        writes.append(with_cpu(server, lambda: http_writes(opts.seconds)))
        floors.append(floor_round(threads, opts.seconds, floor_make))
        line = f"    folio {writes[-1].rate:8.1f} inv/s   floor {floors[-1].rate:8.1f} inv/s"
        if unbounded_make is not None:
            line += f" (log {log_mb(path)})"
            unbounded.append(floor_round(threads, opts.seconds, unbounded_make))
            line += (f"   reference: unbounded-log floor {unbounded[-1].rate:8.1f} inv/s "
                     f"(log {log_mb(path)})")
        print(line, flush=True)
    return Figures(db=kind, invoice=best(reads["invoice"]), ping=best(reads["ping"]),
                   account=best(reads["account"]), write=best(writes), floor=best(floors),
                   unbounded_floor=best(unbounded) if unbounded else None)


def log_mb(path: str) -> str:
    """How much of a SQLite database's write-ahead log is in use (frames since the log
    last started over, read from the WAL index header in the -shm file without touching
    the database) and how large the log file has grown."""
    try:
        header = Path(path + "-shm").read_bytes()[:24]
        page = struct.unpack_from("=H", header, 14)[0]
        frames = struct.unpack_from("=I", header, 16)[0]
        in_use = frames * (65536 if page == 1 else page)
        return (f"{in_use / 1e6:,.0f} MB in use, file "
                f"{os.path.getsize(path + '-wal') / 1e6:,.0f} MB")
    except (OSError, struct.error):
        return "n/a"


def floor_round(threads: int, seconds: float, make: Make) -> Result:
    """One round of the floor, with the bench process's CPU per invoice."""
    before = time.process_time()
    floor = threads_loop(threads, seconds, make)
    if floor.count:
        floor.server_cpu_ms = (time.process_time() - before) * 1000 / floor.count
    return floor


# --------------------------------------------------------------------------- report


def verdict(ratio: float, target: float) -> str:
    return "PASS" if ratio >= target else "MISS"


def cpu_ms(result: Result) -> str:
    return "n/a" if result.server_cpu_ms is None else f"{result.server_cpu_ms:.2f} ms"


def cpu_ratio(numerator: Result, denominator: Result) -> str:
    if not numerator.server_cpu_ms or not denominator.server_cpu_ms:
        return "n/a"
    return f"{numerator.server_cpu_ms / denominator.server_cpu_ms:.2f}"


def errors(*results: Result) -> str:
    n = sum(r.errors for r in results)
    return f"  !! {n} failed requests" if n else ""


def report(all_figures: list[Figures], opts: Options, load: str) -> None:
    rule = "=" * 100
    print()
    print(rule)
    print(f"Folio API benchmark on {os.cpu_count()} CPU core(s), {load}. The server is ONE "
          "uvicorn worker process;\nthe load generator (and PostgreSQL) run on the same cores "
          "and compete with it.")
    print(f"Reads: {opts.client}, {opts.read_connections} keep-alive connections, same for the "
          f"endpoint and /ping. Writes: {opts.write_threads} connection(s) of "
          f"{opts.write_client}\nvs {opts.write_threads} thread(s) of raw sqlite3/psycopg "
          "(no ORM, no HTTP) on the same database and durability\n(SQLite WAL + "
          "synchronous=NORMAL; "
          f"PostgreSQL defaults). Best of {opts.rounds} interleaved rounds of {opts.seconds:g}s. "
          "'CPU' = CPU time of the server process per request (or, for the floor,\nof the "
          "bench process per invoice): a cross-check that does not depend on how busy the "
          "machine is.")
    print("-" * 100)
    for f in all_figures:
        r_read = f.invoice.rate / f.ping.rate if f.ping.rate else 0.0
        r_write = f.write.rate / f.floor.rate if f.floor.rate else 0.0
        print(f"{f.db:<8} GET invoice 10 lines: {f.invoice.rate:.0f} req/s | ping: "
              f"{f.ping.rate:.0f} req/s | ratio {r_read:.2f} (target >= {READ_TARGET:.2f}) "
              f"{verdict(r_read, READ_TARGET)}{errors(f.invoice, f.ping)}")
        print(f"{'':<11}CPU/request: invoice {cpu_ms(f.invoice)}, ping {cpu_ms(f.ping)} "
              f"(CPU ratio {cpu_ratio(f.ping, f.invoice)}); for reference GET /v1/account "
              f"{f.account.rate:.0f} req/s, {cpu_ms(f.account)}")
        print(f"{f.db:<8} create+finalize 3 lines: {f.write.rate:.1f} inv/s | raw-SQL floor: "
              f"{f.floor.rate:.1f} inv/s | ratio {r_write:.2f} (target >= "
              f"{WRITE_TARGET:.2f}) {verdict(r_write, WRITE_TARGET)}{errors(f.write, f.floor)}")
        print(f"{'':<11}CPU/invoice: folio server {cpu_ms(f.write)} (2 requests), floor "
              f"{cpu_ms(f.floor)} (CPU ratio {cpu_ratio(f.floor, f.write)}); the HTTP "
              f"client's ({opts.write_client}) own CPU: {f.write.client_cpu_ms or 0:.2f} ms")
        if f.unbounded_floor is not None and f.unbounded_floor.rate:
            print(f"{'':<11}reference: the floor of sessions 1 to 6, its log left to the "
                  f"server's checkpoint thread and growing without bound: "
                  f"{f.unbounded_floor.rate:.1f} inv/s, ratio "
                  f"{f.write.rate / f.unbounded_floor.rate:.2f} (not the target's floor)")
        if f.ping.server_cpu_ms and f.floor.server_cpu_ms:
            # a server doing exactly the floor's work behind two empty requests
            bound = f.floor.server_cpu_ms / (f.floor.server_cpu_ms + 2 * f.ping.server_cpu_ms)
            print(f"{'':<11}Python + HTTP bound: floor CPU / (floor CPU + 2 x ping CPU) = "
                  f"{bound:.2f} (the best CPU ratio a server could reach writing the floor's "
                  "rows behind two empty requests)")
    print(rule)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--seconds", type=float, default=3.0, help="per measurement")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds; best wins")
    parser.add_argument("--write-client", choices=["auto", "wrk", "httpx"], default="auto",
                        help="load generator for create+finalize (auto: wrk if installed)")
    parser.add_argument("--client", choices=["auto", "wrk", "httpx"], default="auto",
                        help="load generator for the GETs (auto: wrk if installed)")
    parser.add_argument("--read-connections", type=int, default=4)
    parser.add_argument("--write-threads", type=int, default=2)
    parser.add_argument("--pg-url", default=PG_URL,
                        help="PostgreSQL database whose public schema is DROPPED and rebuilt")
    args = parser.parse_args(argv)
    client = args.client
    if client == "auto":
        client = "wrk" if shutil.which("wrk") else "httpx"
    write_client = args.write_client
    if write_client == "auto":
        write_client = "wrk" if shutil.which("wrk") else "httpx"
    opts = Options(seconds=args.seconds, rounds=max(1, args.rounds), client=client,
                   write_client=write_client,
                   read_connections=args.read_connections, write_threads=args.write_threads,
                   pg_url=args.pg_url)
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    figures: list[Figures] = []
    started = time.perf_counter()
    load = "load average at start {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
    for kind in kinds:
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
