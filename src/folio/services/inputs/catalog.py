"""Validated inputs of the catalogue: products, prices, tax rates and coupons."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from folio.services.inputs.common import (
    Currency,
    DecimalStr,
    Input,
    Name,
    Percent,
    PositiveAmount,
    PublicId,
    ShortText,
    WithMetadata,
)

TaxCategory = Literal["S", "Z", "E", "AE", "K", "G", "O", "L", "M"]
ExemptionReason = Annotated[str, StringConstraints(min_length=1, max_length=500)]
# VATEX codes (CEF VAT exemption reason code list), e.g. VATEX-EU-AE, VATEX-EU-132-1A
ExemptionReasonCode = Annotated[str, StringConstraints(pattern=r"^VATEX-[A-Z]{2}-[A-Z0-9-]{1,20}$")]


class ProductCreate(WithMetadata):
    name: Name
    description: ShortText | None = None
    active: bool = True
    unit_label: Annotated[str, StringConstraints(max_length=20)] | None = None
    unit_code: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{2,3}$")] | None = None
    product_type: Literal["product", "service"] | None = None


class ProductUpdate(WithMetadata):
    name: Name | None = None
    description: ShortText | None = None
    active: bool | None = None
    unit_label: Annotated[str, StringConstraints(max_length=20)] | None = None
    unit_code: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{2,3}$")] | None = None
    product_type: Literal["product", "service"] | None = None


class Recurring(Input):
    interval: Literal["day", "week", "month", "year"]
    interval_count: Annotated[int, Field(ge=1, le=36)] = 1


class PriceCreate(WithMetadata):
    product: PublicId
    currency: Currency
    unit_amount: Annotated[int, Field(ge=0, le=10**12)] | None = None
    unit_amount_decimal: DecimalStr | None = None
    type: Literal["one_time", "recurring"] | None = None
    recurring: Recurring | None = None
    tax_behavior: Literal["inclusive", "exclusive", "unspecified"] = "unspecified"
    nickname: ShortText | None = None
    active: bool = True


class PriceUpdate(WithMetadata):
    nickname: ShortText | None = None
    active: bool | None = None


class TaxRateCreate(WithMetadata):
    display_name: Annotated[str, StringConstraints(min_length=1, max_length=50)]
    percentage: Annotated[Decimal, Field(ge=0, le=100, max_digits=9, decimal_places=4)]
    inclusive: bool
    description: ShortText | None = None
    country: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$")] | None = None
    state: Annotated[str, StringConstraints(max_length=20)] | None = None
    jurisdiction: Annotated[str, StringConstraints(max_length=50)] | None = None
    tax_type: Literal["vat", "gst", "hst", "pst", "qst", "rst", "sales_tax", "jct"] | None = None
    category: TaxCategory = "S"
    exemption_reason: ExemptionReason | None = None
    exemption_reason_code: ExemptionReasonCode | None = None
    code: Annotated[str, StringConstraints(min_length=1, max_length=40)] | None = None
    active: bool = True


class TaxRateUpdate(WithMetadata):
    """The VAT category and exemption reason change no amount, so they may be corrected;
    an issued invoice keeps the snapshot it was finalized with."""

    display_name: Annotated[str, StringConstraints(min_length=1, max_length=50)] | None = None
    description: ShortText | None = None
    active: bool | None = None
    category: TaxCategory | None = None
    exemption_reason: ExemptionReason | None = None
    exemption_reason_code: ExemptionReasonCode | None = None


class CouponCreate(WithMetadata):
    name: Annotated[str, StringConstraints(max_length=100)] | None = None
    percent_off: Percent | None = None
    amount_off: PositiveAmount | None = None
    currency: Currency | None = None
    duration: Literal["once", "forever", "repeating"] = "once"
    duration_in_months: Annotated[int, Field(ge=1, le=120)] | None = None
    max_redemptions: Annotated[int, Field(ge=1, le=10**9)] | None = None


class CouponUpdate(WithMetadata):
    name: Annotated[str, StringConstraints(max_length=100)] | None = None
