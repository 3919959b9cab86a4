"""Documents of invoices and credit notes: EN 16931 e-invoices (UBL, CII, Factur-X)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from folio.api.deps import CallDep
from folio.api.errors import ErrorResponse
from folio.api.routes.common import ERRORS
from folio.services import einvoices
from folio.services.einvoices import EInvoice, EInvoiceFormat

router = APIRouter(prefix="/v1", responses=ERRORS)

FORMAT_HELP = ("`ubl`: UBL 2.1, Peppol BIS Billing 3.0 (the default); `cii`: UN/CEFACT CII, "
               "EN 16931 profile (the XML of Factur-X / ZUGFeRD); `facturx`: Factur-X "
               "EN 16931, the document's PDF/A-3b with the CII embedded "
               "(`application/pdf`).")
FormatQuery = Annotated[EInvoiceFormat, Query(description=FORMAT_HELP)]
XML_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "The e-invoice", "content": {
        "application/xml": {"schema": {"type": "string"}},
        "application/pdf": {"schema": {"type": "string", "format": "binary"}}}},
    409: {"model": ErrorResponse, "description": "A draft has no e-invoice "
          "(`invoice_not_finalized`, `credit_note_not_issued`)"},
    422: {"model": ErrorResponse, "description": "`einvoice_invalid`: the document breaks "
          "EN 16931 business rules, each named in `error.failures`"},
}


def _xml(document: EInvoice) -> Response:
    return Response(content=document.content, media_type=document.media_type, headers={
        "Content-Disposition": f'attachment; filename="{document.filename}"'})


@router.get("/invoices/{invoice_id}/einvoice", response_class=Response,
            responses=XML_RESPONSES, tags=["invoices"],
            summary="A finalized invoice as an EN 16931 e-invoice (UBL, CII, Factur-X)")
def invoice_einvoice(invoice_id: str, call: CallDep,
                     format: FormatQuery = EInvoiceFormat.UBL) -> Response:
    return call.read(lambda ctx: _xml(einvoices.invoice_einvoice(ctx, invoice_id, format)))


@router.get("/credit_notes/{credit_note_id}/einvoice", response_class=Response,
            responses=XML_RESPONSES, tags=["credit_notes"],
            summary="An issued credit note as an EN 16931 e-invoice (UBL, CII, Factur-X)")
def credit_note_einvoice(credit_note_id: str, call: CallDep,
                         format: FormatQuery = EInvoiceFormat.UBL) -> Response:
    return call.read(
        lambda ctx: _xml(einvoices.credit_note_einvoice(ctx, credit_note_id, format)))
