"""UN/CEFACT Cross Industry Invoice (CII D16B) in the EN 16931 profile (also the XML of a
Factur-X / ZUGFeRD "EN 16931" PDF), written with drafthorse from the document view model.
A credit note is the same message with type code 381 and the corrected invoice named."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drafthorse.models.accounting import (
    ApplicableTradeTax,
    CategoryTradeTax,
    TradeAllowanceCharge,
)
from drafthorse.models.document import Document as CIIDocument
from drafthorse.models.note import IncludedNote
from drafthorse.models.party import TaxRegistration
from drafthorse.models.payment import PaymentMeans, PaymentTerms
from drafthorse.models.tradelines import LineItem

from folio.documents.amounts import amount_value, decimal_text, price_text
from folio.documents.model import Allowance, Document, Line, Party, Period, TaxCategory

GUIDELINE_EN16931 = "urn:cen.eu:en16931:2017"
VAT_REGISTRATION = "VA"  # scheme of a VAT identifier (BT-31, BT-48)
TAX_REGISTRATION = "FC"  # scheme of a seller tax registration identifier (BT-32)
SCHEMA = "FACTUR-X_EN16931"  # drafthorse validates its output against this XSD

CII = Any  # drafthorse elements (drafthorse ships no type information)


def _party(node: CII, party: Party) -> None:
    node.name = party.name or ""
    if party.legal_registration_id or party.trading_name:
        if party.legal_registration_id:
            node.legal_organization.id = party.legal_registration_id
        if party.trading_name:
            node.legal_organization.trade_name = party.trading_name
    if party.email:
        node.contact.email.address = party.email
    if party.phone:
        node.contact.telephone.number = party.phone
    address = party.address
    if address.postal_code:
        node.address.postcode = address.postal_code
    if address.line1:
        node.address.line_one = address.line1
    if address.line2:
        node.address.line_two = address.line2
    if address.city:
        node.address.city_name = address.city
    if address.country:
        node.address.country_id = address.country
    if address.state:
        node.address.country_subdivision = address.state
    if party.electronic_address:
        node.electronic_address.uri_ID = (party.electronic_address.scheme,
                                          party.electronic_address.identifier)
    for scheme, value in ((VAT_REGISTRATION, party.vat_id),
                          (TAX_REGISTRATION, party.tax_registration_id)):
        if value:
            node.tax_registrations.add(TaxRegistration(id=(scheme, value)))


def _rate(tax: TaxCategory) -> Decimal | None:
    return Decimal(decimal_text(tax.rate)) if tax.rate is not None else None


def _line_tax(node: CII, tax: TaxCategory) -> None:
    node.type_code = "VAT"
    node.category_code = tax.code
    if tax.rate is not None:
        node.rate_applicable_percent = _rate(tax)


def _period(node: CII, period: Period | None) -> None:
    if period is not None and (period.start or period.end):
        if period.start:
            node.start = period.start
        if period.end:
            node.end = period.end


def _allowance(allowance: Allowance, currency: str, line: bool) -> CII:
    charge = TradeAllowanceCharge()
    charge.indicator = False
    charge.actual_amount = amount_value(allowance.amount, currency)
    charge.reason_code = allowance.reason_code
    charge.reason = allowance.reason
    if not line and allowance.tax is not None:
        tax = CategoryTradeTax()
        _line_tax(tax, allowance.tax)
        charge.trade_tax.add(tax)
    return charge


def _line(line: Line, currency: str) -> CII:
    item = LineItem()
    item.document.line_id = line.id
    if line.item_id:
        item.product.seller_assigned_id = line.item_id
    item.product.name = line.name or ""
    item.agreement.net.amount = Decimal(price_text(line.net_price, currency))
    if line.base_quantity != 1:
        item.agreement.net.basis_quantity = (Decimal(decimal_text(line.base_quantity)),
                                             line.unit_code)
    item.delivery.billed_quantity = (Decimal(decimal_text(line.invoiced_quantity)),
                                     line.unit_code)
    if line.tax is not None:
        _line_tax(item.settlement.trade_tax, line.tax)
    if line.period is not None:
        _period(item.settlement.period, line.period)
    for allowance in line.allowances:
        item.settlement.allowance_charge.add(_allowance(allowance, currency, line=True))
    item.settlement.monetary_summation.total_amount = amount_value(line.net_amount, currency)
    return item


def _settlement(cii: CII, doc: Document) -> None:
    settlement, currency = cii.trade.settlement, doc.currency
    settlement.currency_code = currency
    if doc.payment is not None:
        if doc.payment.remittance:
            settlement.payment_reference = doc.payment.remittance
        means = PaymentMeans()
        means.type_code = doc.payment.means_code
        if doc.payment.iban:
            means.payee_account.iban = doc.payment.iban
            if doc.payment.account_name:
                means.payee_account.account_name = doc.payment.account_name
        if doc.payment.bic:
            means.payee_institution.bic = doc.payment.bic
        settlement.payment_means.add(means)
    for sub in doc.tax_breakdown:
        tax = ApplicableTradeTax()
        tax.calculated_amount = amount_value(sub.tax_amount, currency)
        tax.type_code = "VAT"
        if sub.category.exemption_reason:
            tax.exemption_reason = sub.category.exemption_reason
        tax.basis_amount = amount_value(sub.taxable_amount, currency)
        tax.category_code = sub.category.code
        if sub.category.exemption_reason_code:
            tax.exemption_reason_code = sub.category.exemption_reason_code
        if sub.category.rate is not None:
            tax.rate_applicable_percent = _rate(sub.category)
        settlement.trade_tax.add(tax)
    _period(settlement.period, doc.period)
    for allowance in doc.allowances:
        settlement.allowance_charge.add(_allowance(allowance, currency, line=False))
    if doc.payment_terms or doc.due_date:
        terms = PaymentTerms()
        if doc.payment_terms:
            terms.description = doc.payment_terms
        if doc.due_date:
            terms.due = doc.due_date
        settlement.terms.add(terms)
    t, total = doc.totals, settlement.monetary_summation
    total.line_total = amount_value(t.line_total, currency)
    if doc.allowances:
        total.allowance_total = amount_value(t.allowance_total, currency)
    total.tax_basis_total = (amount_value(t.tax_exclusive, currency), None)
    total.tax_total = (amount_value(t.tax_total, currency), currency)
    total.grand_total = (amount_value(t.tax_inclusive, currency), None)
    if t.paid:
        total.prepaid_total = amount_value(t.paid, currency)
    total.due_amount = amount_value(t.payable, currency)
    if doc.corrects is not None:
        ref = settlement.invoice_referenced_document
        ref.issuer_assigned_id = doc.corrects.number or ""
        if doc.corrects.issue_date:
            ref.issue_date_time = doc.corrects.issue_date


def to_cii(doc: Document) -> bytes:
    cii = CIIDocument()
    cii.context.guideline_parameter.id = GUIDELINE_EN16931
    cii.header.id = doc.number or ""
    cii.header.type_code = doc.type_code
    if doc.issue_date:
        cii.header.issue_date_time = doc.issue_date
    for text in doc.notes:
        cii.header.notes.add(IncludedNote(content=text))
    agreement = cii.trade.agreement
    if doc.buyer_reference:
        agreement.buyer_reference = doc.buyer_reference
    _party(agreement.seller, doc.seller)
    _party(agreement.buyer, doc.buyer)
    if doc.order_reference:
        agreement.buyer_order.issuer_assigned_id = doc.order_reference
    for line in doc.lines:
        cii.trade.items.add(_line(line, doc.currency))
    _settlement(cii, doc)
    return bytes(cii.serialize(schema=SCHEMA))
