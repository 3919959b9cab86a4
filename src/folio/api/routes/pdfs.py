"""PDFs of invoices and credit notes (typst, PDF/A-3b)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from folio.api.deps import CallDep
from folio.api.routes.common import ERRORS
from folio.services import pdfs
from folio.services.pdfs import PdfFile

router = APIRouter(prefix="/v1", responses=ERRORS)

PDF_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "The document as PDF/A-3b; a draft's is marked as a draft",
          "content": {"application/pdf": {"schema": {"type": "string",
                                                     "format": "binary"}}}},
}


def pdf_response(document: PdfFile, *, disposition: str = "inline") -> Response:
    return Response(content=document.content, media_type=document.media_type, headers={
        "Content-Disposition": f'{disposition}; filename="{document.filename}"'})


@router.get("/invoices/{invoice_id}/pdf", response_class=Response, responses=PDF_RESPONSES,
            tags=["invoices"], summary="The invoice as a PDF, in its customer's language")
def invoice_pdf(invoice_id: str, call: CallDep) -> Response:
    return call.read(lambda ctx: pdf_response(pdfs.invoice_pdf_file(ctx, invoice_id)))


@router.get("/credit_notes/{credit_note_id}/pdf", response_class=Response,
            responses=PDF_RESPONSES, tags=["credit_notes"],
            summary="The credit note as a PDF, in its customer's language")
def credit_note_pdf(credit_note_id: str, call: CallDep) -> Response:
    return call.read(lambda ctx: pdf_response(pdfs.credit_note_pdf_file(ctx, credit_note_id)))
