"""ChatDash authentication with Folio secret keys.

`Authorization: <key>` (the raw key, as ChatDash documents it) or `Authorization: Bearer
<key>`. The key is a Folio secret key (`sk_test_…` / `sk_live_…`); its mode decides which
data the request sees. The `accountId` of the Stripe routes is a Folio account id: the key's
own account or one of its connected accounts; any other id answers 404, exactly like an
unknown one, so no account id leaks.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from folio.api.deps import Call, resolve_principal, state
from folio.domain.errors import Forbidden, InvalidInput, NotFound

AuthorizationHeader = Annotated[
    str | None, Header(description="Your API key (a Folio secret key), raw or as 'Bearer <key>'")]
IdempotencyHeader = Annotated[
    str | None, Header(alias="Idempotency-Key", max_length=255,
                       description="Optional (a Folio extension): replays a POST safely")]
ActingHeader = Annotated[
    str | None, Header(alias="Folio-Account", max_length=40,
                       description="Optional (a Folio extension): manage the clients of a "
                                   "connected account instead of the key's own")]


def api_key(authorization: str | None) -> str | None:
    if not authorization or not authorization.strip():
        return None
    text = authorization.strip()
    scheme, _, rest = text.partition(" ")
    if scheme.lower() == "bearer":
        return rest.strip() or None
    return text


def _no_nul(request: Request, *values: str | None) -> None:
    """PostgreSQL text cannot hold NUL: refuse it anywhere in the request's ids, never a 500."""
    named = [*request.path_params.items(), *request.query_params.items()]
    for name, value in [*named, *(("header", v or "") for v in values)]:
        if "\x00" in value:
            raise InvalidInput(f"{name} must not contain NUL characters.", param=name)


def call_for(request: Request, authorization: str | None, account_id: str | None,
             idempotency_key: str | None = None) -> Call:
    """Authenticate and act as `account_id` (None: the key's own account)."""
    _no_nul(request, idempotency_key)
    app = state(request)
    key = api_key(authorization)
    if account_id is None:
        principal = resolve_principal(app, key, None)
    else:
        resolve_principal(app, key, None)  # a missing or wrong key is 401 before any 404
        try:
            principal = resolve_principal(app, key, account_id)
        except Forbidden:
            raise NotFound(f"No such account: '{account_id}'.", param="accountId") from None
    return Call.for_request(request, principal, idempotency_key)


def account_call(request: Request, accountId: str,  # noqa: N803
                 authorization: AuthorizationHeader = None,
                 idempotency_key: IdempotencyHeader = None) -> Call:
    """The Stripe routes: act as the `accountId` of the path."""
    return call_for(request, authorization, accountId, idempotency_key)


def own_call(request: Request, authorization: AuthorizationHeader = None,
             folio_account: ActingHeader = None,
             idempotency_key: IdempotencyHeader = None) -> Call:
    """The /clients routes: act as the key's own account (or `Folio-Account`)."""
    return call_for(request, authorization, folio_account, idempotency_key)


# dependencies, so that a missing or wrong key answers 401 before the body is validated
AccountCall = Annotated[Call, Depends(account_call)]
OwnCall = Annotated[Call, Depends(own_call)]
