"""The account the request acts as: its settings, seller details and e-invoicing."""

from __future__ import annotations

from fastapi import APIRouter, Response

from folio.api.deps import CallDep
from folio.api.routes.common import ERRORS
from folio.api.schemas.account import AccountOut
from folio.services import account_settings
from folio.services.inputs.account import AccountUpdate
from folio.services.views import account_view

router = APIRouter(prefix="/v1/account", tags=["account"], responses=ERRORS)


@router.get("", response_model=AccountOut, summary="The account the request acts as")
def get_account(call: CallDep) -> Response:
    return call.read(lambda ctx: account_view(ctx.account, ctx.livemode))


@router.post("", response_model=AccountOut,
             summary="Update the account: seller details on documents, e-invoicing")
def update_account(body: AccountUpdate, call: CallDep) -> Response:
    return call.write(lambda ctx: account_view(
        account_settings.update_account(ctx, body, secret=call.app.settings.secret),
        ctx.livemode), body)
