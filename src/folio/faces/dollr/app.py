"""The dollr face application (placeholder until its routes land)."""

from __future__ import annotations

from fastapi import FastAPI


def create_app() -> FastAPI:
    return FastAPI(title="Folio — dollr face")
