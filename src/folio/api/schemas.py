"""Response models: they document /openapi.json exactly (schemathesis checks every
response against them). Handlers return the service views directly for speed."""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel

T = TypeVar("T")


class Out(BaseModel):
    id: str
    uuid: str
    livemode: bool
    created: int
    metadata: dict[str, str]


class Address(BaseModel):
    line1: str | None = None
    line2: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None


class Contact(BaseModel):
    id: str
    object: Literal["contact"]
    name: str | None
    email: str | None
    phone: str | None
    roles: list[str]
    login_id: str | None


class LogoOut(BaseModel):
    """The account's logo on its PDFs (set it with `logo` as base64 in POST /v1/account)."""

    media_type: Literal["image/png", "image/svg+xml"]
    size: int


class SmtpOut(BaseModel):
    """The account's SMTP server; the password is never returned."""

    host: str
    port: int | None
    tls: str | None
    username: str | None
    password_set: bool
    from_email: str | None
    from_name: str | None


class AccountOut(BaseModel):
    id: str
    object: Literal["account"]
    uuid: str
    livemode: bool
    created: int
    name: str
    email: str | None
    country: str | None
    default_currency: str
    numbering_scope: str
    invoice_number_pattern: str
    legal_name: str | None
    address: Address | None
    vat_id: str | None
    tax_registration_id: str | None
    legal_registration_id: str | None
    einvoice_address: str | None
    iban: str | None
    bic: str | None
    payment_terms: str | None
    einvoice_required: bool
    dunning_retry_days: list[int]
    dunning_final_action: Literal["mark_uncollectible", "leave_open"]
    subscription_dunning_action: Literal["cancel", "leave_past_due"]
    metadata: dict[str, str]
    logo: LogoOut | None = None
    brand_color: str | None = None
    smtp: SmtpOut | None
    reminder_offsets: list[int]


class CustomerOut(Out):
    object: Literal["customer"]
    name: str | None
    email: str | None
    phone: str | None
    description: str | None
    address: Address | None
    tax_id: str | None
    tax_exempt: str
    locale: str | None
    currency: str | None
    invoice_prefix: str
    external_id: str | None
    timezone: str | None
    relationship_type: str | None
    einvoice_address: str | None
    contacts: list[Contact]
    credit_balance: dict[str, int]  # usable credit now, per currency (minor units)
    default_payment_method: str | None = None
    test_clock: str | None = None  # test mode: the clock the customer lives on


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


class Period(BaseModel):
    start: int | None
    end: int | None


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


class PaymentOut(Out):
    object: Literal["payment"]
    invoice: str
    customer: str
    amount: int
    currency: str
    status: str
    method: str
    reference: str | None
    paid_at: int


class CreditNoteLine(BaseModel):
    invoice_line: str
    description: str | None
    quantity: str | None
    amount: int
    tax_amount: int


class CreditNoteOut(Out):
    object: Literal["credit_note"]
    invoice: str
    customer: str
    number: str | None
    status: Literal["draft", "issued", "void"]
    type: Literal["pre_payment", "post_payment"]
    currency: str
    amount: int
    subtotal: int
    tax_amount: int
    reason: str | None
    memo: str | None
    lines: list[CreditNoteLine]
    issued_at: int | None
    voided_at: int | None


class CreditApplicationOut(BaseModel):
    id: str
    object: Literal["credit_application"]
    invoice: str
    amount: int
    created: int


class CreditGrantOut(Out):
    object: Literal["credit_grant"]
    customer: str
    currency: str
    amount: int
    remaining: int
    applied: int
    revoked_amount: int
    status: Literal["active", "exhausted", "expired", "revoked"]
    reason: str | None
    expires_at: int | None
    revoked_at: int | None
    source_invoice: str | None
    applications: list[CreditApplicationOut]


class EventRequest(BaseModel):
    id: str | None
    idempotency_key: str | None


class EventOut(BaseModel):
    id: str
    object: Literal["event"]
    type: str
    livemode: bool
    created: int
    data: dict[str, Any]
    request: EventRequest


class Deleted(BaseModel):
    id: str
    object: str
    deleted: Literal[True]


class ListOf(BaseModel, Generic[T]):
    object: Literal["list"]
    data: list[T]
    has_more: bool
    url: str
