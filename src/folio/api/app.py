"""The FastAPI application: routers, error mapping, health, metrics."""

from __future__ import annotations

import gc
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import FastAPI, Response
from fastapi.responses import PlainTextResponse
from sqlalchemy import text

from folio import __version__
from folio.api import errors, route_index
from folio.api.deps import AppState, AuthCache
from folio.api.hot_reads import HotReads
from folio.api.hot_writes import HotWrites
from folio.api.observability import Metrics, ObservabilityMiddleware, configure_logging
from folio.api.routes import (
    account,
    catalog,
    credit_grants,
    customers,
    deliveries,
    documents,
    invoices,
    ledger,
    payment_methods,
    pdfs,
    recurring_schedules,
    subscriptions,
    test_clocks,
    usage,
)
from folio.config import Settings
from folio.db.engine import Database
from folio.faces import mount_faces
from folio.services.context import system_clock
from folio.services.links import set_public_base_url
from folio.web import hosted_page, pdf_links, static_files
from folio.worker.health import render_job_metrics

DESCRIPTION = """Folio's canonical API. Authenticate with `Authorization: Bearer sk_test_...`
(or `sk_live_...`). Amounts are integers in the currency's minor unit. Every POST accepts an
`Idempotency-Key` header."""


def create_app(settings: Settings | None = None, db: Database | None = None,
               clock: Callable[[], int] = system_clock) -> FastAPI:
    settings = settings or Settings.from_env()
    db = db or Database(settings.database_url)
    app = FastAPI(title="Folio", version=__version__, description=DESCRIPTION)
    app.state.folio = AppState(db=db, settings=settings, clock=clock, auth_cache=AuthCache())
    metrics = Metrics()
    app.state.metrics = metrics
    errors.install(app)
    for module in (account, customers, credit_grants, catalog, invoices, documents, ledger,
                   usage, payment_methods, recurring_schedules, pdfs, deliveries,
                   subscriptions, test_clocks):
        app.include_router(module.router)
    app.include_router(hosted_page.router)
    app.include_router(static_files.router)
    app.include_router(pdf_links.router)
    set_public_base_url(settings.base_url)

    @app.get("/healthz", tags=["operations"], summary="Liveness and database check")
    def healthz() -> dict[str, str]:
        with db.transaction(write=False) as session:
            session.execute(text("SELECT 1"))
        return {"status": "ok", "database": db.dialect}

    @app.get("/metrics", response_class=PlainTextResponse, tags=["operations"],
             summary="Request counts and latencies (Prometheus text format)")
    def metrics_endpoint() -> str:
        worker = getattr(app.state, "worker", None)
        return metrics.render() + render_job_metrics(db, clock(), worker)

    @app.get("/ping", include_in_schema=False)
    def ping() -> Response:
        """The empty endpoint benchmarks measure against."""
        return Response(b"{}", media_type="application/json")

    app.add_middleware(HotReads, state=app.state.folio)
    app.add_middleware(HotWrites, state=app.state.folio)
    mount_faces(app, app.state.folio, settings.faces, settings.root_face)
    route_index.install(app)  # after the last route
    app.add_middleware(ObservabilityMiddleware, metrics=metrics,
                       access_log=settings.access_log)
    return app


def served_app(settings: Settings | None = None) -> FastAPI:
    """The app as `folio serve` runs it (also uvicorn's factory for --workers > 1)."""
    if settings is None:  # a uvicorn worker process: set it up as `folio serve` does
        settings = Settings.from_env()
        configure_logging(settings.log_level)
    app = create_app(settings)
    if settings.embedded_worker:
        attach_worker(app, settings)
    # everything built so far lives as long as the process: keep it out of the garbage
    # collector's full passes (they were ~15 % of the usage ingestion path)
    gc.freeze()
    return app


def attach_worker(app: FastAPI, settings: Settings) -> None:
    """The job worker in a background thread of the server (the embedded setup): started
    with the app, stopped (after its current job) when the server shuts down."""
    from folio.worker.runner import Worker
    from folio.worker.wiring import default_registry

    state: AppState = app.state.folio
    worker = Worker(db=state.db, settings=settings, registry=default_registry(),
                    clock=state.clock)
    app.state.worker = worker
    threads: list[threading.Thread] = []

    def start() -> None:
        threads.append(worker.start_thread(settings.worker_poll_seconds))

    def stop() -> None:
        worker.stop.set()
        for thread in threads:
            thread.join()

    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: Any) -> AsyncIterator[Any]:
        start()
        try:
            async with inner(application) as value:
                yield value
        finally:
            await anyio.to_thread.run_sync(stop)

    app.router.lifespan_context = lifespan
