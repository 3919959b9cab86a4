"""A customer's saved payment methods (cards): attach, list, retrieve, detach, default."""

from __future__ import annotations

from fastapi import APIRouter, Response

from folio.api.deps import CallDep
from folio.api.routes.common import ERRORS, PageDep, listing
from folio.api.schemas.collection import PaymentMethodOut
from folio.api.schemas.common import ListOf
from folio.services import payment_methods
from folio.services.collection_views import payment_method_view
from folio.services.inputs.collection import PaymentMethodAttach

router = APIRouter(prefix="/v1/customers/{customer_id}/payment_methods",
                   tags=["payment_methods"], responses=ERRORS)


@router.post("", response_model=PaymentMethodOut,
             summary="Attach a card (a gateway token such as pm_card_visa, or a test card)")
def attach(customer_id: str, body: PaymentMethodAttach, call: CallDep) -> Response:
    return call.write(lambda ctx: payment_method_view(
        payment_methods.attach(ctx, customer_id, body)), body)


@router.get("", response_model=ListOf[PaymentMethodOut],
            summary="List a customer's attached payment methods")
def list_methods(customer_id: str, call: CallDep, page: PageDep) -> Response:
    return call.read(lambda ctx: listing(
        payment_methods.list_methods(ctx, customer_id, page), payment_method_view,
        f"/v1/customers/{customer_id}/payment_methods"))


@router.get("/{method_id}", response_model=PaymentMethodOut,
            summary="Retrieve a payment method")
def get_method(customer_id: str, method_id: str, call: CallDep) -> Response:
    return call.read(lambda ctx: payment_method_view(
        payment_methods.get_method(ctx, customer_id, method_id)))


@router.post("/{method_id}/detach", response_model=PaymentMethodOut,
             summary="Detach a payment method (the customer's default is cleared)")
def detach(customer_id: str, method_id: str, call: CallDep) -> Response:
    return call.write(lambda ctx: payment_method_view(
        payment_methods.detach(ctx, customer_id, method_id)))


@router.post("/{method_id}/default", response_model=PaymentMethodOut,
             summary="Make it the customer's default payment method")
def make_default(customer_id: str, method_id: str, call: CallDep) -> Response:
    return call.write(lambda ctx: payment_method_view(
        payment_methods.make_default(ctx, customer_id, method_id)))
