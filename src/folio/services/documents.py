"""Builds the document view model of a stored invoice or credit note: reads the rows and
their snapshots into plain values and hands them to the pure builders in
`folio.documents`. Works for every state (a draft's PDF is marked a draft); the
e-invoice export decides which states it accepts.

Parties: a finalized invoice carries the seller (the account) and the buyer (the
customer) as they were at finalize; a draft, or an invoice finalized before seller
snapshots existed, reads them live. A credit note carries the parties of the invoice it
corrects."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from folio.db.models import Account, CreditNote, Invoice
from folio.documents.build import invoice_document
from folio.documents.build_credit import credit_note_document
from folio.documents.model import (
    Address,
    Balance,
    Document,
    ElectronicAddress,
    Party,
    PaymentInstructions,
    Period,
)
from folio.documents.sources import (
    StoredCreditLine,
    StoredCreditNote,
    StoredInvoice,
    StoredLine,
    StoredTax,
)
from folio.domain.money import RoundingMode
from folio.services.pricing import discount_specs
from folio.services.views import customer_snapshot

SEPA_CREDIT_TRANSFER = "58"
CREDIT_TRANSFER = "30"
EMAIL_SCHEME = "EM"  # EAS: electronic mail (SMTP)


def seller_snapshot(account: Account) -> dict[str, Any]:
    """The account as the seller of a document, frozen on an invoice at finalize."""
    return {"name": account.name, "legal_name": account.legal_name,
            "address": account.address, "country": account.country, "email": account.email,
            "vat_id": account.vat_id, "tax_registration_id": account.tax_registration_id,
            "legal_registration_id": account.legal_registration_id,
            "einvoice_address": account.einvoice_address, "iban": account.iban,
            "bic": account.bic, "payment_terms": account.payment_terms}


def day(timestamp: int | None) -> date | None:
    return None if timestamp is None else datetime.fromtimestamp(timestamp, UTC).date()


def _period(start: int | None, end: int | None) -> Period | None:
    return None if start is None and end is None else Period(day(start), day(end))


def _electronic_address(text: str | None, email: str | None) -> ElectronicAddress | None:
    if text and ":" in text:
        scheme, _, identifier = text.partition(":")
        return ElectronicAddress(scheme, identifier)
    return ElectronicAddress(EMAIL_SCHEME, email) if email else None


def _address(stored: dict[str, Any] | None, country: str | None = None) -> Address:
    a = stored or {}
    return Address(line1=a.get("line1"), line2=a.get("line2"), city=a.get("city"),
                   postal_code=a.get("postal_code"), state=a.get("state"),
                   country=a.get("country") or country)


def seller_party(s: dict[str, Any]) -> Party:
    legal = s.get("legal_name")
    return Party(name=legal or s.get("name"),
                 trading_name=s.get("name") if legal and legal != s.get("name") else None,
                 address=_address(s.get("address"), s.get("country")), vat_id=s.get("vat_id"),
                 tax_registration_id=s.get("tax_registration_id"),
                 legal_registration_id=s.get("legal_registration_id"), email=s.get("email"),
                 electronic_address=_electronic_address(s.get("einvoice_address"),
                                                        s.get("email")))


def buyer_party(c: dict[str, Any]) -> Party:
    return Party(name=c.get("name"), address=_address(c.get("address")),
                 vat_id=c.get("tax_id"), email=c.get("email"), phone=c.get("phone"),
                 electronic_address=_electronic_address(c.get("einvoice_address"),
                                                        c.get("email")))


def _payment(s: dict[str, Any], currency: str, number: str | None
             ) -> PaymentInstructions | None:
    if not s.get("iban"):
        return None
    return PaymentInstructions(
        means_code=SEPA_CREDIT_TRANSFER if currency.lower() == "eur" else CREDIT_TRANSFER,
        iban=s["iban"], bic=s.get("bic"), account_name=s.get("legal_name") or s.get("name"),
        remittance=number)


def _tax(t: dict[str, Any]) -> StoredTax:
    return StoredTax(rate_id=str(t["tax_rate"]), name=str(t["display_name"]),
                     percentage=Decimal(str(t["percentage"])), inclusive=bool(t["inclusive"]),
                     category=str(t.get("category") or "S"),
                     taxable_amount=int(t["taxable_amount"]), amount=int(t["amount"]),
                     exemption_reason=t.get("exemption_reason"),
                     exemption_reason_code=t.get("exemption_reason_code"))


def stored_invoice(account: Account, invoice: Invoice) -> StoredInvoice:
    seller = invoice.seller_snapshot or seller_snapshot(account)
    buyer = invoice.customer_snapshot or customer_snapshot(invoice.customer)
    lines = tuple(
        StoredLine(id=x.public_id, description=x.description, quantity=x.quantity,
                   unit_amount=x.unit_amount_decimal, unit_code=x.unit_code, amount=x.amount,
                   discount_amount=x.discount_amount, tax_amount=x.tax_amount,
                   discounts=discount_specs(x.line_discounts or []),
                   taxes=tuple(_tax(t) for t in x.taxes or []),
                   period=_period(x.period_start, x.period_end), product=x.product_ref,
                   credit_amount=x.credit_amount or 0)
        for x in invoice.lines)
    return StoredInvoice(
        id=invoice.public_id, status=invoice.status, livemode=invoice.livemode,
        number=invoice.number, issue_date=day(invoice.finalized_at),
        due_date=day(invoice.due_date), currency=invoice.currency,
        rounding=RoundingMode(invoice.rounding_mode), seller=seller_party(seller),
        buyer=buyer_party(buyer), lines=lines, subtotal=invoice.subtotal,
        discount_total=invoice.discount_total, tax_total=invoice.tax_total,
        total=invoice.total,
        balance=Balance(amount_paid=invoice.amount_paid,
                        amount_credited=invoice.amount_credited
                        + invoice.post_payment_credited,
                        amount_due=invoice.amount_due),
        discounts=discount_specs(invoice.discounts or []),
        collected_automatically=invoice.collection_method == "charge_automatically",
        payment=_payment(seller, invoice.currency, invoice.number),
        payment_terms=seller.get("payment_terms"),
        notes=tuple(x for x in (invoice.description, invoice.memo) if x),
        footer=invoice.footer, buyer_reference=invoice.reference,
        order_reference=invoice.po_number,
        period=_period(invoice.period_start, invoice.period_end),
        credit_applied=invoice.credit_applied or 0)


def _credit_line(d: dict[str, Any]) -> StoredCreditLine:
    return StoredCreditLine(
        invoice_line=d.get("invoice_line"), description=d.get("description"),
        quantity=Decimal(str(d["quantity"])) if d.get("quantity") else None,
        amount=int(d["amount"]), tax_amount=int(d["tax_amount"]),
        taxes=tuple(_tax(t) for t in d["taxes"]) if "taxes" in d else None)


def invoice_view_model(account: Account, invoice: Invoice) -> Document:
    return invoice_document(stored_invoice(account, invoice))


def credit_note_view_model(account: Account, note: CreditNote) -> Document:
    return credit_note_document(StoredCreditNote(
        id=note.public_id, status=note.status, livemode=note.livemode, number=note.number,
        issue_date=day(note.issued_at), currency=note.currency, amount=note.amount,
        tax_amount=note.tax_amount, after_payment=note.type == "post_payment",
        invoice=stored_invoice(account, note.invoice),
        lines=tuple(_credit_line(d) for d in note.lines or []), reason=note.reason,
        memo=note.memo))
