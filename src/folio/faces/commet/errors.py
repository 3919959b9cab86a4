"""Every error of the Commet face, in one place, in Commet's envelope:
{"success": false, "error": {"type", "code", "message", "param", "details", "doc_url"}}."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from folio.api.error_wiring import STATUS_OF_KIND, install_error_shape
from folio.domain.errors import DomainError, ErrorKind

STATUS = STATUS_OF_KIND
TYPES = {400: "validation_error", 401: "authentication_error", 403: "permission_error",
         404: "not_found_error", 405: "invalid_request_error", 409: "conflict_error",
         422: "unprocessable_error", 500: "api_error"}

# Folio parameter names -> Commet's camelCase names
PARAMS = {"customer": "customerId", "starting_after": "cursor", "ending_before": "cursor",
          "name": "fullName", "tax_id": "taxDocument", "external_id": "externalId",
          "lines": "amount", "lines[0].unit_amount": "amount", "id": "id",
          "expires_at": "expiresAt", "grant": "creditId", "feature": "featureCode",
          "event_id": "eventId"}
# Folio object names in not-found codes -> Commet's (`credit_not_found`)
OBJECTS = {"credit_grant": "credit", "meter": "feature"}
_NO_SUCH = re.compile(r"^No such ([a-z_ ]+?):")


def error_body(status: int, code: str, message: str, param: str | None = None,
               details: Any = None, type_: str | None = None) -> JSONResponse:
    return JSONResponse(
        {"success": False, "error": {
            "type": type_ or TYPES.get(status, "invalid_request_error"), "code": code,
            "message": message, "param": param, "details": details, "doc_url": None}},
        status_code=status)


def _param(param: str | None) -> str | None:
    if param is None:
        return None
    return PARAMS.get(param, param)


def domain_error(exc: DomainError) -> JSONResponse:
    status = STATUS[exc.kind]
    code, message = exc.code, exc.message
    if exc.kind is ErrorKind.NOT_FOUND:
        match = _NO_SUCH.match(exc.message)
        name = match.group(1).replace(" ", "_") if match else None
        code = f"{OBJECTS.get(name, name)}_not_found" if name else "not_found"
    elif exc.kind is ErrorKind.UNAUTHENTICATED:
        code = "unauthorized"
        message = ("Missing API key: send it in the x-api-key header."
                   if exc.code == "api_key_missing" else "Invalid API key.")
    type_ = "idempotency_error" if exc.code.startswith("idempotency") else None
    return error_body(status, code, message, _param(exc.param), type_=type_)


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    out = ""
    for part in parts:
        out += f"[{part}]" if part.isdigit() else (f".{part}" if out else part)
    return out


def validation_error(errors: list[Any]) -> JSONResponse:
    details = []
    for err in errors:
        field = _field(tuple(err.get("loc", ())))
        message = str(err.get("msg", "Invalid value."))
        if err.get("type") in ("json_invalid", "model_attributes_type", "dict_type") \
                and not field:
            message = "The request body must be a JSON object."
        details.append({"field": PARAMS.get(field, field) or "body", "message": message})
    first = details[0] if details else {"field": "body", "message": "Invalid request."}
    param = None if first["field"] == "body" else first["field"]
    message = f"Invalid value for {param}: {first['message']}" if param else first["message"]
    return error_body(400, "validation_error", message, param, details)


def install(app: FastAPI) -> None:
    codes = {404: "route_not_found", 405: "method_not_allowed"}
    install_error_shape(
        app, domain=domain_error,
        validation=lambda errors, _inner: validation_error(errors),
        http=lambda exc: error_body(exc.status_code, codes.get(exc.status_code, "http_error"),
                                    str(exc.detail)),
        unexpected=lambda: error_body(500, "internal_error", "An unexpected error occurred."),
    )
