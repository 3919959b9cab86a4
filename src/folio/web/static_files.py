"""Static files of the web pages: only the pinned htmx build (fetched by `make install`,
see the Makefile), served with a year-long cache since its name carries its version.
Without it the hosted page works as plain HTML forms (progressive enhancement)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import Response

STATIC = Path(__file__).parent / "static"
_FOUND = sorted(STATIC.glob("htmx-*.min.js"))
HTMX_FILE: Path | None = _FOUND[-1] if _FOUND else None
HTMX_URL: str | None = f"/static/{HTMX_FILE.name}" if HTMX_FILE else None

router = APIRouter(include_in_schema=False)

if HTMX_FILE is not None:
    _BODY = HTMX_FILE.read_bytes()

    @router.get(f"/static/{HTMX_FILE.name}")
    def htmx_script() -> Response:
        return Response(_BODY, media_type="text/javascript", headers={
            "Cache-Control": "public, max-age=31536000, immutable",
            "X-Content-Type-Options": "nosniff"})
