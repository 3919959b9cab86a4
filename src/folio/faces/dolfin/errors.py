"""Every Dolfin error, in one place: RFC 7807 problem details served as
application/problem+json, {type, title, status, detail} plus a Dolfin-style `code`
(e.g. "Invoice.NotFound")."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from folio.api.error_wiring import STATUS_OF_KIND, install_error_shape
from folio.domain.errors import DomainError, ErrorKind

PROBLEM_TYPE = "https://tools.ietf.org/html/rfc7807"
MEDIA_TYPE = "application/problem+json"

# Dolfin reports refused amounts as validation errors
STATUS = {**STATUS_OF_KIND, ErrorKind.UNPROCESSABLE: 400}
DEFAULT_CODES = {
    ErrorKind.INVALID: "General.Validation",
    ErrorKind.UNAUTHENTICATED: "Auth.Unauthorized",
    ErrorKind.FORBIDDEN: "Organisation.Forbidden",
    ErrorKind.NOT_FOUND: "General.NotFound",
    ErrorKind.CONFLICT: "General.Conflict",
    ErrorKind.UNPROCESSABLE: "General.Validation",
}
# Folio's stable codes, in Dolfin's Entity.Reason style
CODES = {
    "api_key_missing": "Auth.MissingApiKey",
    "api_key_invalid": "Auth.InvalidApiKey",
    "invoice_not_editable": "Invoice.NotDraft",
    "invoice_not_send_invoice": "Invoice.NotSendable",
    "invoice_not_sendable": "Invoice.NotSendable",
    "invoice_no_lines": "Invoice.NoLineItems",
    "invoice_not_payable": "Invoice.NotPayable",
    "invoice_has_payments": "Invoice.HasPayments",
    "invoice_not_creditable": "Invoice.NotCreditable",
    "amount_exceeds_due": "Payment.AmountExceedsOutstanding",
    "credit_exceeds_creditable": "CreditNote.AmountExceedsOutstanding",
    "credit_note_not_draft": "CreditNote.NotDraft",
    "credit_note_void": "CreditNote.Void",
    "currency_mismatch": "Invoice.CurrencyMismatch",
    "currency_invalid": "Currency.Invalid",
    "tax_id_invalid": "Customer.InvalidTaxNumber",
    "tax_rate_inactive": "TaxRate.Inactive",
}


def problem(status: int, code: str, detail: str) -> JSONResponse:
    body = {"type": PROBLEM_TYPE, "title": HTTPStatus(status).phrase, "status": status,
            "detail": detail, "code": code}
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE)


def domain_problem(exc: DomainError) -> JSONResponse:
    status = STATUS[exc.kind]
    code = exc.code if "." in exc.code else CODES.get(exc.code, DEFAULT_CODES[exc.kind])
    return problem(status, code, exc.message)


def _where(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts)


def _validation(errors: list[Any]) -> JSONResponse:
    first = errors[0] if errors else {"loc": (), "msg": "Invalid request."}
    where = _where(tuple(first.get("loc", ())))
    if first.get("type") == "missing":
        detail = f"{where} is required." if where else "A JSON request body is required."
    elif where:
        detail = f"{where}: {first.get('msg', 'invalid')}."
    else:
        detail = f"The request body is invalid: {first.get('msg', 'invalid')}."
    return problem(400, "General.Validation", detail)


def install(app: FastAPI) -> None:
    codes = {404: "General.RouteNotFound", 405: "General.MethodNotAllowed"}
    install_error_shape(
        app, domain=domain_problem,
        validation=lambda errors, _inner: _validation(errors),
        http=lambda exc: problem(exc.status_code, codes.get(exc.status_code, "General.Http"),
                                 str(exc.detail)),
        unexpected=lambda: problem(500, "General.Unexpected", "An unexpected error occurred."),
    )
