"""EN 16931 VAT category rules: standard rate (BR-S-…), zero rated (BR-Z-…), exempt
(BR-E-…), reverse charge (BR-AE-…), intra-community supply (BR-IC-…), export (BR-G-…)
and not subject to VAT (BR-O-…). Each category's rules follow one pattern, numbered the
same way in the standard:
  -01 a breakdown for the category when a line or allowance uses it
  -02/-03 the identifiers the seller (and buyer) need when a line/allowance uses it
  -05/-06 the line/allowance rate   -08 the taxable amount   -09 the tax amount
  -10 the exemption reason
Canary Islands (L) and Ceuta/Melilla (M) rules are not covered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from folio.documents.amounts import minor_per_major, tax_deviation
from folio.documents.categories import (
    EXEMPT,
    EXPORT,
    INTRA_COMMUNITY,
    NOT_SUBJECT,
    REVERSE_CHARGE,
    STANDARD,
    ZERO_RATED,
)
from folio.documents.failures import Failure
from folio.documents.model import Document, Party, TaxCategory


def _seller_vat_or_registration(p: Party) -> bool:
    return bool(p.vat_id or p.tax_registration_id)


def _seller_vat(p: Party) -> bool:
    return bool(p.vat_id)


@dataclass(frozen=True)
class CategoryRules:
    code: str
    prefix: str
    seller_has: Callable[[Party], bool]
    seller_needs: str  # what to set, for the message
    rate: str  # "positive", "zero" or "none"
    exemption_required: bool
    buyer_has: Callable[[Party], bool] | None = None
    buyer_needs: str = ""
    only_breakdown: bool = True  # exactly one breakdown (S: at least one)


RULES = (
    CategoryRules(STANDARD, "BR-S", _seller_vat_or_registration,
                  "the account's vat_id or tax_registration_id", "positive", False,
                  only_breakdown=False),
    CategoryRules(ZERO_RATED, "BR-Z", _seller_vat_or_registration,
                  "the account's vat_id or tax_registration_id", "zero", False),
    CategoryRules(EXEMPT, "BR-E", _seller_vat_or_registration,
                  "the account's vat_id or tax_registration_id", "zero", True),
    CategoryRules(REVERSE_CHARGE, "BR-AE", _seller_vat, "the account's vat_id", "zero", True,
                  buyer_has=lambda p: bool(p.vat_id or p.legal_registration_id),
                  buyer_needs="the customer's tax_id"),
    CategoryRules(INTRA_COMMUNITY, "BR-IC", _seller_vat, "the account's vat_id", "zero", True,
                  buyer_has=lambda p: bool(p.vat_id), buyer_needs="the customer's tax_id"),
    CategoryRules(EXPORT, "BR-G", _seller_vat, "the account's vat_id", "zero", True),
    CategoryRules(NOT_SUBJECT, "BR-O", lambda p: True, "", "none", True),
)


def _rate_failure(rules: CategoryRules, tax: TaxCategory) -> str | None:
    if rules.rate == "positive" and not (tax.rate is not None and tax.rate > 0):
        return "must be greater than zero"
    if rules.rate == "zero" and tax.rate != 0:
        return "must be 0"
    if rules.rate == "none" and tax.rate is not None:
        return "must not be given"
    return None


def _category(doc: Document, rules: CategoryRules) -> Iterator[Failure]:
    code, p = rules.code, rules.prefix
    lines = [(i, x) for i, x in enumerate(doc.lines) if x.tax and x.tax.code == code]
    allowances = [(i, a) for i, a in enumerate(doc.allowances) if a.tax and a.tax.code == code]
    subs = [(i, s) for i, s in enumerate(doc.tax_breakdown) if s.category.code == code]
    if not (lines or allowances or subs):
        return
    if (lines or allowances) and (not subs or (rules.only_breakdown and len(subs) > 1)):
        yield Failure(f"{p}-01", "tax_breakdown", f"Lines or allowances in VAT category "
                      f"{code} need {'exactly' if rules.only_breakdown else 'at least'} one "
                      f"VAT breakdown in category {code}.")
    for used, rule in ((lines, "02"), (allowances, "03")):
        if not used:
            continue
        if not rules.seller_has(doc.seller):
            yield Failure(f"{p}-{rule}", "seller.vat_id", f"VAT category {code} needs the "
                          f"seller's VAT identifier: set {rules.seller_needs}.")
        if rules.buyer_has is not None and not rules.buyer_has(doc.buyer):
            yield Failure(f"{p}-{rule}", "buyer.vat_id", f"VAT category {code} needs the "
                          f"buyer's VAT identifier: set {rules.buyer_needs}.")
    for i, line in lines:
        assert line.tax is not None
        problem = _rate_failure(rules, line.tax)
        if problem:
            yield Failure(f"{p}-05", f"lines[{i}].tax.rate", f"The VAT rate of a line in "
                          f"category {code} {problem}.")
    for i, allowance in allowances:
        assert allowance.tax is not None
        problem = _rate_failure(rules, allowance.tax)
        if problem:
            yield Failure(f"{p}-06", f"allowances[{i}].tax.rate", f"The VAT rate of an "
                          f"allowance in category {code} {problem}.")
    for i, sub in subs:
        yield from _subtotal(doc, rules, i, sub.category, sub.taxable_amount, sub.tax_amount)


def _subtotal(doc: Document, rules: CategoryRules, i: int, category: TaxCategory,
              taxable: int, tax: int) -> Iterator[Failure]:
    p, field, key = rules.prefix, f"tax_breakdown[{i}]", category.key
    expected = sum(x.net_amount for x in doc.lines if x.tax and x.tax.key == key) - sum(
        a.amount for a in doc.allowances if a.tax and a.tax.key == key)
    if taxable != expected:
        yield Failure(f"{p}-08", f"{field}.taxable_amount", f"The taxable amount of VAT "
                      f"category {rules.code} must equal its lines' net amounts minus its "
                      "allowances.")
    if rules.rate == "positive":
        rate = category.rate if category.rate is not None else Decimal(0)
        if tax_deviation(tax, taxable, rate) >= minor_per_major(doc.currency):
            yield Failure(f"{p}-09", f"{field}.tax_amount", "The tax amount must equal the "
                          "taxable amount x the rate (to within one major currency unit).")
    elif tax != 0:
        yield Failure(f"{p}-09", f"{field}.tax_amount", f"The tax amount of VAT category "
                      f"{rules.code} must be 0.")
    has_reason = bool(category.exemption_reason or category.exemption_reason_code)
    if rules.exemption_required and not has_reason:
        yield Failure(f"{p}-10", f"{field}.category.exemption_reason", f"VAT category "
                      f"{rules.code} needs an exemption reason (BT-120) or code (BT-121): set "
                      "the tax rate's exemption_reason or exemption_reason_code.")
    if not rules.exemption_required and has_reason:
        yield Failure(f"{p}-10", f"{field}.category.exemption_reason", f"VAT category "
                      f"{rules.code} takes no exemption reason.")


def _not_subject(doc: Document) -> Iterator[Failure]:
    """BR-O-02/-03 (no VAT ids) and BR-O-11…-13 (no other category beside O)."""
    uses_o = any(x.tax and x.tax.code == NOT_SUBJECT for x in doc.lines) or any(
        a.tax and a.tax.code == NOT_SUBJECT for a in doc.allowances)
    if uses_o:
        for who, party in (("seller", doc.seller), ("buyer", doc.buyer)):
            if party.vat_id:
                yield Failure("BR-O-02", f"{who}.vat_id", "A document not subject to VAT may "
                              f"not carry the {who}'s VAT identifier.")
    if not any(s.category.code == NOT_SUBJECT for s in doc.tax_breakdown):
        return
    if any(s.category.code != NOT_SUBJECT for s in doc.tax_breakdown):
        yield Failure("BR-O-11", "tax_breakdown", "A document with a VAT breakdown in "
                      "category O may have no other VAT breakdown.")
    for i, line in enumerate(doc.lines):
        if line.tax and line.tax.code != NOT_SUBJECT:
            yield Failure("BR-O-12", f"lines[{i}].tax.code", "Beside category O, no line may "
                          "have another VAT category.")
    for i, allowance in enumerate(doc.allowances):
        if allowance.tax and allowance.tax.code != NOT_SUBJECT:
            yield Failure("BR-O-13", f"allowances[{i}].tax.code", "Beside category O, no "
                          "allowance may have another VAT category.")


def _intra_community(doc: Document) -> Iterator[Failure]:
    if not any(s.category.code == INTRA_COMMUNITY for s in doc.tax_breakdown):
        return
    if doc.period is None:
        yield Failure("BR-IC-11", "period", "An intra-community supply needs the actual "
                      "delivery date or the invoicing period: set period_start/period_end.")
    yield Failure("BR-IC-12", "delivery.country", "An intra-community supply needs the "
                  "deliver-to country (BT-80), which Folio does not record yet.")


def vat_category_failures(doc: Document) -> list[Failure]:
    failures: list[Failure] = []
    for rules in RULES:
        failures.extend(_category(doc, rules))
    failures.extend(_not_subject(doc))
    failures.extend(_intra_community(doc))
    return failures
