"""A customer's credit balance: its grants of credit (applied, oldest first and before tax,
to invoices created with `apply_credit_balance`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from folio.api.deps import CallDep
from folio.api.routes.common import ERRORS, CreatedDep, PageDep, listing
from folio.api.schemas.common import ListOf
from folio.api.schemas.customers import CreditGrantOut
from folio.services import credit_balance
from folio.services.inputs.payments import CreditGrantCreate
from folio.services.views import credit_grant_view

router = APIRouter(prefix="/v1/customers/{customer_id}/credit_grants", tags=["credit_grants"],
                   responses=ERRORS)


@router.post("", response_model=CreditGrantOut, summary="Grant credit to a customer")
def create_grant(customer_id: str, body: CreditGrantCreate, call: CallDep) -> Response:
    return call.write(lambda ctx: credit_grant_view(
        credit_balance.grant_credit(ctx, customer_id, body), ctx.now()), body)


@router.get("", response_model=ListOf[CreditGrantOut],
            summary="List a customer's credit grants")
def list_grants(customer_id: str, call: CallDep, page: PageDep, created: CreatedDep,
                currency: Annotated[str | None, Query(min_length=3, max_length=3)] = None,
                ) -> Response:
    return call.read(lambda ctx: listing(
        credit_balance.list_grants(ctx, customer_id, page, currency=currency,
                                   created=created),
        lambda grant: credit_grant_view(grant, ctx.now()),
        f"/v1/customers/{customer_id}/credit_grants"))


@router.get("/{grant_id}", response_model=CreditGrantOut, summary="Retrieve a credit grant")
def get_grant(customer_id: str, grant_id: str, call: CallDep) -> Response:
    return call.read(lambda ctx: credit_grant_view(
        credit_balance.get_grant(ctx, customer_id, grant_id), ctx.now()))


@router.post("/{grant_id}/revoke", response_model=CreditGrantOut,
             summary="Revoke what remains of a credit grant (applied credit stays applied)")
def revoke_grant(customer_id: str, grant_id: str, call: CallDep) -> Response:
    return call.write(lambda ctx: credit_grant_view(
        credit_balance.revoke_grant(ctx, customer_id, grant_id), ctx.now()))
