"""Vendor faces: each a thin FastAPI sub-application that translates one vendor's API to
and from Folio's services. A face holds no business rules.

By default every face is mounted at `/compat/<name>`; `FOLIO_FACES` chooses which, and
`FOLIO_ROOT_FACE` also serves one face at `/`: a request whose path and method match one of
that face's routes goes to the face, every other request to Folio's own routes.
"""

from __future__ import annotations

import importlib

from fastapi import FastAPI
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

from folio.api.deps import AppState


def build_face(name: str, state: AppState) -> FastAPI:
    module = importlib.import_module(f"folio.faces.{name}.app")
    face: FastAPI = module.create_app()
    face.state.folio = state
    return face


class RootFace:
    """ASGI middleware serving one face at the root, beside Folio's own routes."""

    def __init__(self, app: ASGIApp, face: FastAPI) -> None:
        self.app = app
        self.face = face

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self._claims(scope):
            await self.face(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _claims(self, scope: Scope) -> bool:
        for route in self.face.router.routes:
            match, _ = route.matches(scope)
            if match is Match.FULL:
                return True
        return False


def mount_faces(app: FastAPI, state: AppState, enabled: tuple[str, ...],
                root: str | None) -> None:
    for name in enabled:
        app.mount(f"/compat/{name}", build_face(name, state), name=f"face-{name}")
    if root:
        app.add_middleware(RootFace, face=build_face(root, state))
