"""UBL 2.1 Invoice and CreditNote with the Peppol BIS Billing 3.0 customization, written
with lxml from the document view model. Element order follows the UBL 2.1 schemas;
elements without a value are left out (Peppol forbids empty elements)."""

from __future__ import annotations

from typing import Any

from lxml import etree

from folio.documents.amounts import amount_text, decimal_text, price_text
from folio.documents.model import (
    Address,
    Allowance,
    Document,
    DocumentKind,
    Line,
    Party,
    Period,
    TaxCategory,
)

INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CUSTOMIZATION_ID = ("urn:cen.eu:en16931:2017#compliant#"
                    "urn:fdc:peppol.eu:2017:poacc:billing:3.0")
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
SELLER_TAX_REGISTRATION_SCHEME = "TAX"  # BT-32: any tax scheme other than VAT

Element = Any  # lxml elements (lxml ships no type information)


class _Writer:
    def __init__(self, currency: str) -> None:
        self.currency = currency

    @staticmethod
    def cac(parent: Element, name: str) -> Element:
        return etree.SubElement(parent, f"{{{CAC}}}{name}")

    @staticmethod
    def cbc(parent: Element, name: str, text: str | None, **attributes: str) -> Element | None:
        if text is None or text == "":
            return None
        element = etree.SubElement(parent, f"{{{CBC}}}{name}", **attributes)
        element.text = text
        return element

    def amount(self, parent: Element, name: str, minor: int) -> None:
        self.cbc(parent, name, amount_text(minor, self.currency), currencyID=self.currency)

    def address(self, parent: Element, address: Address) -> None:
        node = self.cac(parent, "PostalAddress")
        self.cbc(node, "StreetName", address.line1)
        self.cbc(node, "AdditionalStreetName", address.line2)
        self.cbc(node, "CityName", address.city)
        self.cbc(node, "PostalZone", address.postal_code)
        self.cbc(node, "CountrySubentity", address.state)
        if address.country:
            self.cbc(self.cac(node, "Country"), "IdentificationCode", address.country)

    def tax_scheme(self, parent: Element, company_id: str | None, scheme: str) -> None:
        if company_id:
            node = self.cac(parent, "PartyTaxScheme")
            self.cbc(node, "CompanyID", company_id)
            self.cbc(self.cac(node, "TaxScheme"), "ID", scheme)

    def party(self, parent: Element, role: str, party: Party) -> None:
        node = self.cac(self.cac(parent, role), "Party")
        if party.electronic_address:
            self.cbc(node, "EndpointID", party.electronic_address.identifier,
                     schemeID=party.electronic_address.scheme)
        if party.trading_name:
            self.cbc(self.cac(node, "PartyName"), "Name", party.trading_name)
        self.address(node, party.address)
        self.tax_scheme(node, party.vat_id, "VAT")
        self.tax_scheme(node, party.tax_registration_id, SELLER_TAX_REGISTRATION_SCHEME)
        if party.name or party.legal_registration_id:
            legal = self.cac(node, "PartyLegalEntity")
            self.cbc(legal, "RegistrationName", party.name)
            self.cbc(legal, "CompanyID", party.legal_registration_id)
        if party.email or party.phone:
            contact = self.cac(node, "Contact")
            self.cbc(contact, "Telephone", party.phone)
            self.cbc(contact, "ElectronicMail", party.email)

    def category(self, parent: Element, name: str, tax: TaxCategory,
                 exemption: bool = False) -> None:
        node = self.cac(parent, name)
        self.cbc(node, "ID", tax.code)
        if tax.rate is not None:
            self.cbc(node, "Percent", decimal_text(tax.rate))
        if exemption:
            self.cbc(node, "TaxExemptionReasonCode", tax.exemption_reason_code)
            self.cbc(node, "TaxExemptionReason", tax.exemption_reason)
        self.cbc(self.cac(node, "TaxScheme"), "ID", "VAT")

    def allowance(self, parent: Element, allowance: Allowance) -> None:
        node = self.cac(parent, "AllowanceCharge")
        self.cbc(node, "ChargeIndicator", "false")
        self.cbc(node, "AllowanceChargeReasonCode", allowance.reason_code)
        self.cbc(node, "AllowanceChargeReason", allowance.reason)
        self.amount(node, "Amount", allowance.amount)
        if allowance.tax is not None:
            self.category(node, "TaxCategory", allowance.tax)

    def period(self, parent: Element, period: Period | None) -> None:
        if period is not None and (period.start or period.end):
            node = self.cac(parent, "InvoicePeriod")
            self.cbc(node, "StartDate", period.start.isoformat() if period.start else None)
            self.cbc(node, "EndDate", period.end.isoformat() if period.end else None)


def _line(w: _Writer, parent: Element, line: Line, credit: bool) -> None:
    node = w.cac(parent, "CreditNoteLine" if credit else "InvoiceLine")
    w.cbc(node, "ID", line.id)
    w.cbc(node, "CreditedQuantity" if credit else "InvoicedQuantity",
          decimal_text(line.invoiced_quantity), unitCode=line.unit_code)
    w.amount(node, "LineExtensionAmount", line.net_amount)
    w.period(node, line.period)
    for allowance in line.allowances:
        w.allowance(node, allowance)
    item = w.cac(node, "Item")
    w.cbc(item, "Name", line.name)
    if line.item_id:
        w.cbc(w.cac(item, "SellersItemIdentification"), "ID", line.item_id)
    if line.tax is not None:
        w.category(item, "ClassifiedTaxCategory", line.tax)
    price = w.cac(node, "Price")
    w.cbc(price, "PriceAmount", price_text(line.net_price, w.currency), currencyID=w.currency)
    if line.base_quantity != 1:
        w.cbc(price, "BaseQuantity", decimal_text(line.base_quantity), unitCode=line.unit_code)


def _header(w: _Writer, root: Element, doc: Document, credit: bool) -> None:
    w.cbc(root, "CustomizationID", CUSTOMIZATION_ID)
    w.cbc(root, "ProfileID", PROFILE_ID)
    w.cbc(root, "ID", doc.number)
    w.cbc(root, "IssueDate", doc.issue_date.isoformat() if doc.issue_date else None)
    if not credit:
        w.cbc(root, "DueDate", doc.due_date.isoformat() if doc.due_date else None)
    w.cbc(root, "CreditNoteTypeCode" if credit else "InvoiceTypeCode", doc.type_code)
    w.cbc(root, "Note", "\n".join(doc.notes) or None)  # Peppol allows one note
    w.cbc(root, "DocumentCurrencyCode", doc.currency)
    w.cbc(root, "BuyerReference", doc.buyer_reference)
    w.period(root, doc.period)
    if doc.order_reference:
        w.cbc(w.cac(root, "OrderReference"), "ID", doc.order_reference)
    if doc.corrects is not None:
        ref = w.cac(w.cac(root, "BillingReference"), "InvoiceDocumentReference")
        w.cbc(ref, "ID", doc.corrects.number)
        w.cbc(ref, "IssueDate", doc.corrects.issue_date.isoformat()
              if doc.corrects.issue_date else None)


def _settlement(w: _Writer, root: Element, doc: Document) -> None:
    if doc.payment is not None:
        means = w.cac(root, "PaymentMeans")
        w.cbc(means, "PaymentMeansCode", doc.payment.means_code)
        w.cbc(means, "PaymentID", doc.payment.remittance)
        if doc.payment.iban:
            account = w.cac(means, "PayeeFinancialAccount")
            w.cbc(account, "ID", doc.payment.iban)
            w.cbc(account, "Name", doc.payment.account_name)
            if doc.payment.bic:
                w.cbc(w.cac(account, "FinancialInstitutionBranch"), "ID", doc.payment.bic)
    if doc.payment_terms:
        w.cbc(w.cac(root, "PaymentTerms"), "Note", doc.payment_terms)
    for allowance in doc.allowances:
        w.allowance(root, allowance)
    total = w.cac(root, "TaxTotal")
    w.amount(total, "TaxAmount", doc.totals.tax_total)
    for sub in doc.tax_breakdown:
        node = w.cac(total, "TaxSubtotal")
        w.amount(node, "TaxableAmount", sub.taxable_amount)
        w.amount(node, "TaxAmount", sub.tax_amount)
        w.category(node, "TaxCategory", sub.category, exemption=True)
    t = doc.totals
    money = w.cac(root, "LegalMonetaryTotal")
    w.amount(money, "LineExtensionAmount", t.line_total)
    w.amount(money, "TaxExclusiveAmount", t.tax_exclusive)
    w.amount(money, "TaxInclusiveAmount", t.tax_inclusive)
    if doc.allowances:
        w.amount(money, "AllowanceTotalAmount", t.allowance_total)
    if t.paid:
        w.amount(money, "PrepaidAmount", t.paid)
    if t.rounding:
        w.amount(money, "PayableRoundingAmount", t.rounding)
    w.amount(money, "PayableAmount", t.payable)


def to_ubl(doc: Document) -> bytes:
    credit = doc.kind is DocumentKind.CREDIT_NOTE
    namespace = CREDIT_NOTE_NS if credit else INVOICE_NS
    root = etree.Element(f"{{{namespace}}}{'CreditNote' if credit else 'Invoice'}",
                         nsmap={None: namespace, "cac": CAC, "cbc": CBC})
    w = _Writer(doc.currency)
    _header(w, root, doc, credit)
    w.party(root, "AccountingSupplierParty", doc.seller)
    w.party(root, "AccountingCustomerParty", doc.buyer)
    _settlement(w, root, doc)
    for line in doc.lines:
        _line(w, root, line, credit)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                pretty_print=True))
