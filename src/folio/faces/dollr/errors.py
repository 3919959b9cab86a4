"""Every error of the Dollr face, in FastAPI's own shapes, mapped in this one place:

- 422 `{"detail": [{"loc", "msg", "type"}]}`: request validation, and every domain refusal
  (invalid input, unknown ids in a body, an invoice in the wrong state, money rules). The
  `type` of a domain refusal is Folio's stable error code.
- 401 `{"detail": "Not authenticated"}` (no bearer token) or
  `{"detail": "Could not validate credentials"}` (a wrong or expired one).
- 403 / 404 / 405 / 500 `{"detail": "..."}`.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from folio.api.error_wiring import install_error_shape
from folio.domain.errors import DomainError, ErrorKind

NOT_AUTHENTICATED = "Not authenticated"
BAD_CREDENTIALS = "Could not validate credentials"
_BEARER = {"WWW-Authenticate": "Bearer"}
# Folio's messages for the state refusals a Dollr client meets, in Dollr's words
MESSAGES = {
    "invoice_not_editable": "Only an IDLE invoice (and its items) can be changed.",
    "invoice_not_draft": "Only an IDLE invoice can be published.",
    "invoice_no_lines": "An invoice needs at least one item to be published.",
    "invoice_not_open_or_uncollectible": "Only an ACTIVE invoice can be canceled; Folio "
                                         "cannot cancel an IDLE, PAID or CANCELED one.",
}


def _loc(parts: tuple[Any, ...] | list[Any]) -> list[str | int]:
    return [p if isinstance(p, int) else str(p) for p in parts]


def validation_body(errors: list[dict[str, Any]], prefix: tuple[str, ...] = ()
                    ) -> dict[str, Any]:
    return {"detail": [{"loc": _loc((*prefix, *e.get("loc", ()))), "msg": str(e.get("msg", "")),
                        "type": str(e.get("type", "value_error"))} for e in errors]}


def _domain_loc(exc: DomainError) -> list[str | int]:
    if exc.param:
        return _loc(("body", *exc.param.split(".")))
    if exc.kind is ErrorKind.CONFLICT:
        return ["path", "id"]  # the state of the object the path names refuses the action
    return ["body"]


def domain_response(exc: DomainError) -> JSONResponse:
    if exc.kind is ErrorKind.UNAUTHENTICATED:
        detail = NOT_AUTHENTICATED if exc.code == "api_key_missing" else BAD_CREDENTIALS
        return JSONResponse({"detail": detail}, status_code=401, headers=_BEARER)
    if exc.kind is ErrorKind.FORBIDDEN:
        return JSONResponse({"detail": exc.message}, status_code=403)
    if exc.kind is ErrorKind.NOT_FOUND:
        return JSONResponse({"detail": exc.message}, status_code=404)
    message = MESSAGES.get(exc.code, exc.message)
    body = {"detail": [{"loc": _domain_loc(exc), "msg": message, "type": exc.code}]}
    return JSONResponse(body, status_code=422)


def install(app: FastAPI) -> None:
    install_error_shape(
        app, domain=domain_response,
        validation=lambda errors, inner: JSONResponse(
            validation_body(errors, ("body",)) if inner else validation_body(errors),
            status_code=422),
        http=lambda exc: JSONResponse({"detail": exc.detail}, status_code=exc.status_code,
                                      headers=exc.headers),
        unexpected=lambda: JSONResponse({"detail": "Internal Server Error"}, status_code=500),
    )
