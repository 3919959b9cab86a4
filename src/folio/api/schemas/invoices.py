"""Response models of invoices and their lines (they document /openapi.json; handlers
return the service views directly)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from folio.api.schemas.common import Address, Period


class Discount(BaseModel):
    coupon: str | None
    percent_off: str | None
    amount_off: int | None


class TaxAmount(BaseModel):
    tax_rate: str
    display_name: str
    percentage: str
    inclusive: bool
    category: str
    country: str | None
    exemption_reason: str | None = None
    exemption_reason_code: str | None = None
    taxable_amount: int
    amount: int


class TierChargeOut(BaseModel):
    """How one tier priced its part of a usage line (billing runs)."""

    tier: int
    from_quantity: str
    up_to: str | None
    quantity: str
    unit_amount_decimal: str
    flat_amount: int
    amount: int


class LineOut(BaseModel):
    id: str | None
    object: Literal["line_item"]
    type: str
    description: str | None
    product: str | None
    price: str | None
    quantity: str
    unit_amount: int | None
    unit_amount_decimal: str
    unit_code: str | None
    amount: int
    discount_amount: int
    credit_amount: int
    tax_amount: int
    taxes: list[TaxAmount]
    tax_rates: list[str]
    discounts: list[Discount]
    feature_name: str | None
    period: Period
    included_quantity: str | None
    used_quantity: str | None
    overage_quantity: str | None
    tiers: list[TierChargeOut] | None = None
    metadata: dict[str, str]


class LineList(BaseModel):
    object: Literal["list"]
    data: list[LineOut]
    has_more: bool
    total_count: int


class CustomerDetails(BaseModel):
    name: str | None
    email: str | None
    phone: str | None
    address: Address | None
    tax_id: str | None
    tax_exempt: str
    einvoice_address: str | None = None


class InvoiceOut(BaseModel):
    id: str | None
    object: Literal["invoice"]
    uuid: str | None
    livemode: bool
    created: int
    customer: str
    customer_details: CustomerDetails
    status: Literal["draft", "open", "paid", "void", "uncollectible"]
    payment_state: Literal["unpaid", "partially_paid", "paid", "credited"] | None
    number: str | None
    currency: str
    collection_method: Literal["charge_automatically", "send_invoice"]
    days_until_due: int | None
    due_date: int | None
    rounding_mode: Literal["half_up", "half_even"]
    description: str | None
    memo: str | None
    footer: str | None
    po_number: str | None
    reference: str | None
    period_start: int | None
    period_end: int | None
    plan_name: str | None
    subscription: str | None
    recurring_schedule: str | None
    recurring_occurrence: int | None
    invoice_type: str | None
    fee_bearer: Literal["payer", "payee"] | None
    as_payment_link: bool
    apply_credit_balance: bool
    default_tax_rates: list[str]
    discounts: list[Discount]
    subtotal: int
    total_discount_amount: int
    credit_applied: int
    tax: int
    total: int
    total_excluding_tax: int
    total_taxes: list[TaxAmount]
    amount_paid: int
    amount_credited: int
    post_payment_credit_notes_amount: int
    credit_granted: int
    amount_due: int
    amount_remaining: int
    hosted_invoice_url: str | None = None
    finalized_at: int | None
    sent_at: int | None
    paid_at: int | None
    voided_at: int | None
    marked_uncollectible_at: int | None
    attempt_count: int = 0
    attempted: bool = False
    next_payment_attempt: int | None = None
    lines: LineList
    metadata: dict[str, str]
