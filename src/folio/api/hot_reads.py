"""A fast lane for the hottest read, `GET /v1/invoices/{id}`.

FastAPI's routing and dependency resolution cost more than reading and rendering an invoice
(ADR 7). This ASGI layer answers the happy path directly: a known route, a principal
already in the auth cache, an invoice that exists. Anything else (no key, a key not yet
cached, a query string, an unknown invoice) falls through untouched to the full pipeline,
which stays the one place that authenticates and shapes every error. Both lanes build the
body with the same `read_invoice_view`, and a test holds their answers byte-equal.

On SQLite the read runs inline: a WAL reader never waits for a lock, and the read is
cheaper than the hop to a worker thread. On PostgreSQL it runs on the event loop through a
few async connections of its own (`db.async_pool`): no thread hop, and the loop serves
other requests while the query is out. If the database does not answer there, the
request falls through to the full pipeline, which reports it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from folio.api.deps import AppState, bearer, dumps
from folio.db.async_pool import AsyncPool, libpq_conninfo
from folio.db.engine import configure_psycopg
from folio.services.accounts import Principal
from folio.services.invoice_reads import (
    invoice_read_params,
    pg_invoice_read,
    read_invoice_view_raw,
)

INVOICE_PATH = re.compile(r"/v1/invoices/(in_[A-Za-z0-9]{1,64})")


@dataclass(frozen=True)
class LaneRoute:
    """What metrics and logs read of a matched route: its path template."""

    path: str


INVOICE_ROUTE = LaneRoute("/v1/invoices/{invoice_id}")


def closing_on_shutdown(send: Send, pool: AsyncPool) -> Send:
    """The app's lifespan `send`, closing a lane's connections before shutdown
    completes."""
    async def send_closing(message: Message) -> None:
        if message["type"] == "lifespan.shutdown.complete":
            await pool.close()
        await send(message)

    return send_closing

ASYNC_CONNECTIONS = 4  # enough to keep one process's event loop busy
APPLICATION_NAME = "folio-hot-reads"  # how the lane's connections show in pg_stat_activity


class HotReads:
    def __init__(self, app: ASGIApp, state: AppState) -> None:
        self.app = app
        self.state = state
        engine = state.db.engine
        self.pool = (AsyncPool(libpq_conninfo(engine.url), ASYNC_CONNECTIONS,
                                   configure_psycopg, APPLICATION_NAME)
                     if state.db.dialect == "postgresql" else None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan" and self.pool is not None:
            await self.app(scope, receive, closing_on_shutdown(send, self.pool))
            return
        if (scope["type"] == "http" and scope["method"] == "GET"
                and not scope.get("query_string")):
            match = INVOICE_PATH.fullmatch(scope["path"])
            principal = self._cached_principal(scope) if match else None
            if match and principal is not None:
                public_id = match.group(1)
                body = (self._read(principal, public_id) if self.pool is None else
                        await self._read_async(principal, public_id))
                if body is not None:
                    scope["route"] = INVOICE_ROUTE  # as routing would set it
                    await send({"type": "http.response.start", "status": 200, "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode())]})
                    await send({"type": "http.response.body", "body": body})
                    return
        await self.app(scope, receive, send)

    def _cached_principal(self, scope: Scope) -> Principal | None:
        authorization = acting = None
        for name, value in scope["headers"]:
            if name == b"authorization" and authorization is None:  # the first, as
                authorization = value.decode("latin-1")  # Starlette's Headers.get reads
            elif name == b"folio-account" and acting is None:
                acting = value.decode("latin-1")
        key = bearer(authorization)
        return self.state.auth_cache.get((key, acting)) if key else None

    async def _read_async(self, principal: Principal, public_id: str) -> bytes | None:
        assert self.pool is not None
        read = pg_invoice_read(self.state.db.engine)
        params = invoice_read_params(principal.account_id, principal.livemode, public_id)
        fetched = await self.pool.fetch_all(read.select.sql, read.select.bound(params))
        view: Any = None if fetched is None else read.view(fetched)
        return None if view is None else dumps(view)

    def _read(self, principal: Principal, public_id: str) -> bytes | None:
        view: Any = read_invoice_view_raw(self.state.db.engine, principal.account_id,
                                          principal.livemode, public_id)
        return None if view is None else dumps(view)
