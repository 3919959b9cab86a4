"""`Authorization: Bearer <token>`: a Folio secret key (sk_test_/sk_live_) or an access
token from POST /{version}/jwt/client/obtain/token."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from folio.api.deps import Call, resolve_principal, state
from folio.domain.errors import Unauthenticated
from folio.services.accounts import Principal, authenticate_access_token

_bearer = HTTPBearer(auto_error=False, description="A Folio secret key or an access token")


def principal_for(request: Request, token: str | None) -> Principal:
    app = state(request)
    if not token:
        raise Unauthenticated("Not authenticated", code="api_key_missing")
    if "\x00" in token:
        raise Unauthenticated("Invalid token.", code="api_key_invalid")
    if token.startswith("sk_"):
        return resolve_principal(app, token, None)
    with app.db.transaction(write=False) as session:
        return authenticate_access_token(session, app.settings.secret, token, app.clock())


def dollr_call(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Call:
    token = credentials.credentials if credentials else None
    return Call.for_request(request, principal_for(request, token))


CallDep = Annotated[Call, Depends(dollr_call)]
