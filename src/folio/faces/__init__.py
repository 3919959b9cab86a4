"""Vendor faces: each a thin FastAPI sub-application that translates one vendor's API to
and from Folio's services. A face holds no business rules.

By default every face is mounted at `/compat/<name>`; `FOLIO_FACES` chooses which, and
`FOLIO_ROOT_FACE` also mounts one face at `/` (after Folio's own routes).
"""

from __future__ import annotations

import importlib

from fastapi import FastAPI

from folio.api.deps import AppState


def build_face(name: str, state: AppState) -> FastAPI:
    module = importlib.import_module(f"folio.faces.{name}.app")
    face: FastAPI = module.create_app()
    face.state.folio = state
    return face


def mount_faces(app: FastAPI, state: AppState, enabled: tuple[str, ...],
                root: str | None) -> None:
    for name in enabled:
        app.mount(f"/compat/{name}", build_face(name, state), name=f"face-{name}")
    if root:
        app.mount("/", build_face(root, state), name=f"face-{root}-root")
