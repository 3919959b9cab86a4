"""ChatDash's subscription bodies (vendors.md section 1.7): requests wrapped in `data`,
responses in Stripe's subscription shape as ChatDash relays it."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StrictBool, StrictInt

from folio.faces.chatdash.schemas import Body, CustomerRef, Id

UnixTime = Annotated[StrictInt, Field(ge=0, le=253_402_300_799)]
AgentId = Annotated[str, Field(min_length=1, max_length=40)]
StripeStatus = Literal["scheduled", "trialing", "active", "incomplete", "incomplete_expired",
                       "past_due", "canceled", "unpaid", "paused"]


class TaxSettings(Body):
    enabled: StrictBool = False
    country: Annotated[str, Field(max_length=2)] | None = None
    postalCode: Annotated[str, Field(max_length=20)] | None = None  # noqa: N815


class ProductPricing(Body):
    metrics: Annotated[str, Field(max_length=100)] | None = None


class SelectedProduct(Body):
    productId: Id  # noqa: N815  (a Folio plan id, plan_…)
    startDate: UnixTime | None = None  # noqa: N815
    pricing: ProductPricing | None = None


class SubscriptionCreateData(Body):
    clientId: Id  # noqa: N815
    agentIds: Annotated[list[AgentId], Field(max_length=10)]  # noqa: N815
    selectedProduct: SelectedProduct  # noqa: N815
    couponId: Id | None = None  # noqa: N815
    taxSettings: TaxSettings | None = None  # noqa: N815
    # Folio extensions (Stripe's own fields): how the subscription's invoices are collected
    collection_method: Literal["charge_automatically", "send_invoice"] = \
        "charge_automatically"
    days_until_due: Annotated[StrictInt, Field(ge=0, le=3650)] | None = None


class SubscriptionCreateBody(Body):
    data: SubscriptionCreateData


class SubscriptionUpdateData(Body):
    productId: Id | None = None  # noqa: N815
    startDate: UnixTime | None = None  # noqa: N815
    taxSettings: TaxSettings | None = None  # noqa: N815
    cancelAtPeriodEnd: StrictBool | None = None  # noqa: N815


class SubscriptionUpdateBody(Body):
    data: SubscriptionUpdateData


class ProductRef(BaseModel):
    id: str
    name: str


class AutomaticTax(BaseModel):
    enabled: bool


class SubscriptionOut(BaseModel):
    id: str
    type: Literal["subscription"]
    status: Literal["trialing", "active", "past_due", "paused", "canceled"]
    customer: CustomerRef
    current_period_start: int | None
    current_period_end: int | None
    created: int
    collection_method: Literal["charge_automatically", "send_invoice"]
    cancel_at_period_end: bool
    canceled_at: int | None
    product: ProductRef
    automatic_tax: AutomaticTax
    coupon: str | None
    agents: list[str]
    priceIds: list[str]  # noqa: N815
    startDate: int  # noqa: N815
    amount: int
    currency: str


class SubscriptionList(BaseModel):
    subscriptions: list[SubscriptionOut]
    has_more: bool
    next_cursor: str | None


class CanceledOut(BaseModel):
    id: str
    canceled: Literal[True]
