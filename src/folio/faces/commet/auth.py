"""Commet authentication: `x-api-key: <Folio secret key>` (sk_test_… or sk_live_…).

The key's own account is the tenant (Commet has no header naming another account); the
key's mode is the mode (a live key never sees test data). `Idempotency-Key` is honoured on
POST, PUT and PATCH."""

from __future__ import annotations

from fastapi import Request

from folio.api.deps import Call, resolve_principal, state
from folio.domain.errors import InvalidInput
from folio.services.accounts import Principal


def _clean(name: str, value: str | None, limit: int = 255) -> str | None:
    if value is None:
        return None
    if "\x00" in value or len(value) > limit:
        raise InvalidInput(f"{name} must be at most {limit} characters, without NUL.",
                           param=name)
    return value


def authenticate(request: Request) -> None:
    """Router dependency: runs before the body is validated, so a request without a
    valid key is answered 401 whatever its body."""
    key = request.headers.get("x-api-key")
    request.state.commet_principal = resolve_principal(state(request),
                                                       key.strip() if key else None, None)


def call(request: Request, *, idempotent: bool = False) -> Call:
    principal: Principal | None = getattr(request.state, "commet_principal", None)
    if principal is None:
        authenticate(request)
        principal = request.state.commet_principal
    for name, value in (*request.path_params.items(), *request.query_params.items()):
        _clean(name, value, limit=10_000)  # PostgreSQL text cannot hold NUL
    idempotency_key = (_clean("Idempotency-Key", request.headers.get("idempotency-key"))
                       if idempotent else None)
    return Call.for_request(request, principal, idempotency_key or None)
