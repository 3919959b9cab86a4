"""EN 16931 business rules over the document view model. Pure: `validate` returns every
failing rule with its id and the model field it concerns, and an empty list for a valid
document.

Covered here: the mandatory-field and consistency rules BR-01…BR-65 that concern what
Folio emits, the calculation rules BR-CO-09…BR-CO-26 and the decimal rules BR-DEC-…;
the VAT category rules are in `rules_vat`, Peppol BIS 3.0's extra rules in `rules_peppol`.
Rules about groups Folio never emits (payee BR-17, tax representative BR-18…BR-20,
document level charges BR-36…BR-40, item attributes BR-54, deliver-to BR-57, card
payments BR-51, supporting documents BR-52, accounting currency BR-53, item identifier
and classification schemes BR-64/BR-65) cannot fail and are not checked. BR-01 (the
specification identifier) is written by each serialiser and asserted by its tests.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from enum import Enum

from folio.documents.amounts import minor_per_major, tax_deviation
from folio.documents.categories import CATEGORIES, NOT_SUBJECT
from folio.documents.failures import Failure
from folio.documents.model import Allowance, Document, Line, Party, Period
from folio.documents.rules_peppol import peppol_failures
from folio.documents.rules_vat import vat_category_failures
from folio.domain.money import CURRENCY_EXPONENTS, exponent

_COUNTRY = re.compile(r"^[A-Z]{2}$")
_VAT_PREFIX = re.compile(r"^[A-Z]{2}[0-9A-Z+*.]{2,}$")
_UNIT_CODE = re.compile(r"^[A-Z0-9]{1,3}$")
CREDIT_TRANSFER_CODES = frozenset({"30", "58"})

__all__ = ["Failure", "Profile", "validate"]


class Profile(str, Enum):
    EN16931 = "en16931"  # the core standard: CII and Factur-X
    PEPPOL = "peppol"  # Peppol BIS Billing 3.0 on top: UBL


def validate(doc: Document, profile: Profile = Profile.EN16931) -> list[Failure]:
    failures = [*_header(doc), *_parties(doc), *_payment(doc), *_lines(doc),
                *_allowances(doc), *_breakdown(doc), *_totals(doc), *_decimals(doc),
                *vat_category_failures(doc)]
    if profile is Profile.PEPPOL:
        failures.extend(peppol_failures(doc))
    return failures


def _period(period: Period | None, field: str, order_rule: str, filled_rule: str
            ) -> Iterator[Failure]:
    if period is None:
        return
    if period.start is None and period.end is None:
        yield Failure(filled_rule, field, "A period needs a start date, an end date or both.")
    if period.start and period.end and period.end < period.start:
        yield Failure(order_rule, f"{field}.end", "The period ends before it starts.")


def _header(doc: Document) -> Iterator[Failure]:
    if not doc.number:
        yield Failure("BR-02", "number", "An invoice number (BT-1) is required: only a "
                      "finalized invoice or an issued credit note has one.")
    if doc.issue_date is None:
        yield Failure("BR-03", "issue_date", "An issue date (BT-2) is required.")
    if doc.type_code not in ("380", "381"):
        yield Failure("BR-04", "type_code", "The document type code (BT-3) is required.")
    if doc.currency.upper() not in CURRENCY_EXPONENTS or doc.currency != doc.currency.upper():
        yield Failure("BR-05", "currency", "The currency code (BT-5) must be an upper-case "
                      "ISO 4217 code.")
    if not doc.lines:
        yield Failure("BR-16", "lines", "A document needs at least one line (BG-25).")
    if doc.totals.payable > 0 and doc.due_date is None and not doc.payment_terms:
        yield Failure("BR-CO-25", "due_date", "An amount is due: give a due date (BT-9) or "
                      "payment terms (BT-20); set days_until_due or the account's "
                      "payment_terms.")
    if doc.corrects is not None and not doc.corrects.number:
        yield Failure("BR-55", "corrects.number", "The corrected invoice's number (BT-25) "
                      "is required.")
    yield from _period(doc.period, "period", "BR-29", "BR-CO-19")


def _party(party: Party, who: str, rules: dict[str, str]) -> Iterator[Failure]:
    term = "BT-27" if who == "seller" else "BT-44"
    fix = "the account's legal_name" if who == "seller" else "the customer's name"
    if not party.name:
        yield Failure(rules["name"], f"{who}.name", f"The {who} name ({term}) is required: "
                      f"set {fix}.")
    owner = "account" if who == "seller" else "customer"
    if party.address.is_empty:
        yield Failure(rules["address"], f"{who}.address", f"The {who} postal address is "
                      f"required: set the {owner}'s address.")
    if not party.address.country:
        yield Failure(rules["country"], f"{who}.address.country", f"The {who} country code "
                      f"is required: set the {owner}'s address country.")
    elif not _COUNTRY.match(party.address.country):
        yield Failure(rules["country"], f"{who}.address.country", f"The {who} country code "
                      "must be an ISO 3166-1 alpha-2 code.")
    if party.vat_id and not _VAT_PREFIX.match(party.vat_id):
        yield Failure("BR-CO-09", f"{who}.vat_id", f"The {who} VAT identifier must start "
                      "with its ISO 3166-1 alpha-2 country prefix (EL for Greece).")
    address = party.electronic_address
    if address is not None and not address.scheme:
        yield Failure(rules["scheme"], f"{who}.electronic_address.scheme", "An electronic "
                      "address needs its scheme identifier.")


def _parties(doc: Document) -> Iterator[Failure]:
    yield from _party(doc.seller, "seller", {"name": "BR-06", "address": "BR-08",
                                             "country": "BR-09", "scheme": "BR-62"})
    yield from _party(doc.buyer, "buyer", {"name": "BR-07", "address": "BR-10",
                                           "country": "BR-11", "scheme": "BR-63"})
    seller = doc.seller
    if not (seller.vat_id or seller.legal_registration_id):
        yield Failure("BR-CO-26", "seller.vat_id", "The seller needs a VAT identifier "
                      "(BT-31) or a legal registration identifier (BT-30): set the account's "
                      "vat_id or legal_registration_id.")


def _payment(doc: Document) -> Iterator[Failure]:
    payment = doc.payment
    if payment is None:
        return
    if not payment.means_code:
        yield Failure("BR-49", "payment.means_code", "Payment instructions need a payment "
                      "means code (BT-81).")
    if payment.means_code in CREDIT_TRANSFER_CODES and not payment.iban:
        yield Failure("BR-61", "payment.iban", "A credit transfer needs the payment account "
                      "identifier (BT-84): set the account's iban.")


def _line(line: Line, field: str) -> Iterator[Failure]:
    if not line.id:
        yield Failure("BR-21", f"{field}.id", "A line needs an identifier (BT-126).")
    if not line.unit_code:
        yield Failure("BR-23", f"{field}.unit_code", "A line needs a unit of measure code "
                      "(BT-130).")
    elif not _UNIT_CODE.match(line.unit_code):
        yield Failure("BR-23", f"{field}.unit_code", "The unit code must be a UN/ECE "
                      "Recommendation 20 code such as C62 or HUR.")
    if not line.name:
        yield Failure("BR-25", f"{field}.name", "A line needs an item name (BT-153): give "
                      "the line a description.")
    if line.net_price < 0:
        yield Failure("BR-27", f"{field}.net_price", "The item net price (BT-146) may not "
                      "be negative.")
    if line.base_quantity <= 0:
        yield Failure("BR-26", f"{field}.base_quantity", "The base quantity (BT-149) must "
                      "be positive.")
    if line.tax is None:
        count = len(line.taxes)
        detail = ("it has no tax rate: give it one, with VAT category O, E or Z if no VAT is "
                  "charged" if count == 0 else f"it has {count} tax rates; EN 16931 allows one")
        yield Failure("BR-CO-04", f"{field}.tax", f"Each line needs one VAT category (BT-151): "
                      f"{detail}.")
    elif line.tax.code not in CATEGORIES:
        yield Failure("BR-CO-04", f"{field}.tax.code", f"'{line.tax.code}' is not an EN 16931 "
                      "VAT category code.")
    for j, allowance in enumerate(line.allowances):
        if not (allowance.reason or allowance.reason_code):
            yield Failure("BR-42", f"{field}.allowances[{j}].reason", "A line allowance needs "
                          "a reason (BT-139) or reason code (BT-140).")
    yield from _period(line.period, f"{field}.period", "BR-30", "BR-CO-20")


def _lines(doc: Document) -> Iterator[Failure]:
    for i, line in enumerate(doc.lines):
        yield from _line(line, f"lines[{i}]")


def _allowance(allowance: Allowance, field: str) -> Iterator[Failure]:
    if allowance.tax is None:
        yield Failure("BR-32", f"{field}.tax", "A document level allowance needs a VAT "
                      "category (BT-95): the lines it was taken from have none.")
    if not (allowance.reason or allowance.reason_code):
        yield Failure("BR-33", f"{field}.reason", "A document level allowance needs a "
                      "reason (BT-97) or reason code (BT-98).")


def _allowances(doc: Document) -> Iterator[Failure]:
    for i, allowance in enumerate(doc.allowances):
        yield from _allowance(allowance, f"allowances[{i}]")


def _breakdown(doc: Document) -> Iterator[Failure]:
    if doc.lines and not doc.tax_breakdown:
        yield Failure("BR-CO-18", "tax_breakdown", "A document needs at least one VAT "
                      "breakdown (BG-23).")
    for i, sub in enumerate(doc.tax_breakdown):
        field = f"tax_breakdown[{i}]"
        if not sub.category.code:
            yield Failure("BR-47", f"{field}.category.code", "A VAT breakdown needs its VAT "
                          "category code (BT-118).")
        if sub.category.rate is None and sub.category.code != NOT_SUBJECT:
            yield Failure("BR-48", f"{field}.category.rate", "A VAT breakdown needs its VAT "
                          "category rate (BT-119).")
        if sub.category.rate is not None and tax_deviation(
                sub.tax_amount, sub.taxable_amount, sub.category.rate
        ) >= minor_per_major(doc.currency):
            yield Failure("BR-CO-17", f"{field}.tax_amount", "The VAT category tax amount "
                          "(BT-117) must equal the taxable amount x rate / 100 (to within one "
                          "major currency unit, as the CEN validation artefacts allow).")


def _totals(doc: Document) -> Iterator[Failure]:
    t = doc.totals
    checks = [
        ("BR-CO-10", "totals.line_total", t.line_total == sum(x.net_amount for x in doc.lines),
         "The sum of line net amounts (BT-106) must equal the lines' net amounts (BT-131)."),
        ("BR-CO-11", "totals.allowance_total",
         t.allowance_total == sum(a.amount for a in doc.allowances),
         "The sum of allowances (BT-107) must equal the document level allowances (BT-92)."),
        ("BR-CO-12", "totals.charge_total", t.charge_total == 0,
         "The sum of charges (BT-108) must equal the document level charges (none)."),
        ("BR-CO-13", "totals.tax_exclusive",
         t.tax_exclusive == t.line_total - t.allowance_total + t.charge_total,
         "The total without VAT (BT-109) must be BT-106 - BT-107 + BT-108."),
        ("BR-CO-14", "totals.tax_total",
         t.tax_total == sum(x.tax_amount for x in doc.tax_breakdown),
         "The total VAT (BT-110) must equal the sum of the VAT breakdown (BT-117)."),
        ("BR-CO-15", "totals.tax_inclusive", t.tax_inclusive == t.tax_exclusive + t.tax_total,
         "The total with VAT (BT-112) must be BT-109 + BT-110."),
        ("BR-CO-16", "totals.payable", t.payable == t.tax_inclusive - t.paid + t.rounding,
         "The amount due (BT-115) must be BT-112 - BT-113 + BT-114."),
    ]
    for rule, field, holds, message in checks:
        if not holds:
            yield Failure(rule, field, message)


def _decimals(doc: Document) -> Iterator[Failure]:
    """EN 16931 allows at most two decimals in every amount: a currency with three
    (KWD, BHD, ...) can be e-invoiced only where its amounts end in zero."""
    step = 10 ** max(exponent(doc.currency) - 2, 0)
    if step == 1:
        return
    t = doc.totals
    amounts = [("BR-DEC-09", "totals.line_total", t.line_total),
               ("BR-DEC-10", "totals.allowance_total", t.allowance_total),
               ("BR-DEC-12", "totals.tax_exclusive", t.tax_exclusive),
               ("BR-DEC-13", "totals.tax_total", t.tax_total),
               ("BR-DEC-14", "totals.tax_inclusive", t.tax_inclusive),
               ("BR-DEC-16", "totals.paid", t.paid),
               ("BR-DEC-18", "totals.payable", t.payable)]
    amounts += [("BR-DEC-01", f"allowances[{i}].amount", a.amount)
                for i, a in enumerate(doc.allowances)]
    for i, sub in enumerate(doc.tax_breakdown):
        amounts += [("BR-DEC-19", f"tax_breakdown[{i}].taxable_amount", sub.taxable_amount),
                    ("BR-DEC-20", f"tax_breakdown[{i}].tax_amount", sub.tax_amount)]
    for i, line in enumerate(doc.lines):
        amounts.append(("BR-DEC-23", f"lines[{i}].net_amount", line.net_amount))
        amounts += [("BR-DEC-24", f"lines[{i}].allowances[{j}].amount", a.amount)
                    for j, a in enumerate(line.allowances)]
    for rule, field, amount in amounts:
        if amount % step:
            yield Failure(rule, field, f"EN 16931 allows two decimals in an amount; "
                          f"{doc.currency} has {exponent(doc.currency)}.")
