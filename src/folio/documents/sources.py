"""What a document is built from: the stored invoice or credit note as plain values (the
service reads them from the database; tests build them directly)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from folio.documents.model import Balance, Party, PaymentInstructions, Period
from folio.domain.calculation import DiscountSpec
from folio.domain.money import RoundingMode


@dataclass(frozen=True)
class StoredTax:
    """One tax rate snapshot on a line (what finalize froze)."""

    rate_id: str
    name: str
    percentage: Decimal
    inclusive: bool
    category: str
    taxable_amount: int
    amount: int
    exemption_reason: str | None = None
    exemption_reason_code: str | None = None


@dataclass(frozen=True)
class StoredLine:
    id: str
    description: str | None
    quantity: Decimal
    unit_amount: Decimal  # minor units, may be fractional
    unit_code: str | None
    amount: int
    discount_amount: int
    tax_amount: int
    discounts: tuple[DiscountSpec, ...] = ()
    taxes: tuple[StoredTax, ...] = ()
    period: Period | None = None
    product: str | None = None
    credit_amount: int = 0  # the line's share of the customer credit applied before tax


@dataclass(frozen=True)
class StoredInvoice:
    id: str
    status: str
    livemode: bool
    number: str | None
    issue_date: date | None
    due_date: date | None
    currency: str
    rounding: RoundingMode
    seller: Party
    buyer: Party
    lines: tuple[StoredLine, ...]
    subtotal: int
    discount_total: int
    tax_total: int
    total: int
    balance: Balance
    discounts: tuple[DiscountSpec, ...] = ()
    collected_automatically: bool = False  # charge_automatically: paid when issued
    payment: PaymentInstructions | None = None
    payment_terms: str | None = None
    notes: tuple[str, ...] = ()
    footer: str | None = None
    buyer_reference: str | None = None
    order_reference: str | None = None
    period: Period | None = None
    credit_applied: int = 0  # customer credit balance applied before tax (ADR 8)


@dataclass(frozen=True)
class StoredCreditLine:
    invoice_line: str | None
    description: str | None
    quantity: Decimal | None
    amount: int  # tax included
    tax_amount: int
    # None: the credited invoice line's rate applies; (): zero rated; else the chosen rate
    taxes: tuple[StoredTax, ...] | None = None


@dataclass(frozen=True)
class StoredCreditNote:
    id: str
    status: str
    livemode: bool
    number: str | None
    issue_date: date | None
    currency: str
    amount: int  # tax included
    tax_amount: int
    after_payment: bool  # post_payment: money owed back; else lowers what is due
    invoice: StoredInvoice
    lines: tuple[StoredCreditLine, ...] = ()
    reason: str | None = None
    memo: str | None = None
