"""What the response models share: the common fields of a stored object, the seller's
and buyer's postal address, a period, a deletion answer and the list envelope.

Response models document /openapi.json exactly (schemathesis checks every response
against them); handlers return the service views directly for speed."""

from __future__ import annotations

from typing import Generic, Literal, TypeVar

from pydantic import BaseModel

T = TypeVar("T")


class Out(BaseModel):
    id: str
    uuid: str
    livemode: bool
    created: int
    metadata: dict[str, str]


class Address(BaseModel):
    line1: str | None = None
    line2: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None


class Period(BaseModel):
    start: int | None
    end: int | None


class Deleted(BaseModel):
    id: str
    object: str
    deleted: Literal[True]


class ListOf(BaseModel, Generic[T]):
    object: Literal["list"]
    data: list[T]
    has_more: bool
    url: str
