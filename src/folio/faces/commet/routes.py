"""Commet's paths (relative to its base URL https://commet.co/api/v1), translated to Folio's
services. No business rule lives here."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from folio.api.deps import state
from folio.db.models import Customer
from folio.db.repository import Page, scoped
from folio.faces.commet import mapping
from folio.faces.commet.auth import authenticate, call
from folio.faces.commet.schemas import (
    AddressIn,
    CommetStatus,
    CreatedInvoiceOut,
    CreditCreateIn,
    CreditOut,
    CreditRevocationOut,
    CustomerCreateIn,
    CustomerOut,
    CustomerUpdateIn,
    DownloadLinkOut,
    Envelope,
    ErrorEnvelope,
    InvoiceCreateIn,
    InvoiceOut,
    ListEnvelope,
    SentOut,
    StatusIn,
    StatusOut,
)
from folio.services import credit_balance, customers, invoices, lifecycle, pdf_links
from folio.services.context import Ctx
from folio.services.inputs.common import Address
from folio.services.inputs.customers import CustomerCreate, CustomerUpdate
from folio.services.inputs.invoices import InvoiceCreate, LineCreate
from folio.services.inputs.payments import CreditGrantCreate

ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorEnvelope, "description": text}
    for status, text in [(400, "Validation error"), (401, "Missing or invalid x-api-key"),
                         (404, "No such object for this key's account and mode"),
                         (409, "The object's state refuses the action"),
                         (422, "A money rule refuses the request")]
}
router = APIRouter(responses=ERRORS, dependencies=[Depends(authenticate)])

Limit = Annotated[int, Query(ge=1, le=100)]
Cursor = Annotated[str | None, Query(max_length=40)]
Ref = Annotated[str | None, Query(max_length=100)]


def customer_ref(ctx: Ctx, ref: str) -> str:
    """A Commet customer id is Folio's public id, or the caller's own id (stored as the
    customer's external id). Unknown references pass through, for the service's 404."""
    found = ctx.session.scalars(
        scoped(Customer, ctx.scope).where(Customer.public_id == ref)).first()
    if found is None:
        found = customers.find_by_external_id(ctx, ref)
    return found.public_id if found is not None else ref


# --- invoices ---

@router.get("/invoices/{invoice_id}", response_model=Envelope[InvoiceOut],
            summary="Get invoice")
def get_invoice(invoice_id: str, request: Request) -> Response:
    return call(request).read(lambda ctx: mapping.envelope(
        mapping.invoice_view(invoices.get_invoice(ctx, invoice_id))))


@router.get("/invoices", response_model=ListEnvelope[InvoiceOut], summary="List invoices")
def list_invoices(request: Request, customer_id: Annotated[Ref, Query(alias="customerId")] = None,
                  status: CommetStatus | None = None,
                  subscription_id: Annotated[Ref, Query(alias="subscriptionId")] = None,
                  limit: Limit = 25, cursor: Cursor = None) -> Response:
    def run(ctx: Ctx) -> dict[str, Any]:
        items, more = invoices.list_invoices(
            ctx, Page(limit=limit, starting_after=cursor),
            status=mapping.STATUS_FROM_COMMET[status] if status else None,
            customer=customer_ref(ctx, customer_id) if customer_id else None,
            subscription=subscription_id)
        return mapping.list_envelope([mapping.invoice_view(x) for x in items], more)
    return call(request).read(run)


@router.post("/invoices", response_model=Envelope[CreatedInvoiceOut], status_code=201,
             summary="Create adjustment invoice (a negative amount is a credit)")
def create_invoice(body: InvoiceCreateIn, request: Request) -> Response:
    def run(ctx: Ctx) -> dict[str, Any]:
        data = InvoiceCreate(
            customer=customer_ref(ctx, body.customer_id), invoice_type="adjustment",
            collection_method="send_invoice", days_until_due=0,
            description=body.description, metadata=body.metadata,
            lines=[LineCreate(type="one_off" if body.amount >= 0 else "credit",
                              description=body.description, unit_amount=body.amount)])
        return mapping.envelope(mapping.created_invoice_view(
            lifecycle.create_adjustment(ctx, data)))
    return call(request, idempotent=True).write(run, body, status_code=201)


@router.post("/invoices/{invoice_id}/send", response_model=Envelope[SentOut],
             summary="Send invoice")
def send_invoice(invoice_id: str, request: Request) -> Response:
    return call(request, idempotent=True).write(lambda ctx: mapping.envelope(
        mapping.sent_view(lifecycle.send_invoice(ctx, invoice_id))))


@router.put("/invoices/{invoice_id}/status", response_model=Envelope[StatusOut],
            summary="Update invoice status (docs site: returns the status)")
def put_status(invoice_id: str, body: StatusIn, request: Request) -> Response:
    return call(request, idempotent=True).write(lambda ctx: mapping.envelope(
        mapping.status_view(lifecycle.close_open_invoice(ctx, invoice_id, body.status))),
        body)


@router.patch("/invoices/{invoice_id}/status", response_model=Envelope[InvoiceOut],
              summary="Update invoice status (SDK 2026-07-31: returns the invoice)")
def patch_status(invoice_id: str, body: StatusIn, request: Request) -> Response:
    return call(request, idempotent=True).write(lambda ctx: mapping.envelope(
        mapping.invoice_view(lifecycle.close_open_invoice(ctx, invoice_id, body.status))),
        body)


def _download_link(invoice_id: str, request: Request) -> Any:
    secret = state(request).settings.secret
    return lambda ctx: mapping.envelope(mapping.download_link_view(
        pdf_links.issue_pdf_link(ctx, invoice_id, secret)))


@router.get("/invoices/{invoice_id}/download", response_model=Envelope[DownloadLinkOut],
            summary="Get a signed PDF download URL (docs site; expires after 7 days)")
def download_invoice(invoice_id: str, request: Request) -> Response:
    return call(request).read(_download_link(invoice_id, request))


@router.post("/invoices/{invoice_id}/download-links", response_model=Envelope[DownloadLinkOut],
             summary="Create a signed PDF download URL (SDK 2026-07-31; expires after 7 days)")
def create_download_link(invoice_id: str, request: Request) -> Response:
    return call(request, idempotent=True).write(_download_link(invoice_id, request))


# --- customers ---

def _address(address: AddressIn | None) -> Address | None:
    if address is None:
        return None
    return Address(line1=address.line1, line2=address.line2, city=address.city,
                   state=address.state, postal_code=address.postal_code,
                   country=address.country)


@router.post("/customers", response_model=Envelope[CustomerOut], status_code=201,
             summary="Create customer")
def create_customer(body: CustomerCreateIn, request: Request) -> Response:
    def run(ctx: Ctx) -> dict[str, Any]:
        data = CustomerCreate(
            name=body.full_name, email=body.email, external_id=body.external_id or body.id,
            tax_id=body.tax_document, address=_address(body.address), timezone=body.timezone,
            metadata=body.metadata)
        customer, _ = customers.create_or_get_by_external_id(ctx, data)
        return mapping.envelope(mapping.customer_view(customer))
    return call(request, idempotent=True).write(run, body, status_code=201)


@router.get("/customers/{customer_id}", response_model=Envelope[CustomerOut],
            summary="Get customer")
def get_customer(customer_id: str, request: Request) -> Response:
    return call(request).read(lambda ctx: mapping.envelope(mapping.customer_view(
        customers.get_customer(ctx, customer_ref(ctx, customer_id)))))


@router.get("/customers", response_model=ListEnvelope[CustomerOut], summary="List customers")
def list_customers(request: Request, external_id: Annotated[Ref, Query(alias="externalId")] = None,
                   limit: Limit = 25, cursor: Cursor = None) -> Response:
    def run(ctx: Ctx) -> dict[str, Any]:
        items, more = customers.list_customers(ctx, Page(limit=limit, starting_after=cursor),
                                               external_id=external_id)
        return mapping.list_envelope([mapping.customer_view(x) for x in items], more)
    return call(request).read(run)


_UPDATE_FIELDS = {"email": "email", "external_id": "external_id", "full_name": "name",
                  "tax_document": "tax_id", "timezone": "timezone", "metadata": "metadata"}


def _update(customer_id: str, body: CustomerUpdateIn, request: Request) -> Response:
    api = call(request, idempotent=True)
    changes: dict[str, Any] = {_UPDATE_FIELDS[k]: getattr(body, k)
                               for k in body.model_fields_set if k in _UPDATE_FIELDS}
    if "address" in body.model_fields_set:
        changes["address"] = _address(body.address)
    data = CustomerUpdate(**changes)

    def run(ctx: Ctx) -> dict[str, Any]:
        return mapping.envelope(mapping.customer_view(
            customers.update_customer(ctx, customer_ref(ctx, customer_id), data)))
    return api.write(run, body)


@router.patch("/customers/{customer_id}", response_model=Envelope[CustomerOut],
              summary="Update customer (SDK)")
def patch_customer(customer_id: str, body: CustomerUpdateIn, request: Request) -> Response:
    return _update(customer_id, body, request)


@router.put("/customers/{customer_id}", response_model=Envelope[CustomerOut],
            summary="Update customer (docs site)")
def put_customer(customer_id: str, body: CustomerUpdateIn, request: Request) -> Response:
    return _update(customer_id, body, request)


# --- customer credits (Folio's credit grants) ---

@router.post("/customers/{customer_id}/credits", response_model=Envelope[CreditOut],
             status_code=201, summary="Grant credit to a customer")
def create_credit(customer_id: str, body: CreditCreateIn, request: Request) -> Response:
    def run(ctx: Ctx) -> dict[str, Any]:
        data = CreditGrantCreate(
            amount=body.amount, currency=body.currency, reason=body.reason,
            expires_at=mapping.unix(body.expires_at) if body.expires_at else None)
        grant = credit_balance.grant_credit(ctx, customer_ref(ctx, customer_id), data)
        return mapping.envelope(mapping.credit_view(grant, ctx.now()))
    return call(request, idempotent=True).write(run, body, status_code=201)


@router.get("/customers/{customer_id}/credits", response_model=ListEnvelope[CreditOut],
            summary="List a customer's credits and their remaining balances")
def list_credits(customer_id: str, request: Request, limit: Limit = 25,
                 cursor: Cursor = None) -> Response:
    def run(ctx: Ctx) -> dict[str, Any]:
        items, more = credit_balance.list_grants(
            ctx, customer_ref(ctx, customer_id), Page(limit=limit, starting_after=cursor))
        return mapping.list_envelope([mapping.credit_view(x, ctx.now()) for x in items], more)
    return call(request).read(run)


@router.post("/customers/{customer_id}/credits/{credit_id}/revoke",
             response_model=Envelope[CreditRevocationOut],
             summary="Revoke the unallocated remainder of a credit")
def revoke_credit(customer_id: str, credit_id: str, request: Request) -> Response:
    return call(request, idempotent=True).write(lambda ctx: mapping.envelope(
        mapping.revocation_view(credit_balance.revoke_grant(
            ctx, customer_ref(ctx, customer_id), credit_id))))
