"""Routing by the path's first two segments, in front of FastAPI's router.

FastAPI's router tries every route in order, and since FastAPI 0.16x an included router is
matched route by route through an "effective route" layer: about 100 route checks for a
request to `/ping` (the last route), over half of the server CPU of an empty request
(ADR 7, third pass). This index gives each request only the routes that can match it.

Every route's path is known when the app is built. A route whose first two segments are
literal text (`/v1/invoices/{invoice_id}` -> `v1`, `invoices`; `/ping` -> `ping`) can only
match a path that starts with those segments; one whose first segment only is literal
(`/i/{token}`) only a path under that segment; any other route (a parameter first) may
match anything. For each key the index keeps a copy of the app's router holding, in the
original order, the top-level routes that can match it, and a request with that key is
routed by that copy: the same FastAPI code, the same order, fewer candidates. A request
whose key no route names (an unknown path, `/ping/` awaiting its slash redirect) goes to
the full router, so 404s, 405s and redirects are unchanged (as does any request under a
root path).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator

from fastapi import FastAPI
from fastapi.routing import APIRouter
from starlette.routing import BaseRoute, Mount
from starlette.types import Receive, Scope, Send

Key = tuple[str, ...]

try:  # FastAPI >= 0.16x keeps included routers as nodes; older versions copy their routes
    from fastapi.routing import _EffectiveRouteContext, _IncludedRouter
except ImportError:  # pragma: no cover - depends on the installed FastAPI
    _EffectiveRouteContext = _IncludedRouter = None  # type: ignore[assignment,misc]


def _leaf_paths(route: object) -> Iterator[str]:
    """The path patterns a top-level route can match; a mount's as `<prefix>/{path:path}`."""
    if _IncludedRouter is not None and isinstance(route, _IncludedRouter):
        for child in route.effective_candidates():
            yield from _leaf_paths(child)
        return
    if _EffectiveRouteContext is not None and isinstance(route, _EffectiveRouteContext):
        target = route.starlette_route
        if target is None:
            yield route.path
            return
        route = target
    path = getattr(route, "path", None)
    if not isinstance(path, str):
        yield "{any:path}"  # a host route or something unknown: may match anything
    elif isinstance(route, Mount):
        yield path.rstrip("/") + "/{path:path}"
    else:
        yield path


def path_key(path: str) -> Key:
    """The first two segments of a request path (one for `/ping`)."""
    return tuple(path.split("/", 3)[1:3])


def _leaf_key(pattern: str) -> tuple[str, Key | None]:
    """How a route's pattern is keyed: ("exact", key) when its first two segments (or its
    only one) are literal, ("first", (segment,)) when only the first is, ("any", None)."""
    key = path_key(pattern)
    if not key or "{" in key[0]:
        return "any", None
    if len(key) == 1 or "{" not in key[1]:
        return "exact", key
    return "first", key[:1]


class RouteIndex:
    """The router's entry point, replaced: a request goes to the copy of the router that
    holds only the routes its key can match (see the module text)."""

    def __init__(self, router: APIRouter) -> None:
        self.router = router
        self.full = router.middleware_stack
        routes: list[tuple[BaseRoute, set[Key], set[str], bool]] = []
        for route in router.routes:
            exact: set[Key] = set()
            first: set[str] = set()
            anything = False
            for pattern in _leaf_paths(route):
                kind, key = _leaf_key(pattern)
                if key is None:
                    anything = True
                elif kind == "exact":
                    exact.add(key)
                else:
                    first.add(key[0])
            routes.append((route, exact, first, anything))

        def keeping(wanted: set[int]) -> APIRouter:  # the original order, fewer routes
            sub = copy.copy(router)
            sub.routes = [route for i, (route, *_) in enumerate(routes) if i in wanted]
            return sub

        anywhere = {i for i, (_, _, _, anything) in enumerate(routes) if anything}
        under: dict[str, set[int]] = {}  # first segment -> routes with a parameter next
        exactly: dict[Key, set[int]] = {}
        for i, (_, exact, first, _) in enumerate(routes):
            for segment in first:
                under.setdefault(segment, set()).add(i)
            for key in exact:
                exactly.setdefault(key, set()).add(i)
        # /a/b: the routes under exactly (a, b), those under a with a parameter next, and
        # those that may match anything; /a: its own routes and those that match anything;
        # /a/<other>: the routes under a with a parameter next and those that match anything
        self.routers = {key: keeping(indexes | anywhere | (
                            under.get(key[0], set()) if len(key) == 2 else set()))
                        for key, indexes in exactly.items()}
        self.first = {segment: keeping(indexes | anywhere)
                      for segment, indexes in under.items()}

    def router_for(self, path: str) -> APIRouter | None:
        """The reduced router for a path; None: the full router (no route names its key,
        or `/a/`, whose slash redirect may lead under another key)."""
        key = path_key(path)
        sub = self.routers.get(key)
        if sub is None and len(key) == 2 and key[1]:
            sub = self.first.get(key[0])
        return sub

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope.get("root_path"):
            sub = self.router_for(scope["path"])
            if sub is not None:
                scope.setdefault("router", self.router)  # url_for sees every route
                await sub.app(scope, receive, send)
                return
        await self.full(scope, receive, send)


def install(app: FastAPI) -> None:
    """Routes `app`'s requests through a RouteIndex. Call it after the last route is added
    (routes added later would be reachable only through the full router)."""
    app.router.middleware_stack = RouteIndex(app.router)
