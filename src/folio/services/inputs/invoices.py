"""Validated inputs of invoices, their lines and their discounts."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from folio.services.inputs.common import (
    Currency,
    DecimalStr,
    Input,
    MinorAmount,
    Percent,
    PositiveAmount,
    PublicId,
    Quantity,
    ReminderOffsets,
    ShortText,
    Timestamp,
    WithMetadata,
)

CollectionMethod = Literal["charge_automatically", "send_invoice"]
InvoiceType = Literal["one_off", "recurring", "overage", "plan_change", "adjustment",
                      "credit_purchase", "balance_topup", "addon_activation"]
FeeBearer = Literal["payer", "payee"]
LineType = Literal["one_off", "plan_base", "usage", "overage", "discount", "credit",
                   "feature_overage", "feature_seats", "proration"]
# line types that may carry a negative unit amount (proration credits are negative)
NEGATIVE_LINE_TYPES = frozenset({"discount", "credit", "proration"})


class DiscountInput(Input):
    """Either a coupon, or an inline percent_off / amount_off."""

    coupon: PublicId | None = None
    percent_off: Percent | None = None
    amount_off: PositiveAmount | None = None


class LineCreate(WithMetadata):
    type: LineType = "one_off"
    description: ShortText | None = None
    price: PublicId | None = None
    # the catalogue product of a line priced by unit amount (a price names its own product)
    product: PublicId | None = None
    quantity: Quantity = Decimal(1)
    unit_amount: MinorAmount | None = None
    unit_amount_decimal: DecimalStr | None = None
    unit_code: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{2,3}$")] | None = None
    tax_rates: list[PublicId] | None = Field(default=None, max_length=5)
    discounts: list[DiscountInput] = Field(default_factory=list, max_length=5)
    feature_name: ShortText | None = None
    period_start: Timestamp | None = None
    period_end: Timestamp | None = None
    included_quantity: DecimalStr | None = None
    used_quantity: DecimalStr | None = None
    overage_quantity: DecimalStr | None = None


class LineUpdate(WithMetadata):
    description: ShortText | None = None
    quantity: Quantity | None = None
    unit_amount: MinorAmount | None = None
    unit_amount_decimal: DecimalStr | None = None
    unit_code: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{2,3}$")] | None = None
    tax_rates: list[PublicId] | None = Field(default=None, max_length=5)
    discounts: list[DiscountInput] | None = Field(default=None, max_length=5)


class InvoiceFields(WithMetadata):
    collection_method: CollectionMethod | None = None
    days_until_due: Annotated[int, Field(ge=0, le=3650)] | None = None
    due_date: Annotated[int, Field(ge=0, le=32503680000)] | None = None
    description: ShortText | None = None
    memo: Annotated[str, StringConstraints(max_length=5000)] | None = None
    footer: Annotated[str, StringConstraints(max_length=5000)] | None = None
    po_number: Annotated[str, StringConstraints(max_length=100)] | None = None
    reference: Annotated[str, StringConstraints(max_length=100)] | None = None
    default_tax_rates: list[PublicId] | None = Field(default=None, max_length=5)
    discounts: list[DiscountInput] | None = Field(default=None, max_length=5)
    rounding_mode: Literal["half_up", "half_even"] | None = None
    period_start: Timestamp | None = None
    period_end: Timestamp | None = None
    plan_name: Annotated[str, StringConstraints(max_length=200)] | None = None
    subscription: Annotated[str, StringConstraints(max_length=64)] | None = None
    recurring_schedule: Annotated[str, StringConstraints(max_length=64)] | None = None
    recurring_occurrence: Annotated[int, Field(ge=1, le=10**9)] | None = None
    invoice_type: InvoiceType | None = None
    fee_bearer: FeeBearer | None = None
    as_payment_link: bool | None = None
    # draw on the customer's credit balance when finalized (default false)
    apply_credit_balance: bool | None = None
    # reminder days relative to the due date for this invoice (default: the account's)
    reminder_offsets: ReminderOffsets | None = None


class InvoiceCreate(InvoiceFields):
    customer: PublicId
    currency: Currency | None = None
    lines: list[LineCreate] = Field(default_factory=list, max_length=1000)


class InvoiceUpdate(InvoiceFields):
    pass
