"""The Dollr face application (docs/faces/dollr.md): Dollr's invoice API over Folio."""

from __future__ import annotations

from fastapi import FastAPI

from folio.faces.dollr import errors, routes


def create_app() -> FastAPI:
    app = FastAPI(title="Folio — Dollr face", version="1.0.0",
                  description="Dollr's Open API (invoices, parties, counterparties) served "
                              "by Folio. Errors are FastAPI's own shapes.")
    errors.install(app)
    app.include_router(routes.router)
    return app
