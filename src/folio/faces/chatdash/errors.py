"""Every ChatDash error, in one place: `{"error": "<message>"}` (the shape the seeds declare
for their 500), with the status that fits.

Domain error kinds: invalid input and refused money rules 400, no or wrong key 401, a key
acting where it may not 403, not found 404, a state that refuses the action 409. A request
the face cannot parse (missing field, wrong type, bad JSON) is 400; an unknown route 404;
anything unexpected 500 with the seed's example message.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from folio.api.error_wiring import STATUS_OF_KIND, install_error_shape
from folio.domain.errors import DomainError, ErrorKind

STATUS = {**STATUS_OF_KIND, ErrorKind.UNPROCESSABLE: 400}

# Folio's words for ChatDash's: messages of the rules a ChatDash user meets
MESSAGES = {
    "customer_admin_missing": "The client must have an admin member to be invoiced or "
                              "subscribed.",
    "product_inactive": "The product is archived.",
    "days_until_due_required": "days_until_due is required when collection_method is "
                               "'send_invoice'.",
    "api_key_missing": "Missing API key: send 'Authorization: <your API key>'.",
    "api_key_invalid": "Invalid API key.",
}
WORDS = (("No such customer", "No such client"), ("No such contact", "No such member"),
         ("on customer", "on client"), ("No such plan", "No such product"))
UNEXPECTED = "An unexpected error occurred"


def error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def domain_message(exc: DomainError) -> str:
    message = MESSAGES.get(exc.code, exc.message)
    for folio_word, vendor_word in WORDS:
        message = message.replace(folio_word, vendor_word)
    return message


def _where(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    # a union's member name (e.g. 'int', 'constrained-str') is not a parameter
    parts = [p for p in parts if not p.startswith(("constrained-", "function-"))
             and p not in ("int", "str", "bool")]
    return ".".join(parts)


def validation_message(errors: list[Any]) -> str:
    if not errors:
        return "Invalid request."
    first = errors[0]
    where = _where(tuple(first.get("loc", ())))
    kind = first.get("type", "")
    if kind == "missing":
        return f"Missing required parameter: {where}." if where \
            else "A JSON request body is required."
    if kind in ("json_invalid", "model_attributes_type", "dict_type") and not where:
        return "The request body must be a JSON object."
    return f"Invalid value for {where}: {first.get('msg', 'invalid')}." if where \
        else f"Invalid request: {first.get('msg', 'invalid')}."


def install(app: FastAPI) -> None:
    messages = {404: "Not found", 405: "Method not allowed"}
    install_error_shape(
        app, domain=lambda exc: error(STATUS[exc.kind], domain_message(exc)),
        validation=lambda errors, _inner: error(400, validation_message(errors)),
        http=lambda exc: error(exc.status_code,
                               messages.get(exc.status_code, str(exc.detail))),
        unexpected=lambda: error(500, UNEXPECTED),
    )
