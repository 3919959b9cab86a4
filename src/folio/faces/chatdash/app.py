"""The ChatDash face: ChatDash's public API (a proxy over Stripe Connect) over Folio.

A client sets its base URL to `http://HOST/compat/chatdash` instead of
`https://api.chat-dash.com/v1/public`. See docs/faces/chatdash.md.
"""

from __future__ import annotations

from fastapi import FastAPI

from folio.faces.chatdash import errors, routes, subscriptions


def create_app() -> FastAPI:
    app = FastAPI(title="Folio — ChatDash face", version="2.0.0",
                  description="ChatDash's public API over Folio. Authenticate with "
                              "`Authorization: <Folio secret key>` (raw or Bearer).")
    errors.install(app)
    app.include_router(routes.router)
    app.include_router(subscriptions.router)
    return app
