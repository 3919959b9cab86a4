"""Dolfin authentication: `x-dolfin-api-key: <Folio secret key>` and
`x-dolfin-organisation-id: <uuid of the Folio account>` (the key's own account or one of
its connected accounts)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Request
from sqlalchemy import select

from folio.api.deps import Call, bearer, resolve_principal, state
from folio.db.models import Account
from folio.domain.errors import Forbidden, InvalidInput, Unauthenticated
from folio.faces.dolfin.mapping import parse_uuid

_NO_SUCH_ACCOUNT = "acct_none"  # a public id no account has: refused like another's


def _acting_account(request: Request, organisation: str) -> str:
    org = parse_uuid(organisation)
    if org is None:
        return _NO_SUCH_ACCOUNT
    with state(request).db.transaction(write=False) as session:
        found = session.scalars(select(Account.public_id).where(Account.uuid == org)).first()
    return found or _NO_SUCH_ACCOUNT


def dolfin_call(
    request: Request,
    api_key: Annotated[str | None, Header(alias="x-dolfin-api-key", max_length=200)] = None,
    organisation: Annotated[str | None, Header(alias="x-dolfin-organisation-id",
                                               max_length=100)] = None,
    authorization: Annotated[str | None, Header(max_length=300)] = None,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key",
                                                  max_length=255)] = None,
) -> Call:
    for name, value in (*request.path_params.items(), *request.query_params.items()):
        if "\x00" in value:  # PostgreSQL text cannot hold NUL: refuse, never a 500
            raise InvalidInput(f"{name} must not contain NUL characters.", param=name)
    key = api_key or bearer(authorization)
    acting = _acting_account(request, organisation) if organisation else None
    try:
        principal = resolve_principal(state(request), key, acting)
    except Unauthenticated as exc:
        detail = ("No API key provided: send it in the x-dolfin-api-key header."
                  if exc.code == "api_key_missing" else "The API key is invalid.")
        raise Unauthenticated(detail, code=exc.code) from None
    except Forbidden:
        raise Forbidden(f"The API key cannot act on organisation '{organisation}'.",
                        code="Organisation.Forbidden") from None
    return Call.for_request(request, principal, idempotency_key)
