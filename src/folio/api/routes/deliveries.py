"""An invoice's e-mail deliveries: each `send` and each scheduled reminder, with its
status (scheduled, sent, failed, skipped), attempts and last error."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel

from folio.api.deps import CallDep
from folio.api.routes.common import ERRORS, PageDep, listing
from folio.api.schemas.common import ListOf
from folio.services import deliveries

router = APIRouter(prefix="/v1/invoices", tags=["invoices"], responses=ERRORS)


class EmailDeliveryOut(BaseModel):
    id: str
    object: Literal["email_delivery"]
    livemode: bool
    created: int
    invoice: str
    kind: Literal["invoice", "reminder"]
    status: Literal["scheduled", "sent", "failed", "skipped"]
    offset_days: int | None
    recipients: list[str]
    scheduled_at: int
    sent_at: int | None
    attempts: int
    last_error: str | None
    message_id: str | None


@router.get("/{invoice_id}/deliveries", response_model=ListOf[EmailDeliveryOut],
            summary="The invoice's e-mail deliveries and scheduled reminders")
def list_deliveries(invoice_id: str, call: CallDep, page: PageDep) -> Response:
    return call.read(lambda ctx: listing(
        deliveries.list_deliveries(ctx, invoice_id, page), deliveries.delivery_view,
        f"/v1/invoices/{invoice_id}/deliveries"))
