"""`GET /pdf/{token}`: the PDF behind a signed, expiring download link
(`services.pdf_links`). Public: the link is the capability."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from folio.api.deps import state
from folio.services import pdf_links
from folio.web.hosted_page import SECURITY_HEADERS, page

router = APIRouter(include_in_schema=False)


@router.get("/pdf/{token}")
def signed_pdf(token: str, request: Request) -> Response:
    app = state(request)
    with app.db.transaction(write=False) as session:
        found = pdf_links.pdf_for_link(session, token, app.settings.secret, app.clock())
    if found is None:  # forged, altered or expired: all the same to the holder
        missing: Response = page("missing.html", status_code=404)
        return missing
    return Response(found.content, media_type=found.media_type, headers={
        **SECURITY_HEADERS, "Content-Disposition": f'inline; filename="{found.filename}"'})
