"""Readers that parse Folio's UBL and CII back into the document view model (the EN 16931
view; Folio's own per-line figures are not in the XML and are filled from it), so tests
can compare what was written with what was meant, exactly, and run the business rules
over what the XML really says. Amounts are parsed with `from_major`, which refuses any
digit below the currency's minor unit."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from lxml import etree

from folio.documents.model import (
    Address,
    Allowance,
    Document,
    DocumentKind,
    DocumentReference,
    ElectronicAddress,
    Line,
    LineTax,
    Party,
    PaymentInstructions,
    Period,
    TaxCategory,
    TaxSubtotal,
    Totals,
)
from folio.domain.money import exponent, from_major

UBL_NS = {"cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
          "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"}
_RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
CII_NS = {"rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
          "ram": _RAM,
          "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
          "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"}


class _Reader:
    def __init__(self, ns: dict[str, str], currency: str = "") -> None:
        self.ns = ns
        self.currency = currency

    def text(self, node: Any, path: str) -> str | None:
        found = node.find(path, self.ns)
        return found.text if found is not None else None

    def all(self, node: Any, path: str) -> list[Any]:
        return list(node.findall(path, self.ns))

    def money(self, node: Any, path: str, default: int | None = None) -> int:
        found = node.find(path, self.ns)
        if found is None:
            assert default is not None, f"missing amount {path}"
            return default
        currency = found.get("currencyID")
        assert currency in (None, self.currency), (path, currency)
        return from_major(Decimal(found.text), self.currency)

    def price(self, node: Any, path: str) -> Decimal:
        return Decimal(self.text(node, path) or "0").scaleb(exponent(self.currency))

    def decimal(self, node: Any, path: str, default: str | None = None) -> Decimal:
        value = self.text(node, path)
        assert value is not None or default is not None, f"missing {path}"
        return Decimal(value if value is not None else default or "0")


def _iso(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _cii_date(text: str | None) -> date | None:
    return datetime.strptime(text, "%Y%m%d").date() if text else None


def _line_view(id_: str, name: str | None, unit: str, quantity: Decimal, price: Decimal,
               base: Decimal, net: int, allowances: tuple[Allowance, ...],
               tax: TaxCategory | None, period: Period | None, item: str | None) -> Line:
    taxes = (LineTax(name="VAT", category=tax, inclusive=False, taxable_amount=net,
                     amount=0),) if tax else ()
    return Line(id=id_, name=name, unit_code=unit, quantity=quantity, unit_price=price,
                amount=net + sum(a.amount for a in allowances),
                discount_amount=sum(a.amount for a in allowances), taxes=taxes, tax_amount=0,
                tax_inclusive=False, invoiced_quantity=quantity, net_price=price,
                base_quantity=base, allowances=allowances, net_amount=net, period=period,
                item_id=item)


# UBL ------------------------------------------------------------------------------------

def _ubl_party(r: _Reader, node: Any) -> Party:
    endpoint = node.find("cbc:EndpointID", r.ns)
    schemes = {r.text(t, "cac:TaxScheme/cbc:ID"): r.text(t, "cbc:CompanyID")
               for t in r.all(node, "cac:PartyTaxScheme")}
    address = node.find("cac:PostalAddress", r.ns)
    return Party(
        name=r.text(node, "cac:PartyLegalEntity/cbc:RegistrationName"),
        trading_name=r.text(node, "cac:PartyName/cbc:Name"),
        address=Address(line1=r.text(address, "cbc:StreetName"),
                        line2=r.text(address, "cbc:AdditionalStreetName"),
                        city=r.text(address, "cbc:CityName"),
                        postal_code=r.text(address, "cbc:PostalZone"),
                        state=r.text(address, "cbc:CountrySubentity"),
                        country=r.text(address, "cac:Country/cbc:IdentificationCode")),
        vat_id=schemes.get("VAT"), tax_registration_id=schemes.get("TAX"),
        legal_registration_id=r.text(node, "cac:PartyLegalEntity/cbc:CompanyID"),
        email=r.text(node, "cac:Contact/cbc:ElectronicMail"),
        phone=r.text(node, "cac:Contact/cbc:Telephone"),
        electronic_address=ElectronicAddress(endpoint.get("schemeID"), endpoint.text)
        if endpoint is not None else None)


def _ubl_category(r: _Reader, node: Any | None) -> TaxCategory | None:
    if node is None:
        return None
    percent = r.text(node, "cbc:Percent")
    return TaxCategory(code=r.text(node, "cbc:ID") or "",
                       rate=Decimal(percent) if percent is not None else None,
                       exemption_reason=r.text(node, "cbc:TaxExemptionReason"),
                       exemption_reason_code=r.text(node, "cbc:TaxExemptionReasonCode"))


def _ubl_allowance(r: _Reader, node: Any) -> Allowance:
    assert r.text(node, "cbc:ChargeIndicator") == "false"
    return Allowance(amount=r.money(node, "cbc:Amount"),
                     reason=r.text(node, "cbc:AllowanceChargeReason") or "",
                     reason_code=r.text(node, "cbc:AllowanceChargeReasonCode") or "",
                     tax=_ubl_category(r, node.find("cac:TaxCategory", r.ns)))


def _ubl_period(r: _Reader, node: Any | None) -> Period | None:
    if node is None:
        return None
    return Period(_iso(r.text(node, "cbc:StartDate")), _iso(r.text(node, "cbc:EndDate")))


def _ubl_line(r: _Reader, node: Any, credit: bool) -> Line:
    quantity = node.find("cbc:CreditedQuantity" if credit else "cbc:InvoicedQuantity", r.ns)
    return _line_view(
        r.text(node, "cbc:ID") or "", r.text(node, "cac:Item/cbc:Name"),
        quantity.get("unitCode"), Decimal(quantity.text),
        r.price(node, "cac:Price/cbc:PriceAmount"),
        r.decimal(node, "cac:Price/cbc:BaseQuantity", "1"),
        r.money(node, "cbc:LineExtensionAmount"),
        tuple(_ubl_allowance(r, a) for a in r.all(node, "cac:AllowanceCharge")),
        _ubl_category(r, node.find("cac:Item/cac:ClassifiedTaxCategory", r.ns)),
        _ubl_period(r, node.find("cac:InvoicePeriod", r.ns)),
        r.text(node, "cac:Item/cac:SellersItemIdentification/cbc:ID"))


def read_ubl(xml: bytes) -> tuple[Document, dict[str, str | None]]:
    """The document, and the header values not in the model (customization, profile)."""
    root = etree.fromstring(xml)
    credit = etree.QName(root).localname == "CreditNote"
    r = _Reader(UBL_NS)
    r.currency = r.text(root, "cbc:DocumentCurrencyCode") or ""
    means = root.find("cac:PaymentMeans", r.ns)
    ref = root.find("cac:BillingReference/cac:InvoiceDocumentReference", r.ns)
    money = root.find("cac:LegalMonetaryTotal", r.ns)
    tax_total = root.find("cac:TaxTotal", r.ns)
    note = r.text(root, "cbc:Note")
    doc = Document(
        kind=DocumentKind.CREDIT_NOTE if credit else DocumentKind.INVOICE,
        id=r.text(root, "cbc:ID") or "", status="parsed", livemode=False,
        number=r.text(root, "cbc:ID"), issue_date=_iso(r.text(root, "cbc:IssueDate")),
        due_date=_iso(r.text(root, "cbc:DueDate")), currency=r.currency,
        seller=_ubl_party(r, root.find("cac:AccountingSupplierParty/cac:Party", r.ns)),
        buyer=_ubl_party(r, root.find("cac:AccountingCustomerParty/cac:Party", r.ns)),
        lines=tuple(_ubl_line(r, x, credit) for x in r.all(
            root, "cac:CreditNoteLine" if credit else "cac:InvoiceLine")),
        allowances=tuple(_ubl_allowance(r, a) for a in r.all(root, "cac:AllowanceCharge")),
        tax_breakdown=tuple(
            TaxSubtotal(category=_ubl_category(r, s.find("cac:TaxCategory", r.ns)),  # type: ignore[arg-type]
                        taxable_amount=r.money(s, "cbc:TaxableAmount"),
                        tax_amount=r.money(s, "cbc:TaxAmount"))
            for s in r.all(tax_total, "cac:TaxSubtotal")),
        totals=Totals(line_total=r.money(money, "cbc:LineExtensionAmount"),
                      allowance_total=r.money(money, "cbc:AllowanceTotalAmount", 0),
                      tax_exclusive=r.money(money, "cbc:TaxExclusiveAmount"),
                      tax_total=r.money(tax_total, "cbc:TaxAmount"),
                      tax_inclusive=r.money(money, "cbc:TaxInclusiveAmount"),
                      paid=r.money(money, "cbc:PrepaidAmount", 0),
                      payable=r.money(money, "cbc:PayableAmount"),
                      rounding=r.money(money, "cbc:PayableRoundingAmount", 0)),
        balance=None,
        payment=PaymentInstructions(
            means_code=r.text(means, "cbc:PaymentMeansCode") or "",
            iban=r.text(means, "cac:PayeeFinancialAccount/cbc:ID"),
            bic=r.text(means, "cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID"),
            account_name=r.text(means, "cac:PayeeFinancialAccount/cbc:Name"),
            remittance=r.text(means, "cbc:PaymentID")) if means is not None else None,
        payment_terms=r.text(root, "cac:PaymentTerms/cbc:Note"),
        notes=tuple(note.split("\n")) if note else (),
        buyer_reference=r.text(root, "cbc:BuyerReference"),
        order_reference=r.text(root, "cac:OrderReference/cbc:ID"),
        period=_ubl_period(r, root.find("cac:InvoicePeriod", r.ns)),
        corrects=DocumentReference(r.text(ref, "cbc:ID"), _iso(r.text(ref, "cbc:IssueDate")))
        if ref is not None else None,
    )
    type_code = r.text(root, "cbc:CreditNoteTypeCode" if credit else "cbc:InvoiceTypeCode")
    return doc, {"customization": r.text(root, "cbc:CustomizationID"),
                 "profile": r.text(root, "cbc:ProfileID"), "type_code": type_code}


# CII ------------------------------------------------------------------------------------

def _cii_party(r: _Reader, node: Any) -> Party:
    uri = node.find("ram:URIUniversalCommunication/ram:URIID", r.ns)
    schemes = {t.get("schemeID"): t.text
               for t in r.all(node, "ram:SpecifiedTaxRegistration/ram:ID")}
    address = node.find("ram:PostalTradeAddress", r.ns)
    return Party(
        name=r.text(node, "ram:Name"),
        trading_name=r.text(node, "ram:SpecifiedLegalOrganization/ram:TradingBusinessName"),
        address=Address(line1=r.text(address, "ram:LineOne"),
                        line2=r.text(address, "ram:LineTwo"),
                        city=r.text(address, "ram:CityName"),
                        postal_code=r.text(address, "ram:PostcodeCode"),
                        state=r.text(address, "ram:CountrySubDivisionName"),
                        country=r.text(address, "ram:CountryID")),
        vat_id=schemes.get("VA"), tax_registration_id=schemes.get("FC"),
        legal_registration_id=r.text(node, "ram:SpecifiedLegalOrganization/ram:ID"),
        email=r.text(node, "ram:DefinedTradeContact/ram:EmailURIUniversalCommunication/ram:URIID"),
        phone=r.text(node, "ram:DefinedTradeContact/ram:TelephoneUniversalCommunication/"
                           "ram:CompleteNumber"),
        electronic_address=ElectronicAddress(uri.get("schemeID"), uri.text)
        if uri is not None else None)


def _cii_category(r: _Reader, node: Any | None) -> TaxCategory | None:
    if node is None:
        return None
    percent = r.text(node, "ram:RateApplicablePercent")
    return TaxCategory(code=r.text(node, "ram:CategoryCode") or "",
                       rate=Decimal(percent) if percent is not None else None,
                       exemption_reason=r.text(node, "ram:ExemptionReason"),
                       exemption_reason_code=r.text(node, "ram:ExemptionReasonCode"))


def _cii_allowance(r: _Reader, node: Any) -> Allowance:
    assert r.text(node, "ram:ChargeIndicator/udt:Indicator") == "false"
    return Allowance(amount=r.money(node, "ram:ActualAmount"),
                     reason=r.text(node, "ram:Reason") or "",
                     reason_code=r.text(node, "ram:ReasonCode") or "",
                     tax=_cii_category(r, node.find("ram:CategoryTradeTax", r.ns)))


def _cii_period(r: _Reader, node: Any | None) -> Period | None:
    if node is None:
        return None
    return Period(_cii_date(r.text(node, "ram:StartDateTime/udt:DateTimeString")),
                  _cii_date(r.text(node, "ram:EndDateTime/udt:DateTimeString")))


def _cii_line(r: _Reader, node: Any) -> Line:
    quantity = node.find("ram:SpecifiedLineTradeDelivery/ram:BilledQuantity", r.ns)
    agreement = "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice"
    settlement = node.find("ram:SpecifiedLineTradeSettlement", r.ns)
    return _line_view(
        r.text(node, "ram:AssociatedDocumentLineDocument/ram:LineID") or "",
        r.text(node, "ram:SpecifiedTradeProduct/ram:Name"), quantity.get("unitCode"),
        Decimal(quantity.text), r.price(node, f"{agreement}/ram:ChargeAmount"),
        r.decimal(node, f"{agreement}/ram:BasisQuantity", "1"),
        r.money(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation/"
                            "ram:LineTotalAmount"),
        tuple(_cii_allowance(r, a) for a in r.all(settlement, "ram:SpecifiedTradeAllowanceCharge")),
        _cii_category(r, settlement.find("ram:ApplicableTradeTax", r.ns)),
        _cii_period(r, settlement.find("ram:BillingSpecifiedPeriod", r.ns)),
        r.text(node, "ram:SpecifiedTradeProduct/ram:SellerAssignedID"))


def read_cii(xml: bytes) -> tuple[Document, dict[str, str | None]]:
    root = etree.fromstring(xml)
    r = _Reader(CII_NS)
    header = root.find("rsm:ExchangedDocument", r.ns)
    trade = root.find("rsm:SupplyChainTradeTransaction", r.ns)
    agreement = trade.find("ram:ApplicableHeaderTradeAgreement", r.ns)
    settlement = trade.find("ram:ApplicableHeaderTradeSettlement", r.ns)
    r.currency = r.text(settlement, "ram:InvoiceCurrencyCode") or ""
    means = settlement.find("ram:SpecifiedTradeSettlementPaymentMeans", r.ns)
    terms = settlement.find("ram:SpecifiedTradePaymentTerms", r.ns)
    summary = settlement.find("ram:SpecifiedTradeSettlementHeaderMonetarySummation", r.ns)
    ref = settlement.find("ram:InvoiceReferencedDocument", r.ns)
    type_code = r.text(header, "ram:TypeCode")
    doc = Document(
        kind=DocumentKind.CREDIT_NOTE if type_code == "381" else DocumentKind.INVOICE,
        id=r.text(header, "ram:ID") or "", status="parsed", livemode=False,
        number=r.text(header, "ram:ID"),
        issue_date=_cii_date(r.text(header, "ram:IssueDateTime/udt:DateTimeString")),
        due_date=_cii_date(r.text(terms, "ram:DueDateDateTime/udt:DateTimeString"))
        if terms is not None else None,
        currency=r.currency,
        seller=_cii_party(r, agreement.find("ram:SellerTradeParty", r.ns)),
        buyer=_cii_party(r, agreement.find("ram:BuyerTradeParty", r.ns)),
        lines=tuple(_cii_line(r, x) for x in r.all(trade, "ram:IncludedSupplyChainTradeLineItem")),
        allowances=tuple(_cii_allowance(r, a)
                         for a in r.all(settlement, "ram:SpecifiedTradeAllowanceCharge")),
        tax_breakdown=tuple(
            TaxSubtotal(category=_cii_category(r, t),  # type: ignore[arg-type]
                        taxable_amount=r.money(t, "ram:BasisAmount"),
                        tax_amount=r.money(t, "ram:CalculatedAmount"))
            for t in r.all(settlement, "ram:ApplicableTradeTax")),
        totals=Totals(line_total=r.money(summary, "ram:LineTotalAmount"),
                      allowance_total=r.money(summary, "ram:AllowanceTotalAmount", 0),
                      tax_exclusive=r.money(summary, "ram:TaxBasisTotalAmount"),
                      tax_total=r.money(summary, "ram:TaxTotalAmount"),
                      tax_inclusive=r.money(summary, "ram:GrandTotalAmount"),
                      paid=r.money(summary, "ram:TotalPrepaidAmount", 0),
                      payable=r.money(summary, "ram:DuePayableAmount"),
                      rounding=r.money(summary, "ram:RoundingAmount", 0)),
        balance=None,
        payment=PaymentInstructions(
            means_code=r.text(means, "ram:TypeCode") or "",
            iban=r.text(means, "ram:PayeePartyCreditorFinancialAccount/ram:IBANID"),
            bic=r.text(means, "ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID"),
            account_name=r.text(means, "ram:PayeePartyCreditorFinancialAccount/ram:AccountName"),
            remittance=r.text(settlement, "ram:PaymentReference"))
        if means is not None else None,
        payment_terms=r.text(terms, "ram:Description") if terms is not None else None,
        notes=tuple(n.text for n in r.all(header, "ram:IncludedNote/ram:Content")),
        buyer_reference=r.text(agreement, "ram:BuyerReference"),
        order_reference=r.text(agreement, "ram:BuyerOrderReferencedDocument/"
                                          "ram:IssuerAssignedID"),
        period=_cii_period(r, settlement.find("ram:BillingSpecifiedPeriod", r.ns)),
        corrects=DocumentReference(
            r.text(ref, "ram:IssuerAssignedID"),
            _cii_date(r.text(ref, "ram:FormattedIssueDateTime/qdt:DateTimeString")))
        if ref is not None else None,
    )
    guideline = r.text(root, "rsm:ExchangedDocumentContext/"
                             "ram:GuidelineSpecifiedDocumentContextParameter/ram:ID")
    return doc, {"customization": guideline, "type_code": type_code}


def en_view(doc: Document) -> dict[str, Any]:
    """What an EN 16931 document says, for comparing a written document with its parse."""
    def tax(t: TaxCategory | None) -> tuple[Any, ...] | None:
        return None if t is None else (t.code, t.rate.normalize() if t.rate is not None
                                       else None)

    return {
        "header": (doc.kind, doc.number, doc.issue_date, doc.due_date, doc.type_code,
                   doc.currency, "\n".join(doc.notes), doc.buyer_reference,
                   doc.order_reference, doc.period, doc.payment_terms),
        "corrects": (doc.corrects.number, doc.corrects.issue_date) if doc.corrects else None,
        "seller": doc.seller, "buyer": doc.buyer, "payment": doc.payment,
        "allowances": [(a.amount, a.reason, a.reason_code, tax(a.tax)) for a in doc.allowances],
        "breakdown": [(*(tax(s.category) or ()), s.category.exemption_reason,
                       s.category.exemption_reason_code, s.taxable_amount, s.tax_amount)
                      for s in doc.tax_breakdown],
        "totals": doc.totals,
        "lines": [(x.id, x.name, x.unit_code, x.invoiced_quantity, x.net_price.normalize(),
                   x.base_quantity, x.net_amount, tax(x.tax), x.period, x.item_id,
                   [(a.amount, a.reason, a.reason_code) for a in x.allowances])
                  for x in doc.lines],
    }
