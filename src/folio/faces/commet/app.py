"""The Commet face: Commet's invoice and customer API over Folio (see docs/faces/commet.md).

A client sets its base URL to http://HOST/compat/commet (instead of
https://commet.co/api/v1) and sends `x-api-key: <Folio secret key>`."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from folio.faces.commet import catalog, errors, routes, usage, usage_limits


class RequestIdHeader:
    """Commet answers with `x-request-id`: the id Folio gave the request (also sent as
    Request-Id by Folio's own middleware)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = str(scope.get("folio.request_id", "")).encode()

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start" and request_id:
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.lower() != b"x-request-id"]
                message["headers"] = [*headers, (b"x-request-id", request_id)]
            await send(message)

        await self.app(scope, receive, send_with_id)


def create_app() -> FastAPI:
    app = FastAPI(title="Folio — Commet face",
                  description="Commet's invoice API (base https://commet.co/api/v1) over Folio. "
                              "Authenticate with `x-api-key: sk_test_…` or `sk_live_…`.")
    errors.install(app)
    app.include_router(routes.router)
    app.include_router(usage.router)
    app.include_router(catalog.router)
    app.include_router(usage_limits.router)
    app.add_middleware(RequestIdHeader)
    return app
