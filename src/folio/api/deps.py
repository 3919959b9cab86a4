"""Request plumbing: authentication, tenancy, one transaction per request, idempotency."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

import orjson
from fastapi import Depends, Header, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from folio.config import Settings
from folio.db.engine import Database
from folio.db.models import IdempotencyKey
from folio.domain.errors import Conflict, InvalidInput
from folio.services.accounts import Principal, authenticate
from folio.services.context import Ctx

View = dict[str, Any]
AUTH_CACHE_SECONDS = 30.0


class JSONBody(Response):
    media_type = "application/json"


def dumps(view: Any) -> bytes:
    """Compact UTF-8 JSON (orjson: about ten times faster than the json module)."""
    return orjson.dumps(view)


def _render(result: Any, status_code: int) -> Response:
    if result is None:
        return Response(status_code=204)
    if isinstance(result, Response):  # a use case that answers other than JSON (documents)
        return result
    return JSONBody(dumps(result), status_code=status_code)


def _render_bytes(content: bytes, status_code: int) -> Response:
    if status_code == 204:
        return Response(status_code=204)
    return JSONBody(content, status_code=status_code)


class AuthCache:
    """Principals by (key, acting account) for a few seconds: keeps the HMAC lookup off
    the hot path. A revoked key stops working within AUTH_CACHE_SECONDS."""

    def __init__(self) -> None:
        self._items: dict[tuple[str, str | None], tuple[float, Principal]] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str | None]) -> Principal | None:
        hit = self._items.get(key)
        if hit and hit[0] > time.monotonic():
            return hit[1]
        return None

    def put(self, key: tuple[str, str | None], principal: Principal) -> None:
        with self._lock:
            if len(self._items) > 10_000:
                self._items.clear()
            self._items[key] = (time.monotonic() + AUTH_CACHE_SECONDS, principal)


@dataclass
class AppState:
    db: Database
    settings: Settings
    clock: Callable[[], int]
    auth_cache: AuthCache


def state(request: Request) -> AppState:
    return request.app.state.folio  # type: ignore[no-any-return]


def bearer(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token else None


def resolve_principal(app: AppState, key: str | None, acting: str | None) -> Principal:
    cache_key = (key or "", acting)
    principal = app.auth_cache.get(cache_key) if key else None
    if principal is None:
        with app.db.transaction(write=False) as session:
            principal = authenticate(session, app.settings.secret, key, acting)
        app.auth_cache.put(cache_key, principal)
    return principal


async def principal_dep(
    request: Request,
    authorization: Annotated[str | None, Header(description="Bearer sk_test_... or sk_live_...")
                             ] = None,
    folio_account: Annotated[str | None, Header(alias="Folio-Account",
                                                description="Act on a connected account")
                             ] = None,
) -> Principal:
    # async so that a cache hit costs no threadpool hop; a miss queries in the threadpool
    app, key = state(request), bearer(authorization)
    cached = app.auth_cache.get((key, folio_account)) if key else None
    if cached is not None:
        return cached
    return await run_in_threadpool(resolve_principal, app, key, folio_account)


@dataclass
class Call:
    """One API call: runs a use case inside one transaction and renders its view."""

    app: AppState
    principal: Principal
    request_id: str
    idempotency_key: str | None
    method: str
    path: str

    def _ctx(self, session: Session) -> Ctx:
        # one instant per request, as a database transaction has one: every time the
        # request writes (due date, finalized_at, updated, events) is the same
        instant = self.app.clock()
        return Ctx(session, account_id=self.principal.account_id,
                   livemode=self.principal.livemode, clock=lambda: instant,
                   request_id=self.request_id, idempotency_key=self.idempotency_key)

    @classmethod
    def for_request(cls, request: Request, principal: Principal,
                    idempotency_key: str | None = None) -> Call:
        """A call for any face: the canonical API and the vendor faces share it."""
        return cls(app=state(request), principal=principal,
                   request_id=request.scope.get("folio.request_id", ""),
                   idempotency_key=idempotency_key, method=request.method,
                   path=request.url.path)

    def read(self, fn: Callable[[Ctx], Any], status_code: int = 200) -> Response:
        with self.app.db.transaction(write=False) as session:
            return _render(fn(self._ctx(session)), status_code)

    def write(self, fn: Callable[[Ctx], Any], body: BaseModel | bytes | None = None,
              status_code: int = 200) -> Response:
        """`body` (a parsed model, or the raw bytes of a body read by hand) identifies
        the request for the Idempotency-Key check."""
        key = self.idempotency_key
        with self.app.db.transaction(write=True) as session:
            ctx = self._ctx(session)
            record = None
            if key:
                content = body if isinstance(body, bytes) else (
                    body.model_dump_json(exclude_unset=True).encode() if body else b"")
                digest = hashlib.sha256(
                    f"{self.method} {self.path} ".encode() + content).hexdigest()
                replay = self._replay(session, key, digest)
                if replay is not None:
                    return replay
                record = IdempotencyKey(account_id=ctx.account_id, livemode=ctx.livemode,
                                        key=key, request_hash=digest, created=ctx.now())
                try:
                    with session.begin_nested():
                        session.add(record)
                except IntegrityError:
                    # a concurrent request with this key committed first: replay it
                    replay = self._replay(session, key, digest)
                    if replay is not None:
                        return replay
                    raise Conflict("A request with this Idempotency-Key is in progress.",
                                   code="idempotency_key_in_use") from None
            result = fn(ctx)
            if result is None:
                status_code = 204
            content = b"" if result is None else dumps(result)
            if record is not None:
                record.status_code = status_code
                record.response_body = content.decode()
            return _render_bytes(content, status_code)

    def _replay(self, session: Session, key: str, digest: str) -> Response | None:
        row = session.scalars(select(IdempotencyKey).where(
            IdempotencyKey.account_id == self.principal.account_id,
            IdempotencyKey.livemode == self.principal.livemode,
            IdempotencyKey.key == key)).first()
        if row is None:
            return None
        if row.request_hash != digest:
            raise InvalidInput("This Idempotency-Key was used with another request; use a "
                               "new key for a new request.", param="Idempotency-Key",
                               code="idempotency_key_reused")
        if row.response_body is None:
            raise Conflict("A request with this Idempotency-Key is in progress.",
                           code="idempotency_key_in_use")
        response = _render_bytes(row.response_body.encode(), row.status_code or 200)
        response.headers["Idempotent-Replayed"] = "true"
        return response


async def call_dep(  # async: pure CPU, no threadpool hop
    request: Request,
    principal: Annotated[Principal, Depends(principal_dep)],
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=255)
                               ] = None,
) -> Call:
    for name, value in (*request.path_params.items(), *request.query_params.items(),
                        ("Idempotency-Key", idempotency_key or "")):
        if "\x00" in value:  # PostgreSQL text cannot hold NUL: refuse, never a 500
            raise InvalidInput(f"{name} must not contain NUL characters.", param=name)
    return Call.for_request(request, principal, idempotency_key)


CallDep = Annotated[Call, Depends(call_dep)]
