"""The Peppol BIS Billing 3.0 rules the UBL output needs beyond EN 16931 and beyond what
the serialiser guarantees by construction (one note, the business process, ...)."""

from __future__ import annotations

from folio.documents.failures import Failure
from folio.documents.model import Document


def peppol_failures(doc: Document) -> list[Failure]:
    failures: list[Failure] = []
    if not (doc.buyer_reference or doc.order_reference):
        failures.append(Failure(
            "PEPPOL-EN16931-R003", "buyer_reference", "Peppol needs a buyer reference "
            "(BT-10) or a purchase order reference (BT-13): set the invoice's reference or "
            "po_number."))
    if doc.buyer.electronic_address is None:
        failures.append(Failure(
            "PEPPOL-EN16931-R010", "buyer.electronic_address", "Peppol needs the buyer's "
            "electronic address (BT-49): set the customer's einvoice_address or email."))
    if doc.seller.electronic_address is None:
        failures.append(Failure(
            "PEPPOL-EN16931-R020", "seller.electronic_address", "Peppol needs the seller's "
            "electronic address (BT-34): set the account's einvoice_address or email."))
    return failures
