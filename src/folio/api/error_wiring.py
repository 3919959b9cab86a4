"""One way to wire error handlers, for the canonical API and every face. Each caller
supplies only its shape: how a domain error, a validation failure, an HTTP error and an
unexpected exception look in its API. Nothing becomes a 500 unless it is unexpected, and
then it is logged once here."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from folio.domain.errors import DomainError, ErrorKind

log = logging.getLogger("folio.api")

# the HTTP status of each kind of domain error, for the canonical API and the faces (a
# face that answers one kind differently overrides that entry)
STATUS_OF_KIND: dict[ErrorKind, int] = {
    ErrorKind.INVALID: 400,
    ErrorKind.UNAUTHENTICATED: 401,
    ErrorKind.FORBIDDEN: 403,
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.CONFLICT: 409,
    ErrorKind.UNPROCESSABLE: 422,
}

# `inner` is True when a Folio input model, built by the face from a body it accepted,
# refused a value (a pydantic ValidationError raised inside the route).
ValidationShape = Callable[[list[Any], bool], Response]


def install_error_shape(
    app: FastAPI, *, domain: Callable[[DomainError], Response], validation: ValidationShape,
    http: Callable[[StarletteHTTPException], Response], unexpected: Callable[[], Response],
) -> None:
    async def _domain(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, DomainError)
        return domain(exc)

    async def _request(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return validation(list(exc.errors()), False)

    async def _inner(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, ValidationError)
        return validation(list(exc.errors()), True)

    async def _http(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        return http(exc)

    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return unexpected()

    app.add_exception_handler(DomainError, _domain)
    app.add_exception_handler(RequestValidationError, _request)
    app.add_exception_handler(ValidationError, _inner)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(Exception, _unexpected)
