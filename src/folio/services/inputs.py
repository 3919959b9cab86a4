"""Validated inputs of the use cases. The canonical API uses them as request bodies; the
vendor faces build them from their own shapes."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from folio.domain.money import MAX_QUANTITY_DIGITS

LOGO_MAX_BYTES = 256 * 1024
LOGO_BASE64_MAX = 4 * -(-LOGO_MAX_BYTES // 3) + 4  # base64 of the largest logo, padding

Metadata = dict[str, str]
ShortText = Annotated[str, StringConstraints(max_length=500)]
Email = Annotated[str, StringConstraints(max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")]
Percent = Annotated[Decimal, Field(gt=0, le=100, max_digits=9, decimal_places=4)]
CreditReason = Literal["duplicate", "fraudulent", "order_change", "product_unsatisfactory"]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Currency = Annotated[str, StringConstraints(min_length=3, max_length=3)]
PublicId = Annotated[str, StringConstraints(min_length=3, max_length=40)]
MinorAmount = Annotated[int, Field(ge=-(10**15), le=10**15)]
PositiveAmount = Annotated[int, Field(gt=0, le=10**15)]
DecimalStr = Annotated[Decimal, Field(allow_inf_nan=False, max_digits=24, decimal_places=12)]


def _significant_digits(value: Decimal) -> Decimal:
    digits = len(value.normalize().as_tuple().digits) if value != 0 else 1
    if digits > MAX_QUANTITY_DIGITS:
        raise ValueError(f"at most {MAX_QUANTITY_DIGITS} significant digits")
    if not -24 <= value.adjusted() <= 12:  # keeps the stored text short and the product exact
        raise ValueError("must be between 1e-24 and 1e13")
    return value


Quantity = Annotated[Decimal, Field(gt=0, allow_inf_nan=False),
                     AfterValidator(_significant_digits)]
CollectionMethod = Literal["charge_automatically", "send_invoice"]
Timestamp = Annotated[int, Field(ge=0, le=32503680000)]  # unix seconds, up to year 3000
InvoiceType = Literal["one_off", "recurring", "overage", "plan_change", "adjustment",
                      "credit_purchase", "balance_topup", "addon_activation"]
FeeBearer = Literal["payer", "payee"]
RelationshipType = Literal["customer", "supplier", "employee", "beneficiary", "friend", "family",
                           "donor", "donee", "contact", "service_provider", "partner", "self"]
ExternalId = Annotated[str, StringConstraints(min_length=1, max_length=100)]
TimeZone = Annotated[str, StringConstraints(min_length=1, max_length=40)]
LineType = Literal["one_off", "plan_base", "usage", "overage", "discount", "credit",
                   "feature_overage", "feature_seats", "proration"]
# line types that may carry a negative unit amount (proration credits are negative)
NEGATIVE_LINE_TYPES = frozenset({"discount", "credit", "proration"})
# an EN 16931 electronic address (BT-34 / BT-49): "<EAS scheme>:<identifier>", e.g.
# "0088:7300010000001" (GLN) or "9930:DE136695976" (German VAT number)
EInvoiceAddress = Annotated[str, StringConstraints(max_length=120,
                                                   pattern=r"^[0-9A-Z]{2,4}:\S{1,100}$")]
TaxCategory = Literal["S", "Z", "E", "AE", "K", "G", "O", "L", "M"]
ExemptionReason = Annotated[str, StringConstraints(min_length=1, max_length=500)]
# VATEX codes (CEF VAT exemption reason code list), e.g. VATEX-EU-AE, VATEX-EU-132-1A
ExemptionReasonCode = Annotated[str, StringConstraints(pattern=r"^VATEX-[A-Z]{2}-[A-Z0-9-]{1,20}$")]
IdText = Annotated[str, StringConstraints(min_length=1, max_length=40)]


def _check_metadata(value: Metadata | None) -> Metadata | None:
    if value is None:
        return value
    if len(value) > 50:
        raise ValueError("metadata holds at most 50 keys")
    for k, v in value.items():
        if not k or len(k) > 40 or len(v) > 500:
            raise ValueError("metadata keys are 1-40 characters, values at most 500")
    return value


def _no_nul(value: Any) -> Any:
    """PostgreSQL text cannot hold NUL characters: refuse them in every string."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("must not contain NUL characters")
    elif isinstance(value, dict):
        for k, v in value.items():
            _no_nul(k)
            _no_nul(v)
    elif isinstance(value, list):
        for item in value:
            _no_nul(item)
    return value


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    _nul = field_validator("*")(_no_nul)


class WithMetadata(Input):
    metadata: Metadata | None = None

    _meta = field_validator("metadata")(_check_metadata)


class Address(Input):
    line1: ShortText | None = None
    line2: ShortText | None = None
    city: ShortText | None = None
    state: ShortText | None = None
    postal_code: Annotated[str, StringConstraints(max_length=20)] | None = None
    country: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$")] | None = None


ContactRole = Literal["admin", "billing", "technical", "member"]


class ContactInput(Input):
    name: Name | None = None
    email: Email | None = None
    phone: Annotated[str, StringConstraints(max_length=40)] | None = None
    roles: list[ContactRole] = Field(default_factory=list, max_length=4)
    login_id: Annotated[str, StringConstraints(max_length=200)] | None = None


class CustomerCreate(WithMetadata):
    name: Name | None = None
    email: Email | None = None
    phone: Annotated[str, StringConstraints(max_length=40)] | None = None
    description: ShortText | None = None
    address: Address | None = None
    tax_id: Annotated[str, StringConstraints(max_length=40)] | None = None
    tax_exempt: Literal["none", "exempt", "reverse"] = "none"
    locale: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-[A-Z]{2})?$")] | None = None
    currency: Currency | None = None
    invoice_prefix: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{3,12}$")] | None = None
    external_id: ExternalId | None = None
    timezone: TimeZone | None = None
    relationship_type: RelationshipType | None = None
    einvoice_address: EInvoiceAddress | None = None
    contacts: list[ContactInput] = Field(default_factory=list, max_length=20)
    # test mode: attach the customer to a test clock (its subscriptions live on its time)
    test_clock: PublicId | None = None


class CustomerUpdate(WithMetadata):
    name: Name | None = None
    email: Email | None = None
    phone: Annotated[str, StringConstraints(max_length=40)] | None = None
    description: ShortText | None = None
    address: Address | None = None
    tax_id: Annotated[str, StringConstraints(max_length=40)] | None = None
    tax_exempt: Literal["none", "exempt", "reverse"] | None = None
    locale: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-[A-Z]{2})?$")] | None = None
    external_id: ExternalId | None = None
    timezone: TimeZone | None = None
    relationship_type: RelationshipType | None = None
    einvoice_address: EInvoiceAddress | None = None
    contacts: list[ContactInput] | None = Field(default=None, max_length=20)


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


def _offsets(value: list[int]) -> list[int]:
    return sorted(set(value))


# reminder days relative to the due date: -7 is a week before, 0 the due date, 2 two days
# after (docs/adr/0014); duplicates are dropped and the list is kept in order
ReminderOffsets = Annotated[
    list[Annotated[int, Field(ge=-365, le=365)]], Field(max_length=10),
    AfterValidator(_offsets)]


class SmtpSettings(Input):
    """The account's SMTP server for invoice e-mails. An omitted password is kept; the
    password is never returned."""

    host: Annotated[str, StringConstraints(min_length=1, max_length=255,
                                           pattern=r"^[A-Za-z0-9._:\[\]-]+$")]
    port: Annotated[int, Field(ge=1, le=65535)] | None = None
    tls: Literal["none", "starttls", "tls"] = "starttls"
    username: Annotated[str, StringConstraints(max_length=255)] | None = None
    password: Annotated[str, StringConstraints(max_length=255)] | None = None
    from_email: Email | None = None
    from_name: Annotated[str, StringConstraints(max_length=200)] | None = None


class AccountUpdate(WithMetadata):
    """The acting account's own settings: its seller details on documents (EN 16931
    BG-4 and the payment instructions) and whether it requires e-invoicing."""

    name: Name | None = None
    email: Email | None = None
    legal_name: Name | None = None
    address: Address | None = None
    vat_id: IdText | None = None
    tax_registration_id: IdText | None = None
    legal_registration_id: IdText | None = None
    einvoice_address: EInvoiceAddress | None = None
    iban: Annotated[str, StringConstraints(min_length=5, max_length=42)] | None = None
    bic: Annotated[str, StringConstraints(min_length=8, max_length=11)] | None = None
    payment_terms: Annotated[str, StringConstraints(max_length=1000)] | None = None
    einvoice_required: bool | None = None
    # dunning of automatic charges: retry days after the first failure, then the action
    dunning_retry_days: list[Annotated[int, Field(ge=1, le=90)]] | None = Field(
        default=None, max_length=10)
    dunning_final_action: Literal["mark_uncollectible", "leave_open"] | None = None
    subscription_dunning_action: Literal["cancel", "leave_past_due"] | None = None
    # PDF branding: a PNG or SVG logo as base64 (at most 256 KiB decoded; null removes
    # it) and a brand colour "#rrggbb"
    logo: Annotated[str, StringConstraints(min_length=1, max_length=LOGO_BASE64_MAX)
                    ] | None = None
    brand_color: Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")] | None = None
    # e-mail delivery (docs/adr/0014): null removes the account's SMTP server
    smtp: SmtpSettings | None = None
    reminder_offsets: ReminderOffsets | None = None


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


class PaymentCreate(WithMetadata):
    invoice: PublicId
    amount: PositiveAmount
    method: Literal["manual", "bank_transfer", "card", "cash", "check", "other"] = "manual"
    reference: Annotated[str, StringConstraints(max_length=200)] | None = None
    paid_at: Annotated[int, Field(ge=0, le=32503680000)] | None = None


class CreditNoteLineInput(Input):
    invoice_line: PublicId
    quantity: Quantity | None = None
    amount: PositiveAmount | None = None


class CreditNoteCreate(WithMetadata):
    invoice: PublicId
    amount: PositiveAmount | None = None
    lines: list[CreditNoteLineInput] | None = Field(default=None, max_length=1000)
    reason: CreditReason | None = None
    memo: Annotated[str, StringConstraints(max_length=5000)] | None = None


class CreditGrantCreate(WithMetadata):
    amount: PositiveAmount
    currency: Currency
    reason: ShortText | None = None
    expires_at: Timestamp | None = None


def provided(model: BaseModel) -> dict[str, Any]:
    """The fields the caller actually sent (for partial updates)."""
    return {k: getattr(model, k) for k in model.model_fields_set}


def merge_metadata(current: dict[str, Any] | None, update: Metadata | None) -> dict[str, Any]:
    """Stripe's rule: keys are merged; a key set to an empty string is removed."""
    merged = dict(current or {})
    for key, value in (update or {}).items():
        if value == "":
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged
