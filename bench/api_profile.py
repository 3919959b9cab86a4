"""Where the server's time goes: the API's hottest requests in process, under cProfile.

    .venv/bin/python bench/api_profile.py [--db-url URL] [--n 300] [--what write|ping|both]
        [--sort tottime|cumulative] [--top 40] [--statements]

Builds the real app (`create_app`) on a fresh database (a temp SQLite file by default; a
PostgreSQL URL's public schema is DROPPED), creates an account, a customer and a tax rate,
then drives the ASGI app directly (no sockets) with the bench's requests: create + finalize
of a 3-line taxed invoice, and GET /ping. Worker-thread hops run inline so that cProfile
sees the whole request. Prints time per request without the profiler, the SQL statements
per request (--statements), then the profile.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio.to_thread
import orjson
from sqlalchemy import event, text

from folio.api.app import create_app
from folio.config import Settings
from folio.db import migrate
from folio.db.engine import Database, is_sqlite
from folio.services.accounts import create_account

SECRET = "profile-secret"


async def _inline(func: Callable[..., Any], *args: Any, **_: Any) -> Any:
    return func(*args)


def reset(url: str) -> None:
    if not is_sqlite(url):
        db = Database(url)
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        db.dispose()
    migrate.upgrade(url)


def _new_loop() -> asyncio.AbstractEventLoop:
    """uvloop when installed, as `folio serve` runs (uvicorn's default loop)."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


class Client:
    """Calls the ASGI app as a server would, one request at a time."""

    def __init__(self, app: Any, key: str) -> None:
        self.app = app
        self.auth = f"Bearer {key}".encode()
        self.loop = _new_loop()

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        payload = b"" if body is None else orjson.dumps(body)
        headers = [(b"host", b"bench"), (b"authorization", self.auth),
                   (b"content-length", str(len(payload)).encode())]
        if body is not None:
            headers.append((b"content-type", b"application/json"))
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
                 "method": method, "path": path, "raw_path": path.encode(),
                 "query_string": b"", "headers": headers, "scheme": "http",
                 "server": ("127.0.0.1", 8000), "client": ("127.0.0.1", 1), "root_path": ""}
        sent = False
        status = 0
        chunks: list[bytes] = []

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": payload, "more_body": False}
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        self.loop.run_until_complete(self.app(scope, receive, send))
        content = b"".join(chunks)
        return status, orjson.loads(content) if content else None


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db-url", default=None)
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--what", choices=["write", "ping", "read", "both"], default="both")
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--statements", action="store_true")
    parser.add_argument("--pyinstrument", action="store_true",
                        help="a sampling profile (pip install pyinstrument) instead of cProfile")
    args = parser.parse_args()
    url = args.db_url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'profile.db'}"
    reset(url)
    settings = Settings(database_url=url, secret=SECRET, host="127.0.0.1", port=0,
                        log_level="warning", migrate_on_start=False, access_log=False)
    db = Database(url)
    with db.transaction() as session:
        key = create_account(session, SECRET, name="Profile").test_key
    app = create_app(settings, db)
    anyio.to_thread.run_sync = _inline  # type: ignore[assignment]
    client = Client(app, key)
    _, customer = client.request("POST", "/v1/customers", {
        "name": "Bench Customer GmbH", "email": "billing@bench.example",
        "address": {"line1": "Hauptstrasse 1", "city": "Berlin", "postal_code": "10115",
                    "country": "DE"}, "tax_id": "DE123456788"})
    _, rate = client.request("POST", "/v1/tax_rates", {
        "display_name": "VAT", "percentage": "19", "inclusive": False, "country": "DE"})
    body = {"customer": customer["id"], "default_tax_rates": [rate["id"]],
            "lines": [{"description": "Widget", "quantity": "3", "unit_amount": 1999},
                      {"description": "Support hours", "quantity": "1.5",
                       "unit_amount": 8000, "unit_code": "HUR"},
                      {"description": "Shipping", "quantity": "1", "unit_amount": 495}]}

    def write() -> None:
        status, draft = client.request("POST", "/v1/invoices", body)
        assert status == 200, draft
        status, done = client.request("POST", f"/v1/invoices/{draft['id']}/finalize")
        assert status == 200, done
        assert done["status"] == "open", done

    def ping() -> None:
        client.request("GET", "/ping")

    _, ten = client.request("POST", "/v1/invoices", {
        "customer": customer["id"], "default_tax_rates": [rate["id"]],
        "lines": [{"description": f"Consulting, item {i}", "quantity": str(i + 1),
                   "unit_amount": 1250 + 10 * i, "unit_code": "HUR"} for i in range(10)]})
    client.request("POST", f"/v1/invoices/{ten['id']}/finalize")

    def read() -> None:  # the bench's GET of a 10-line invoice (the hot lane)
        status, view = client.request("GET", f"/v1/invoices/{ten['id']}")
        assert status == 200, view

    ops = {"write": [write], "ping": [ping], "read": [read],
           "both": [write, ping, read]}[args.what]
    for op in ops:
        for _ in range(20):
            op()
        start, cpu = time.perf_counter(), time.process_time()
        for _ in range(args.n):
            op()
        ms = (time.perf_counter() - start) * 1000 / args.n
        cpu_ms = (time.process_time() - cpu) * 1000 / args.n
        print(f"{op.__name__}: {ms:.3f} ms wall, {cpu_ms:.3f} ms CPU per call in process "
              f"({db.dialect}; load {os.getloadavg()[0]:.1f})")
        if args.statements:
            seen: list[str] = []

            def listener(*event_args: Any, seen: list[str] = seen) -> None:
                seen.append(event_args[2])

            event.listen(db.engine, "before_cursor_execute", listener)
            op()
            event.remove(db.engine, "before_cursor_execute", listener)
            print(f"  {len(seen)} statements:")
            for sql in seen:
                print("   ", " ".join(sql.split())[:150])
    if args.pyinstrument:
        from pyinstrument import Profiler

        sampler = Profiler(interval=0.0002)
        sampler.start()
        for op in ops:
            for _ in range(args.n):
                op()
        sampler.stop()
        print(sampler.output_text(unicode=False, color=False, show_all=False))
        return 0
    profile = cProfile.Profile()
    profile.enable()
    for op in ops:
        for _ in range(args.n):
            op()
    profile.disable()
    pstats.Stats(profile, stream=sys.stdout).sort_stats(args.sort).print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
