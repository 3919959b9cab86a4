"""The document view model: one invoice or credit note as every rendering reads it (the
PDF, the hosted page, e-mail, UBL and CII). Plain frozen values, no I/O.

Amounts are integers in the currency's minor unit, quantities and rates `Decimal`; they
become decimal text only when a serialiser writes them (`documents.amounts`).

Each line carries two views of itself: Folio's (quantity, unit price, amount, discounts,
tax as the invoice computed them; gross when the tax is inclusive) for people, and the
EN 16931 one (net price, invoiced quantity, line net amount, line allowances) for
machines. The EN 16931 business terms (BT-…) are named where a field maps to one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum

DEFAULT_UNIT_CODE = "C62"  # UN/ECE Recommendation 20: "one" (unit)
DISCOUNT_REASON = "Discount"
DISCOUNT_REASON_CODE = "95"  # UNTDID 5189: discount
CREDIT_REASON = "Customer credit"  # the credit balance applied before tax (code 95 too)


class DocumentKind(str, Enum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"

    @property
    def type_code(self) -> str:
        """BT-3, UNTDID 1001: 380 commercial invoice, 381 credit note."""
        return "380" if self is DocumentKind.INVOICE else "381"


@dataclass(frozen=True)
class Address:
    line1: str | None = None  # BT-35 / BT-50
    line2: str | None = None  # BT-36 / BT-51
    city: str | None = None  # BT-37 / BT-52
    postal_code: str | None = None  # BT-38 / BT-53
    state: str | None = None  # BT-39 / BT-54
    country: str | None = None  # BT-40 / BT-55, ISO 3166-1 alpha-2

    @property
    def is_empty(self) -> bool:
        return not any((self.line1, self.line2, self.city, self.postal_code, self.state,
                        self.country))


@dataclass(frozen=True)
class ElectronicAddress:
    """BT-34 / BT-49 with its scheme (BT-34-1 / BT-49-1, an EAS code)."""

    scheme: str
    identifier: str


@dataclass(frozen=True)
class Party:
    name: str | None  # BT-27 / BT-44: the registered (legal) name
    address: Address
    trading_name: str | None = None  # BT-28 / BT-45
    vat_id: str | None = None  # BT-31 / BT-48
    tax_registration_id: str | None = None  # BT-32 (seller only)
    legal_registration_id: str | None = None  # BT-30 / BT-47
    email: str | None = None  # BT-43 / BT-58
    phone: str | None = None  # BT-42 / BT-57
    electronic_address: ElectronicAddress | None = None


@dataclass(frozen=True)
class PaymentInstructions:
    """BG-16: how to pay the seller."""

    means_code: str  # BT-81, UNTDID 4461: 58 SEPA credit transfer, 30 credit transfer
    iban: str | None = None  # BT-84
    bic: str | None = None  # BT-86
    account_name: str | None = None  # BT-85
    remittance: str | None = None  # BT-83: what to quote with the payment


@dataclass(frozen=True)
class TaxCategory:
    """A VAT category and rate (BT-151/152, BT-95/96, BT-118/119)."""

    code: str  # S, Z, E, AE, K, G, O, L, M
    rate: Decimal | None  # percent; None for O (not subject to VAT)
    exemption_reason: str | None = None  # BT-120
    exemption_reason_code: str | None = None  # BT-121

    @property
    def key(self) -> tuple[str, Decimal | None]:
        return self.code, self.rate.normalize() if self.rate is not None else None


@dataclass(frozen=True)
class LineTax:
    """One tax rate of a line as the invoice computed it (a line may carry several rates,
    e.g. state and county sales tax; EN 16931 allows one VAT category per line)."""

    name: str
    category: TaxCategory
    inclusive: bool
    taxable_amount: int
    amount: int


@dataclass(frozen=True)
class Allowance:
    """A discount: on a line (BG-27) or on the document (BG-20, then with its VAT
    category)."""

    amount: int  # BT-136 / BT-92
    reason: str = DISCOUNT_REASON  # BT-139 / BT-97
    reason_code: str = DISCOUNT_REASON_CODE  # BT-140 / BT-98
    tax: TaxCategory | None = None  # BT-95 / BT-96 (document level)
    percent: Decimal | None = None  # the discount's percent_off, for people
    coupon: str | None = None


@dataclass(frozen=True)
class Period:
    start: date | None  # BT-73 / BT-134
    end: date | None  # BT-74 / BT-135


@dataclass(frozen=True)
class Line:
    id: str  # BT-126: the line's position, "1", "2", ...
    name: str | None  # BT-153
    unit_code: str  # BT-130, UN/ECE Recommendation 20
    # Folio's view: what the invoice computed (gross when the tax is inclusive)
    quantity: Decimal
    unit_price: Decimal  # minor units per unit, may be finer than the minor unit
    amount: int  # round(quantity x unit price)
    discount_amount: int  # every discount on the line, its own and its invoice share
    taxes: tuple[LineTax, ...]
    tax_amount: int
    tax_inclusive: bool
    # the EN 16931 view: net of VAT, BT-131 = invoiced quantity x net price / base quantity
    # - line allowances
    invoiced_quantity: Decimal  # BT-129 (negative for a line that takes money off)
    net_price: Decimal  # BT-146, minor units per base quantity, never negative (BR-27)
    base_quantity: Decimal  # BT-149
    allowances: tuple[Allowance, ...]  # BG-27
    net_amount: int  # BT-131
    period: Period | None = None  # BG-26
    item_id: str | None = None  # BT-155: the catalogue product's id
    source_line: str | None = None  # Folio's line id (for a credit note: the credited line)

    @property
    def tax(self) -> TaxCategory | None:
        """The line's one VAT category (BT-151/152), or None without exactly one rate."""
        return self.taxes[0].category if len(self.taxes) == 1 else None


@dataclass(frozen=True)
class TaxSubtotal:
    """BG-23: one VAT category and rate."""

    category: TaxCategory
    taxable_amount: int  # BT-116
    tax_amount: int  # BT-117
    names: tuple[str, ...] = ()  # the tax rates' display names, for people


@dataclass(frozen=True)
class Totals:
    """BG-22."""

    line_total: int  # BT-106: sum of line net amounts
    allowance_total: int  # BT-107: document level allowances
    tax_exclusive: int  # BT-109
    tax_total: int  # BT-110
    tax_inclusive: int  # BT-112
    paid: int  # BT-113: paid before the document was issued
    payable: int  # BT-115
    charge_total: int = 0  # BT-108: Folio has no document level charges
    rounding: int = 0  # BT-114


@dataclass(frozen=True)
class Balance:
    """Where the invoice stands now (payments and credit notes after issue). Not part of
    the legal document, which never changes once issued; for pages that show status."""

    amount_paid: int
    amount_credited: int
    amount_due: int


@dataclass(frozen=True)
class DocumentReference:
    """BG-3: the invoice a credit note corrects."""

    number: str | None  # BT-25
    issue_date: date | None  # BT-26
    id: str | None = None  # Folio's invoice id


@dataclass(frozen=True)
class Document:
    kind: DocumentKind
    id: str  # Folio's public id
    status: str  # draft, open, paid, void, uncollectible; issued (credit notes)
    livemode: bool
    number: str | None  # BT-1; None while a draft
    issue_date: date | None  # BT-2 (UTC)
    due_date: date | None  # BT-9
    currency: str  # BT-5, ISO 4217 upper case
    seller: Party  # BG-4
    buyer: Party  # BG-7
    lines: tuple[Line, ...]  # BG-25
    allowances: tuple[Allowance, ...]  # BG-20
    tax_breakdown: tuple[TaxSubtotal, ...]  # BG-23
    totals: Totals
    balance: Balance | None  # invoices only
    payment: PaymentInstructions | None = None  # BG-16
    payment_terms: str | None = None  # BT-20
    notes: tuple[str, ...] = ()  # BT-22
    footer: str | None = None
    buyer_reference: str | None = None  # BT-10
    order_reference: str | None = None  # BT-13
    period: Period | None = None  # BG-14
    corrects: DocumentReference | None = None  # BG-3 (credit notes)
    credit_applied: int = 0  # customer credit balance applied before tax (in allowances)

    @property
    def type_code(self) -> str:
        return self.kind.type_code
