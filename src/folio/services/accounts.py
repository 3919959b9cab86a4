"""Accounts and secret keys. Keys are shown once and stored as HMAC-SHA256."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from folio.db.base import random_token
from folio.db.models import Account, ApiKey, ClientCredential
from folio.domain.errors import Forbidden, NotFound, Unauthenticated
from folio.services.context import system_clock


@dataclass(frozen=True)
class IssuedKeys:
    account: Account
    test_key: str
    live_key: str


@lru_cache(maxsize=8)
def _secret_bytes(secret: str) -> bytes:
    return secret.encode()


def hash_key(secret: str, key: str) -> str:
    return hmac.new(_secret_bytes(secret), key.encode(), hashlib.sha256).hexdigest()


def _issue_key(session: Session, secret: str, account: Account, livemode: bool) -> str:
    text = f"sk_{'live' if livemode else 'test'}_{random_token(32)}"
    session.add(ApiKey(account_id=account.id, livemode=livemode,
                       secret_hash=hash_key(secret, text), last4=text[-4:],
                       created=system_clock()))
    return text


def create_account(
    session: Session, secret: str, *, name: str, platform_public_id: str | None = None,
    email: str | None = None, country: str | None = None, default_currency: str = "eur",
    numbering_scope: str = "account",
) -> IssuedKeys:
    platform_id = None
    if platform_public_id:
        platform = session.scalars(
            select(Account).where(Account.public_id == platform_public_id)
        ).first()
        if platform is None:
            raise NotFound(f"No such account: '{platform_public_id}'.", param="platform")
        if platform.platform_id is not None:
            raise Forbidden("A connected account cannot own connected accounts.",
                            param="platform")
        platform_id = platform.id
    account = Account(name=name, platform_id=platform_id, email=email, country=country,
                      default_currency=default_currency, numbering_scope=numbering_scope,
                      created=system_clock(), metadata_={})
    session.add(account)
    session.flush()
    return IssuedKeys(account=account, test_key=_issue_key(session, secret, account, False),
                      live_key=_issue_key(session, secret, account, True))


@dataclass(frozen=True)
class Principal:
    """Who a request acts as: the key's account (or a connected account of it) and mode."""

    key_account_id: int
    account_id: int
    livemode: bool


def authenticate(session: Session, secret: str, key: str | None,
                 acting_account: str | None = None) -> Principal:
    if not key:
        raise Unauthenticated("No API key provided. Use 'Authorization: Bearer sk_...'.",
                              code="api_key_missing")
    row = session.execute(
        select(ApiKey.account_id, ApiKey.livemode).where(
            ApiKey.secret_hash == hash_key(secret, key), ApiKey.revoked.is_(False))
    ).first()
    if row is None:
        raise Unauthenticated("Invalid API key provided.", code="api_key_invalid")
    key_account_id, livemode = row
    account_id = key_account_id
    if acting_account:
        # a NUL can be in no public id (and PostgreSQL refuses it in a query): not found
        target = None if "\x00" in acting_account else session.execute(
            select(Account.id, Account.platform_id).where(Account.public_id == acting_account)
        ).first()
        # not found and not ours answer the same, so no account id leaks
        if target is None or (target.id != key_account_id
                              and target.platform_id != key_account_id):
            raise Forbidden(f"The key cannot act on account '{acting_account}'.",
                            param="Folio-Account", code="account_invalid")
        account_id = target.id
    return Principal(key_account_id=key_account_id, account_id=account_id, livemode=livemode)


def connected_accounts(session: Session, platform_id: int) -> list[Account]:
    return list(session.scalars(select(Account).where(Account.platform_id == platform_id)
                                .order_by(Account.id)))


# Client credentials (Dollr's token endpoint): a client id and secret, shown once and stored
# as HMAC-SHA256 like API keys, exchanged for a short-lived signed bearer token.
ACCESS_TOKEN_MINUTES = 60


@dataclass(frozen=True)
class IssuedCredentials:
    account_public_id: str
    livemode: bool
    client_id: str
    client_secret: str


@dataclass(frozen=True)
class AccessToken:
    access_token: str
    expires_in_minutes: int


def issue_client_credentials(session: Session, secret: str, account_public_id: str,
                             livemode: bool, now: int | None = None) -> IssuedCredentials:
    account = session.scalars(
        select(Account).where(Account.public_id == account_public_id)).first()
    if account is None:
        raise NotFound(f"No such account: '{account_public_id}'.", param="account")
    client_id = f"cli_{random_token(24)}"
    client_secret = f"cs_{'live' if livemode else 'test'}_{random_token(40)}"
    session.add(ClientCredential(account_id=account.id, livemode=livemode, client_id=client_id,
                                 secret_hash=hash_key(secret, client_secret),
                                 created=now if now is not None else system_clock()))
    session.flush()
    return IssuedCredentials(account_public_id=account.public_id, livemode=livemode,
                             client_id=client_id, client_secret=client_secret)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _sign(secret: str, signing_input: str) -> str:
    # a key derived for tokens only, so a token signature is never an API key hash
    key = hmac.new(_secret_bytes(secret), b"folio-access-token", hashlib.sha256).digest()
    return _b64(hmac.new(key, signing_input.encode(), hashlib.sha256).digest())


_TOKEN_HEADER = _b64(b'{"alg":"HS256","typ":"JWT"}')


def exchange_client_credentials(session: Session, secret: str, client_id: str,
                                client_secret: str, now: int,
                                minutes: int = ACCESS_TOKEN_MINUTES) -> AccessToken:
    """A signed, expiring bearer token (JWT-shaped, HS256) for valid client credentials."""
    row = session.scalars(select(ClientCredential).where(
        ClientCredential.client_id == client_id, ClientCredential.revoked.is_(False))).first()
    if row is None or not hmac.compare_digest(row.secret_hash,
                                              hash_key(secret, client_secret)):
        raise Unauthenticated("Invalid client credentials.", code="client_credentials_invalid")
    payload = {"sub": row.client_id, "account_id": row.account_id, "livemode": row.livemode,
               "exp": now + minutes * 60}
    body = _b64(json.dumps(payload, separators=(",", ":")).encode())
    signing_input = f"{_TOKEN_HEADER}.{body}"
    return AccessToken(f"{signing_input}.{_sign(secret, signing_input)}", minutes)


def authenticate_access_token(session: Session, secret: str, token: str,
                              now: int) -> Principal:
    """The principal of a token from exchange_client_credentials: signature, expiry and
    the credential (not revoked) are checked."""
    invalid = Unauthenticated("Invalid access token.", code="access_token_invalid")
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != _TOKEN_HEADER:
        raise invalid
    if not hmac.compare_digest(_sign(secret, f"{parts[0]}.{parts[1]}"), parts[2]):
        raise invalid
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (binascii.Error, ValueError):
        raise invalid from None
    if not isinstance(payload, dict):
        raise invalid
    account_id, livemode = payload.get("account_id"), payload.get("livemode")
    exp, client_id = payload.get("exp"), payload.get("sub")
    if (not isinstance(account_id, int) or not isinstance(livemode, bool)
            or not isinstance(exp, int) or not isinstance(client_id, str)):
        raise invalid
    if exp <= now:
        raise Unauthenticated("The access token has expired.", code="access_token_expired")
    live = session.scalars(select(ClientCredential.id).where(
        ClientCredential.client_id == client_id, ClientCredential.account_id == account_id,
        ClientCredential.livemode == livemode, ClientCredential.revoked.is_(False))).first()
    if live is None:
        raise invalid
    return Principal(key_account_id=account_id, account_id=account_id, livemode=livemode)
