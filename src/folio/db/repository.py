"""Tenant-scoped lookups and cursor pages. Every query filters on account and mode."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from folio.db.base import TenantOwned
from folio.domain.errors import InvalidInput, NotFound

T = TypeVar("T", bound=TenantOwned)

MAX_PAGE = 100


@dataclass(frozen=True)
class Scope:
    account_id: int
    livemode: bool


@dataclass(frozen=True)
class Page:
    limit: int = 10
    starting_after: str | None = None
    ending_before: str | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_PAGE:
            raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}.", param="limit")
        if self.starting_after and self.ending_before:
            raise InvalidInput("Use starting_after or ending_before, not both.",
                               param="ending_before")


def scoped(model: type[T], scope: Scope) -> Select[T]:
    return select(model).where(model.account_id == scope.account_id,
                               model.livemode == scope.livemode)


def get_by_public_id(
    session: Session, model: type[T], scope: Scope, public_id: str, *, param: str = "id",
    for_update: bool = False,
) -> T:
    stmt = scoped(model, scope).where(model.public_id == public_id)
    if for_update:
        stmt = stmt.with_for_update(of=model)
    obj = session.scalars(stmt).first()
    if obj is None:
        name = model.__tablename__.rstrip("s").replace("_", " ")  # type: ignore[attr-defined]
        raise NotFound(f"No such {name}: '{public_id}'.", param=param)
    return obj


def page(
    session: Session, stmt: Select[T], model: type[T], scope: Scope, p: Page,
) -> tuple[list[T], bool]:
    """Newest first. Returns the items and whether more exist in the paging direction."""
    cursor_id = p.starting_after or p.ending_before
    if cursor_id:
        cursor = session.scalars(
            scoped(model, scope).where(model.public_id == cursor_id)
        ).first()
        if cursor is None:
            param = "starting_after" if p.starting_after else "ending_before"
            raise InvalidInput(f"No such object for cursor: '{cursor_id}'.", param=param)
        if p.starting_after:
            stmt = stmt.where(model.id < cursor.id)
        else:
            stmt = stmt.where(model.id > cursor.id)
    order = model.id.asc() if p.ending_before else model.id.desc()
    rows = list(session.scalars(stmt.order_by(order).limit(p.limit + 1)).unique())
    has_more = len(rows) > p.limit
    rows = rows[: p.limit]
    if p.ending_before:
        rows.reverse()
    return rows, has_more


def created_filter(stmt: Select[Any], model: type[TenantOwned], created: dict[str, int] | None
                   ) -> Select[Any]:
    if not created:
        return stmt
    ops = {"gt": model.created.__gt__, "gte": model.created.__ge__,
           "lt": model.created.__lt__, "lte": model.created.__le__}
    for op, value in created.items():
        stmt = stmt.where(ops[op](value))
    return stmt
