"""What every resource router shares: declared errors, paging parameters, list bodies."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query

from folio.api.errors import ErrorResponse
from folio.db.repository import Page

T = TypeVar("T")
MAX_TIME = 32503680000  # unix seconds, year 3000: larger values overflow the database

ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": text}
    for status, text in [(400, "Invalid request"), (401, "Missing or invalid API key"),
                         (403, "The key may not act on this account"),
                         (404, "No such object for this account and mode"),
                         (409, "The object's state refuses the action, or an idempotency "
                               "conflict"),
                         (422, "A money rule refuses the request")]
}


def page_dep(
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    starting_after: Annotated[str | None, Query(max_length=40)] = None,
    ending_before: Annotated[str | None, Query(max_length=40)] = None,
) -> Page:
    return Page(limit=limit, starting_after=starting_after, ending_before=ending_before)


def created_dep(
    gt: Annotated[int | None, Query(alias="created[gt]", ge=0, le=MAX_TIME)] = None,
    gte: Annotated[int | None, Query(alias="created[gte]", ge=0, le=MAX_TIME)] = None,
    lt: Annotated[int | None, Query(alias="created[lt]", ge=0, le=MAX_TIME)] = None,
    lte: Annotated[int | None, Query(alias="created[lte]", ge=0, le=MAX_TIME)] = None,
) -> dict[str, int] | None:
    given = {k: v for k, v in {"gt": gt, "gte": gte, "lt": lt, "lte": lte}.items()
             if v is not None}
    return given or None


PageDep = Annotated[Page, Depends(page_dep)]
CreatedDep = Annotated[dict[str, int] | None, Depends(created_dep)]


def listing(result: tuple[Sequence[T], bool], view: Callable[[T], dict[str, Any]],
            url: str) -> dict[str, Any]:
    items, has_more = result
    return {"object": "list", "data": [view(x) for x in items], "has_more": has_more,
            "url": url}


def listing_of(result: tuple[Sequence[T], bool],
               views: Callable[[Sequence[T]], list[dict[str, Any]]], url: str
               ) -> dict[str, Any]:
    """A list whose items are rendered together (one query for the whole page)."""
    items, has_more = result
    return {"object": "list", "data": views(items), "has_more": has_more, "url": url}
