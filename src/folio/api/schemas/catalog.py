"""Response models of the catalogue: products, prices, tax rates and coupons (they
document /openapi.json; handlers return the service views directly)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from folio.api.schemas.common import Out


class ProductOut(Out):
    object: Literal["product"]
    name: str
    description: str | None
    active: bool
    unit_label: str | None
    unit_code: str | None
    product_type: str | None
    updated: int


class RecurringOut(BaseModel):
    interval: str
    interval_count: int


class PriceOut(Out):
    object: Literal["price"]
    product: str
    currency: str
    unit_amount: int | None
    unit_amount_decimal: str
    type: Literal["one_time", "recurring"]
    recurring: RecurringOut | None
    tax_behavior: str
    nickname: str | None
    active: bool


class TaxRateOut(Out):
    object: Literal["tax_rate"]
    display_name: str
    description: str | None
    percentage: str
    inclusive: bool
    country: str | None
    state: str | None
    jurisdiction: str | None
    tax_type: str | None
    category: str
    exemption_reason: str | None
    exemption_reason_code: str | None
    code: str | None
    active: bool


class CouponOut(Out):
    object: Literal["coupon"]
    name: str | None
    percent_off: str | None
    amount_off: int | None
    currency: str | None
    duration: str
    duration_in_months: int | None
    max_redemptions: int | None
    times_redeemed: int
    valid: bool
