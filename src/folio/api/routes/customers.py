from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from folio.api.deps import CallDep
from folio.api.routes.common import ERRORS, CreatedDep, PageDep, listing_of
from folio.api.schemas.common import ListOf
from folio.api.schemas.customers import CustomerOut
from folio.services import customers
from folio.services.balances import customer_out, customers_out
from folio.services.inputs.customers import CustomerCreate, CustomerUpdate

router = APIRouter(prefix="/v1/customers", tags=["customers"], responses=ERRORS)


@router.post("", response_model=CustomerOut, summary="Create a customer")
def create_customer(body: CustomerCreate, call: CallDep) -> Response:
    return call.write(lambda ctx: customer_out(ctx, customers.create_customer(ctx, body)), body)


@router.get("/{customer_id}", response_model=CustomerOut, summary="Retrieve a customer")
def get_customer(customer_id: str, call: CallDep) -> Response:
    return call.read(lambda ctx: customer_out(ctx, customers.get_customer(ctx, customer_id)))


@router.post("/{customer_id}", response_model=CustomerOut, summary="Update a customer")
def update_customer(customer_id: str, body: CustomerUpdate, call: CallDep) -> Response:
    return call.write(
        lambda ctx: customer_out(ctx, customers.update_customer(ctx, customer_id, body)), body)


@router.get("", response_model=ListOf[CustomerOut], summary="List customers")
def list_customers(call: CallDep, page: PageDep, created: CreatedDep,
                   email: Annotated[str | None, Query(max_length=320)] = None) -> Response:
    return call.read(lambda ctx: listing_of(
        customers.list_customers(ctx, page, email=email, created=created),
        lambda items: customers_out(ctx, items), "/v1/customers"))
