"""The Dolfin face application: Dolfin's AR paths over Folio's services, with Dolfin's
headers, uuids, decimal money and problem+json errors (see docs/faces/dolfin.md)."""

from __future__ import annotations

from fastapi import FastAPI

from folio.faces.dolfin import errors
from folio.faces.dolfin.routes import router


def create_app() -> FastAPI:
    app = FastAPI(title="Folio — Dolfin face", version="v1",
                  description="Dolfin API (AR) served by Folio. Authenticate with "
                              "`x-dolfin-api-key` and `x-dolfin-organisation-id`.")
    errors.install(app)
    app.include_router(router)
    return app
