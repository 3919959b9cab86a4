"""Response models of payment methods and recurring schedules (they document
/openapi.json; handlers return the service views directly)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from folio.api.schemas.common import Out


class CardDetails(BaseModel):
    brand: str
    last4: str
    exp_month: int
    exp_year: int


class PaymentMethodOut(Out):
    object: Literal["payment_method"]
    type: Literal["card"]
    customer: str | None
    card: CardDetails
    gateway: str
    default: bool
    detached_at: int | None


class FrequencyOut(BaseModel):
    interval: Literal["day", "week", "month", "year"]
    interval_count: int


class RecurringScheduleOut(Out):
    object: Literal["recurring_schedule"]
    customer: str
    status: Literal["active", "paused", "completed", "canceled"]
    currency: str
    template: dict[str, Any]
    frequency: FrequencyOut | None
    rrule: str | None
    start_at: int
    end_at: int | None
    count: int | None
    auto_finalize: bool
    auto_send: bool
    next_occurrence: int
    next_run_at: int | None
    invoices_created: int
    paused_at: int | None
    canceled_at: int | None
    completed_at: int | None
    updated: int
