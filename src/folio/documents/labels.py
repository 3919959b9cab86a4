"""The words printed on a PDF, in English, German and French, chosen by the customer's
locale (`de`, `de-AT`, `fr-CH`, ...); any other language reads English."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Labels:
    invoice: str
    credit_note: str
    draft: str  # the watermark
    draft_notice: str
    number: str
    issue_date: str
    due_date: str
    period: str
    seller: str
    buyer: str
    vat_id: str
    tax_registration_id: str
    legal_registration_id: str
    buyer_reference: str
    order_reference: str
    corrects: str
    description: str
    quantity: str
    unit_price: str
    tax: str
    amount: str
    discount: str
    credit_applied: str  # the customer's credit balance used on the invoice
    subtotal: str
    total: str
    amount_paid: str
    amount_credited: str
    amount_due: str
    included: str  # tax included in the prices
    not_subject: str  # O: not subject to VAT
    taxable: str  # "on" a taxable amount
    payment: str
    iban: str
    bic: str
    account_holder: str
    payment_reference: str
    payment_terms: str
    notes: str
    page: str  # "Page {page} of {total}"
    paid: str
    void: str
    test_mode: str


ENGLISH = Labels(
    invoice="Invoice", credit_note="Credit note", draft="DRAFT",
    draft_notice="Draft: not a valid invoice until it is finalized.",
    number="Number", issue_date="Issue date", due_date="Due date", period="Period",
    seller="From", buyer="Bill to", vat_id="VAT ID", tax_registration_id="Tax number",
    legal_registration_id="Registration number", buyer_reference="Your reference",
    order_reference="Purchase order", corrects="Corrects invoice",
    description="Description", quantity="Qty", unit_price="Unit price", tax="Tax",
    amount="Amount", discount="Discount", credit_applied="Credit applied",
    subtotal="Subtotal", total="Total",
    amount_paid="Amount paid", amount_credited="Amount credited", amount_due="Amount due",
    included="included", not_subject="Not subject to VAT", taxable="on",
    payment="Payment details", iban="IBAN", bic="BIC", account_holder="Account holder",
    payment_reference="Payment reference", payment_terms="Payment terms", notes="Notes",
    page="Page {page} of {total}", paid="PAID", void="VOID", test_mode="Test mode",
)

GERMAN = Labels(
    invoice="Rechnung", credit_note="Gutschrift", draft="ENTWURF",
    draft_notice="Entwurf: erst nach Abschluss eine gültige Rechnung.",
    number="Nummer", issue_date="Rechnungsdatum", due_date="Fällig am",
    period="Leistungszeitraum", seller="Von", buyer="Rechnung an", vat_id="USt-IdNr.",
    tax_registration_id="Steuernummer", legal_registration_id="Registernummer",
    buyer_reference="Ihre Referenz", order_reference="Bestellnummer",
    corrects="Korrektur zu Rechnung", description="Beschreibung", quantity="Menge",
    unit_price="Einzelpreis", tax="USt.", amount="Betrag", discount="Rabatt",
    credit_applied="Verrechnetes Guthaben",
    subtotal="Zwischensumme", total="Gesamtbetrag", amount_paid="Bereits bezahlt",
    amount_credited="Gutgeschrieben", amount_due="Offener Betrag", included="enthalten",
    not_subject="Nicht umsatzsteuerbar", taxable="auf", payment="Zahlungsinformationen",
    iban="IBAN", bic="BIC", account_holder="Kontoinhaber",
    payment_reference="Verwendungszweck", payment_terms="Zahlungsbedingungen",
    notes="Anmerkungen", page="Seite {page} von {total}", paid="BEZAHLT",
    void="STORNIERT", test_mode="Testmodus",
)

FRENCH = Labels(
    invoice="Facture", credit_note="Avoir", draft="BROUILLON",
    draft_notice="Brouillon : ce document n'est pas une facture valable avant sa "
                 "finalisation.",
    number="Numéro", issue_date="Date de facture", due_date="Date d'échéance",
    period="Période", seller="De", buyer="Facturé à", vat_id="N° TVA",
    tax_registration_id="N° fiscal", legal_registration_id="N° d'immatriculation",
    buyer_reference="Votre référence", order_reference="Bon de commande",
    corrects="Rectifie la facture", description="Description", quantity="Qté",
    unit_price="Prix unitaire", tax="TVA", amount="Montant", discount="Remise",
    credit_applied="Avoir client imputé",
    subtotal="Sous-total", total="Total", amount_paid="Déjà payé",
    amount_credited="Crédité", amount_due="Montant dû", included="incluse",
    not_subject="Non soumis à la TVA", taxable="sur", payment="Informations de paiement",
    iban="IBAN", bic="BIC", account_holder="Titulaire du compte",
    payment_reference="Référence du paiement", payment_terms="Conditions de paiement",
    notes="Remarques", page="Page {page} sur {total}", paid="PAYÉE", void="ANNULÉE",
    test_mode="Mode test",
)

BY_LANGUAGE = {"en": ENGLISH, "de": GERMAN, "fr": FRENCH}


def language(locale: str | None) -> str:
    """The label language of a locale: its language if Folio has labels for it."""
    code = (locale or "en").replace("_", "-").split("-")[0].lower()
    return code if code in BY_LANGUAGE else "en"


def labels_for(locale: str | None) -> Labels:
    return BY_LANGUAGE[language(locale)]
