"""A fast lane for the hottest writes, `POST /v1/invoices` and
`POST /v1/invoices/{id}/finalize` (ADR 7, "Fourth pass: a hot write lane").

Like HotReads, an ASGI layer inside the observability middleware answers the happy path
itself: a principal already in the auth cache, no Idempotency-Key, no query string, a
JSON body that the full path's own model (`InvoiceCreate`) accepts and whose fields the
lane maps, an invoice the lane can take (services/invoice_fast_writes.py). It writes on
the raw driver connection in one transaction, with the full path's locks. Everything
else, and anything the services refuse, is rolled back and handed to the full pipeline
with the body it read, so that pipeline stays the one place that authenticates,
validates and shapes every error: the lane never answers an error.

The use cases are plans (`db.plan`), run on the database's own terms. SQLite: blocking
on the raw driver, inline on the event loop when the process's write lock is free
(nothing to wait for: an uncontended SQLite write is cheaper than the hop to a worker
thread), else in the threadpool, where it queues on the lock as every writer does.
PostgreSQL: pipelined on a few async connections of the lane's own (`db.async_pool`), on
the event loop: no thread hop, a round trip per batch that wants rows rather than per
statement, and the loop serves other requests while a batch is out.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

import orjson
from anyio import to_thread
from pydantic import ValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from folio.api.deps import AppState, bearer, dumps
from folio.api.hot_reads import LaneRoute, closing_on_shutdown
from folio.db.async_pool import AsyncPool, libpq_conninfo
from folio.db.engine import configure_psycopg
from folio.db.plan import Plan, run_blocking
from folio.domain.errors import DomainError
from folio.services.accounts import Principal
from folio.services.context import Ctx
from folio.services.inputs.invoices import InvoiceCreate
from folio.services.invoice_fast_finalize import finalize_plan
from folio.services.invoice_fast_statements import Statements, statements
from folio.services.invoice_fast_writes import NotPlain, create_plan, lane_ctx
from folio.services.views import View

FINALIZE_PATH = re.compile(r"/v1/invoices/(in_[A-Za-z0-9]{1,64})/finalize")
CREATE_ROUTE = LaneRoute("/v1/invoices")
FINALIZE_ROUTE = LaneRoute("/v1/invoices/{invoice_id}/finalize")
MAX_BODY = 64 * 1024
ASYNC_CONNECTIONS = 4  # PostgreSQL: the lane's own connections, per process
APPLICATION_NAME = "folio-hot-writes"  # how they show in pg_stat_activity
log = logging.getLogger("folio.hot_writes")

Work = Callable[[Statements, Ctx], Plan[View]]


def _create(body: bytes) -> Work | None:
    """The create's work, or None when the full path must parse or validate the body."""
    try:
        # parsed to the values json.loads gives (orjson refuses what it would not take
        # alike: NaN, lone surrogates, integers past 64 bits; the full path answers
        # those), validated in Python mode, as FastAPI parses a JSON body
        data = InvoiceCreate.model_validate(orjson.loads(body))
    except (ValueError, ValidationError, TypeError, RecursionError):
        return None
    return lambda st, ctx: create_plan(st, ctx, data)


def _finalize(invoice_id: str) -> Work:
    return lambda st, ctx: finalize_plan(st, ctx, invoice_id)


class HotWrites:
    enabled = True  # tests switch the lane off to compare it with the full pipeline
    taken = 0  # requests the lane answered (tests read it)

    def __init__(self, app: ASGIApp, state: AppState) -> None:
        self.app = app
        self.state = state
        self.sqlite = state.db.dialect == "sqlite"
        engine = state.db.engine
        self.pool = (None if self.sqlite else AsyncPool(
            libpq_conninfo(engine.url), ASYNC_CONNECTIONS, configure_psycopg,
            APPLICATION_NAME, autocommit=False))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan" and self.pool is not None:
            await self.app(scope, receive, closing_on_shutdown(send, self.pool))
            return
        if (scope["type"] != "http" or scope["method"] != "POST" or scope.get("query_string")
                or not HotWrites.enabled):
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        match = FINALIZE_PATH.fullmatch(path) if path != "/v1/invoices" else None
        principal, json_body = self._headers(scope) if (
            match or path == "/v1/invoices") else (None, False)
        if principal is None or (match is None and not json_body):
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        work: Work | None = None
        if match is not None:  # finalize has no body: the full path never reads one
            work = _finalize(match.group(1))
        else:
            body, messages = await _read_body(receive)
            work = _create(body) if body else None
        content = None if work is None else await self._run(
            work, principal, scope.get("folio.request_id", ""))
        if content is None:
            await self.app(scope, _replay(messages, receive), send)
            return
        HotWrites.taken += 1
        scope["route"] = FINALIZE_ROUTE if match else CREATE_ROUTE  # as routing sets it
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(content)).encode())]})
        await send({"type": "http.response.body", "body": content})

    def _headers(self, scope: Scope) -> tuple[Principal | None, bool]:
        """The cached principal (None: the full path authenticates, or an
        Idempotency-Key asks for its bookkeeping) and whether the body is declared JSON."""
        authorization = acting = content_type = None
        for name, value in scope["headers"]:
            if name == b"authorization" and authorization is None:
                authorization = value.decode("latin-1")
            elif name == b"folio-account" and acting is None:
                acting = value.decode("latin-1")
            elif name == b"content-type" and content_type is None:
                content_type = value
            elif name == b"idempotency-key":
                return None, False
        key = bearer(authorization)
        principal = self.state.auth_cache.get((key, acting)) if key else None
        return principal, content_type == b"application/json"

    async def _run(self, work: Work, principal: Principal, request_id: str) -> bytes | None:
        """The response body, or None (rolled back) for the full pipeline to answer."""
        try:
            view = await self._view(work, principal, request_id)
        except (NotPlain, DomainError):
            return None
        except Exception:  # the full pipeline retries it and shapes any error
            log.warning("hot write lane failed; the full pipeline takes the request",
                        exc_info=True)
            return None
        return dumps(view)

    async def _view(self, work: Work, principal: Principal, request_id: str) -> View:
        if self.pool is not None:
            return await self.pool.run(self._plan(work, principal, request_id))
        with self.state.db.write_lock_if_free() as free:
            if free:
                return self._blocking(work, principal, request_id)
        return await to_thread.run_sync(self._blocking, work, principal, request_id)

    def _blocking(self, work: Work, principal: Principal, request_id: str) -> View:
        with self.state.db.raw_transaction() as cursor:
            return run_blocking(cursor, self._plan(work, principal, request_id))

    def _plan(self, work: Work, principal: Principal, request_id: str) -> Plan[View]:
        ctx = lane_ctx(principal.account_id, principal.livemode, self.state.clock(),
                       request_id)
        return work(statements(self.state.db.engine), ctx)


async def _read_body(receive: Receive) -> tuple[bytes | None, list[Message]]:
    """The request's body (None: too large, or the client left) and the messages read."""
    messages: list[Message] = []
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return None, messages
        chunk = message.get("body", b"")
        size += len(chunk)
        chunks.append(chunk)
        if size > MAX_BODY:
            return None, messages
        if not message.get("more_body", False):
            return b"".join(chunks), messages


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """`receive` with the messages the lane has read given back first."""
    pending = list(messages)

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay
