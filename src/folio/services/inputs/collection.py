"""Validated inputs of payment methods and recurring schedules."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from folio.services.inputs.common import (
    Currency,
    Input,
    PublicId,
    ShortText,
    Timestamp,
    WithMetadata,
)
from folio.services.inputs.invoices import CollectionMethod, LineCreate

Token = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Interval = Literal["day", "week", "month", "year"]
RRule = Annotated[str, StringConstraints(min_length=1, max_length=500)]
Memo = Annotated[str, StringConstraints(max_length=5000)]


class CardInput(Input):
    number: Annotated[str, StringConstraints(min_length=12, max_length=23)]
    exp_month: Annotated[int, Field(ge=1, le=12)]
    exp_year: Annotated[int, Field(ge=2000, le=2100)]
    cvc: Annotated[str, StringConstraints(pattern=r"^[0-9]{3,4}$")]


class PaymentMethodAttach(WithMetadata):
    """A gateway token (the sandbox's: pm_card_visa, pm_card_chargeDeclined, ...) or a
    test card; `set_default` makes it the customer's default (the first one always is)."""

    token: Token | None = None
    card: CardInput | None = None
    set_default: bool = False


class Frequency(Input):
    interval: Interval
    interval_count: Annotated[int, Field(ge=1, le=365)] = 1


class ScheduleTemplate(Input):
    """What each occurrence's invoice is made of."""

    lines: list[LineCreate] = Field(min_length=1, max_length=100)
    default_tax_rates: list[PublicId] | None = Field(default=None, max_length=5)
    memo: Memo | None = None
    description: ShortText | None = None
    footer: Memo | None = None
    collection_method: CollectionMethod = "charge_automatically"
    days_until_due: Annotated[int, Field(ge=0, le=3650)] | None = None


class ScheduleCreate(WithMetadata):
    customer: PublicId
    currency: Currency | None = None
    template: ScheduleTemplate
    frequency: Frequency | None = None
    rrule: RRule | None = None
    start_at: Timestamp
    end_at: Timestamp | None = None
    count: Annotated[int, Field(ge=1, le=10_000)] | None = None
    auto_finalize: bool = True
    auto_send: bool = False


class ScheduleUpdate(WithMetadata):
    """The template, the automation and the end may change; the rule and start may not
    (they number the occurrences already issued)."""

    template: ScheduleTemplate | None = None
    end_at: Timestamp | None = None
    count: Annotated[int, Field(ge=1, le=10_000)] | None = None
    auto_finalize: bool | None = None
    auto_send: bool | None = None
