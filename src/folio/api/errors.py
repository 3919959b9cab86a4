"""Domain errors to the canonical error shape, in one place:
{"error": {"type", "code", "message", "param"}}."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from folio.api.error_wiring import STATUS_OF_KIND, install_error_shape
from folio.domain.errors import DomainError

STATUS = STATUS_OF_KIND
TYPES = {401: "authentication_error", 403: "permission_error", 500: "api_error"}


class RuleFailure(BaseModel):
    """One failing EN 16931 business rule (422 `einvoice_invalid`)."""

    rule: str
    field: str


class ErrorDetail(BaseModel):
    """One failing item of a batch request."""

    index: int
    code: str
    param: str | None
    message: str
    period_end: int | None = None  # usage_period_closed: usage before it is invoiced


class ErrorBody(BaseModel):
    type: str
    code: str
    message: str
    param: str | None = None
    failures: list[RuleFailure] | None = None  # only with einvoice_invalid
    errors: list[ErrorDetail] | None = None  # only on batch errors: each bad item


class ErrorResponse(BaseModel):
    error: ErrorBody


def error_response(status: int, code: str, message: str, param: str | None = None,
                   type_: str | None = None,
                   failures: list[dict[str, str]] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"type": type_ or TYPES.get(status, "invalid_request_error"),
                            "code": code, "message": message, "param": param}
    if failures:
        body["failures"] = failures
    return JSONResponse({"error": body}, status_code=status)


def domain_error_response(exc: DomainError) -> JSONResponse:
    type_ = "idempotency_error" if exc.code.startswith("idempotency") else None
    response = error_response(STATUS[exc.kind], exc.code, exc.message, exc.param, type_,
                              failures=list(exc.details) or None)
    items = getattr(exc, "errors", None)
    if items is not None:  # a batch: every bad item, by index
        body = {"error": {"type": "invalid_request_error", "code": exc.code,
                          "message": exc.message, "param": exc.param, "errors": items}}
        response = JSONResponse(body, status_code=STATUS[exc.kind])
    return response


def _param(loc: tuple[Any, ...]) -> str | None:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    out = ""
    for part in parts:
        out += f"[{part}]" if part.isdigit() else (f".{part}" if out else part)
    return out or None


def validation_response_from(errors: list[Any]) -> JSONResponse:
    first = errors[0] if errors else {"loc": (), "msg": "Invalid request."}
    param = _param(tuple(first.get("loc", ())))
    kind = first.get("type", "")
    if kind == "missing":
        code = "parameter_missing"
        message = (f"Missing required parameter: {param}." if param
                   else "A JSON request body is required.")
    elif kind == "extra_forbidden":
        code, message = "parameter_unknown", f"Received unknown parameter: {param}."
    elif kind in ("json_invalid", "model_attributes_type", "dict_type") and param is None:
        code, message = "body_invalid", "The request body must be a JSON object."
    else:
        code = "parameter_invalid"
        message = f"Invalid value for {param}: {first.get('msg', 'invalid')}." if param \
            else f"Invalid request: {first.get('msg', 'invalid')}."
    return error_response(400, code, message, param)


def install(app: FastAPI) -> None:
    codes = {404: "route_not_found", 405: "method_not_allowed"}
    install_error_shape(
        app, domain=domain_error_response,
        validation=lambda errors, _inner: validation_response_from(errors),
        http=lambda exc: error_response(exc.status_code,
                                        codes.get(exc.status_code, "http_error"),
                                        str(exc.detail)),
        unexpected=lambda: error_response(500, "internal_error",
                                          "An unexpected error occurred."),
    )
