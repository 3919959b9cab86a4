from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Query, Response
from pydantic import Field

from folio.api.deps import CallDep
from folio.api.routes.common import ERRORS, CreatedDep, PageDep, listing
from folio.api.schemas.common import Deleted, ListOf
from folio.api.schemas.invoices import InvoiceOut
from folio.services import collection, hosted, invoice_reads, invoices, lifecycle
from folio.services.inputs.common import Input
from folio.services.inputs.invoices import InvoiceCreate, InvoiceUpdate, LineCreate, LineUpdate
from folio.services.views import invoice_view

router = APIRouter(prefix="/v1/invoices", tags=["invoices"], responses=ERRORS)


class LinesAdd(Input):
    lines: list[LineCreate] = Field(min_length=1, max_length=1000)


class PayBody(Input):
    method: Literal["manual", "bank_transfer", "card", "cash", "check", "other"] = "manual"
    reference: Annotated[str, Field(max_length=200)] | None = None


@router.post("", response_model=InvoiceOut, summary="Create a draft invoice")
def create_invoice(body: InvoiceCreate, call: CallDep) -> Response:
    return call.write(lambda ctx: invoice_view(invoices.create_invoice(ctx, body)), body)


@router.post("/preview", response_model=InvoiceOut,
             summary="Compute an invoice exactly as create would, writing nothing")
def preview_invoice(body: InvoiceCreate, call: CallDep) -> Response:
    return call.read(lambda ctx: invoices.preview_invoice(ctx, body))


@router.get("/{invoice_id}", response_model=InvoiceOut, summary="Retrieve an invoice")
def get_invoice(invoice_id: str, call: CallDep) -> Response:
    return call.read(lambda ctx: invoice_reads.invoice_view_by_public_id(ctx, invoice_id))


@router.post("/{invoice_id}", response_model=InvoiceOut, summary="Update a draft invoice")
def update_invoice(invoice_id: str, body: InvoiceUpdate, call: CallDep) -> Response:
    return call.write(
        lambda ctx: invoice_view(invoices.update_invoice(ctx, invoice_id, body)), body)


@router.delete("/{invoice_id}", response_model=Deleted, summary="Delete a draft invoice")
def delete_invoice(invoice_id: str, call: CallDep) -> Response:
    return call.write(lambda ctx: invoices.delete_draft(ctx, invoice_id))


@router.get("", response_model=ListOf[InvoiceOut], summary="List invoices")
def list_invoices(
    call: CallDep, page: PageDep, created: CreatedDep,
    status: Literal["draft", "open", "paid", "void", "uncollectible"] | None = None,
    customer: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    return call.read(lambda ctx: listing(
        invoices.list_invoices(ctx, page, status=status, customer=customer, created=created),
        invoice_view, "/v1/invoices"))


@router.post("/{invoice_id}/lines", response_model=InvoiceOut, summary="Add lines to a draft")
def add_lines(invoice_id: str, body: LinesAdd, call: CallDep) -> Response:
    return call.write(
        lambda ctx: invoice_view(invoices.add_lines(ctx, invoice_id, body.lines)), body)


@router.post("/{invoice_id}/lines/{line_id}", response_model=InvoiceOut,
             summary="Update a line of a draft")
def update_line(invoice_id: str, line_id: str, body: LineUpdate, call: CallDep) -> Response:
    return call.write(lambda ctx: invoice_view(
        invoices.update_line(ctx, invoice_id, line_id, body)), body)


@router.delete("/{invoice_id}/lines/{line_id}", response_model=InvoiceOut,
               summary="Remove a line from a draft")
def remove_line(invoice_id: str, line_id: str, call: CallDep) -> Response:
    return call.write(lambda ctx: invoice_view(invoices.remove_line(ctx, invoice_id, line_id)))


@router.post("/{invoice_id}/finalize", response_model=InvoiceOut,
             summary="Finalize a draft: number, tax snapshot, open; charge_automatically "
             "invoices are charged to the customer's default payment method")
def finalize_invoice(invoice_id: str, call: CallDep) -> Response:
    return call.write(lambda ctx: invoice_view(collection.finalize_and_collect(ctx, invoice_id)))


@router.post("/{invoice_id}/hosted_url/rotate", response_model=InvoiceOut,
             summary="Revoke the hosted invoice page's URL and issue a new one")
def rotate_hosted_url(invoice_id: str, call: CallDep) -> Response:
    return call.write(lambda ctx: invoice_view(hosted.rotate_token(ctx, invoice_id)))


@router.post("/{invoice_id}/send", response_model=InvoiceOut,
             summary="Mark a send_invoice invoice sent (finalizing a draft first)")
def send_invoice(invoice_id: str, call: CallDep) -> Response:
    return call.write(lambda ctx: invoice_view(lifecycle.send_invoice(ctx, invoice_id)))


@router.post("/{invoice_id}/pay", response_model=InvoiceOut,
             summary="Record payment in full of what is due")
def pay_invoice(invoice_id: str, call: CallDep,
                body: Annotated[PayBody | None, Body()] = None) -> Response:
    pay = body or PayBody()
    return call.write(lambda ctx: invoice_view(lifecycle.pay_invoice(
        ctx, invoice_id, method=pay.method, reference=pay.reference)), pay)


@router.post("/{invoice_id}/void", response_model=InvoiceOut, summary="Void an invoice")
def void_invoice(invoice_id: str, call: CallDep) -> Response:
    return call.write(lambda ctx: invoice_view(lifecycle.void_invoice(ctx, invoice_id)))


@router.post("/{invoice_id}/mark_uncollectible", response_model=InvoiceOut,
             summary="Mark an invoice uncollectible")
def mark_uncollectible(invoice_id: str, call: CallDep) -> Response:
    return call.write(lambda ctx: invoice_view(lifecycle.mark_uncollectible(ctx, invoice_id)))
