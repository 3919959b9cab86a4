"""Declarative base and the columns every tenant object shares."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from folio.db.types import IntPK
from folio.entropy import random_bytes

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


# byte b < 248 (= 4 x 62) -> _ALPHABET[b % 62]; bytes 248..255 are dropped
_TOKEN_TABLE = bytes(ord(_ALPHABET[b % 62]) for b in range(248)) + bytes(8)
_TOKEN_DROP = bytes(range(248, 256))


def random_token(length: int = 24) -> str:
    """`length` characters drawn uniformly from the 62 letters and digits (random bytes
    below 248 = 4 x 62 taken modulo 62, the others discarded): the same distribution as
    one `secrets.choice` per character, mapped in C by `bytes.translate`. For secrets:
    straight from `secrets`."""
    return _token(length, secrets.token_bytes)


def _token(length: int, draw: Callable[[int], bytes]) -> str:
    out = b""
    while len(out) < length:
        out += draw(length + 8).translate(_TOKEN_TABLE, _TOKEN_DROP)
    return out[:length].decode("ascii")


def new_public_id(prefix: str) -> str:
    return f"{prefix}_{_token(24, random_bytes)}"


def new_uuid() -> str:
    """A random (version 4) UUID as text: what `str(uuid.uuid4())` gives, formatted
    without building the UUID object."""
    b = bytearray(random_bytes(16))
    b[6] = (b[6] & 0x0F) | 0x40  # version 4
    b[8] = (b[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = b.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Identified:
    """Three identities per row: an integer key (Dollr), a UUID (Dolfin) and a prefixed
    public id (Stripe style). Each is unique and indexed."""

    id_prefix: str = "obj"

    id: Mapped[int] = mapped_column(IntPK, primary_key=True, autoincrement=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)

    @declared_attr
    def public_id(cls) -> Mapped[str]:  # noqa: N805
        prefix = cls.id_prefix
        return mapped_column(String(40), unique=True, default=lambda: new_public_id(prefix))

    created: Mapped[int] = mapped_column(BigInteger)


class TenantOwned(Identified):
    """Owned by one account, in one mode. Every lookup filters on both."""

    @declared_attr
    def account_id(cls) -> Mapped[int]:  # noqa: N805
        return mapped_column(ForeignKey("accounts.id"), index=True)

    livemode: Mapped[bool] = mapped_column(Boolean, default=False)
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JSON, default=dict)
