"""Accounts and secret keys. Keys are shown once and stored as HMAC-SHA256."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from folio.db.base import random_token
from folio.db.models import Account, ApiKey
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
