"""Routing by the path's first two segments, in front of FastAPI's router.

FastAPI's router tries every route in order, and since FastAPI 0.16x an included router is
matched route by route through an "effective route" layer: about 100 route checks for a
request to `/ping` (the last route), over half of the server CPU of an empty request
(ADR 7, third pass). This index gives each request only the routes that can match it.

Every route's path is known when the app is built. A route whose first two segments are
literal text (`/v1/invoices/{invoice_id}` -> `v1`, `invoices`; `/ping` -> `ping`) can only
match a path that starts with those segments; any other route (a parameter or a mount's
tail among its first two segments) may match anything. For each literal key the index
keeps a copy of the app's router holding, in the original order, the top-level routes
with a leaf under that key plus every may-match-anything route, and a request with that
key is routed by that copy: the same FastAPI code, the same order, fewer candidates.
A request whose key no route names (an unknown path, `/ping/` awaiting its redirect)
goes to the full router, so 404s, 405s and slash redirects are unchanged (as does any
request under a root path).
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


def _literal_key(pattern: str) -> Key | None:
    """The key every path this pattern matches has, or None if it has no fixed key."""
    key = path_key(pattern)
    return None if any("{" in segment for segment in key) else key


class RouteIndex:
    """The router's entry point, replaced: a request goes to the copy of the router that
    holds only the routes its key can match (see the module text)."""

    def __init__(self, router: APIRouter) -> None:
        self.router = router
        self.full = router.middleware_stack
        keyed: list[tuple[BaseRoute, set[Key] | None]] = []
        for route in router.routes:
            keys: set[Key] | None = set()
            for pattern in _leaf_paths(route):
                key = _literal_key(pattern)
                if key is None:
                    keys = None
                    break
                keys.add(key)  # type: ignore[union-attr]
            keyed.append((route, keys))
        all_keys = {key for _, keys in keyed if keys for key in keys}
        self.routers: dict[Key, APIRouter] = {}
        for key in all_keys:
            sub = copy.copy(router)
            sub.routes = [route for route, keys in keyed if keys is None or key in keys]
            self.routers[key] = sub

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope.get("root_path"):
            sub = self.routers.get(path_key(scope["path"]))
            if sub is not None:
                scope.setdefault("router", self.router)  # url_for sees every route
                await sub.app(scope, receive, send)
                return
        await self.full(scope, receive, send)


def install(app: FastAPI) -> None:
    """Routes `app`'s requests through a RouteIndex. Call it after the last route is added
    (routes added later would be reachable only through the full router)."""
    app.router.middleware_stack = RouteIndex(app.router)
