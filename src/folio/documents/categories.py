"""EN 16931 VAT category codes (UNTDID 5305, as restricted by EN 16931) and what each
requires of a tax rate."""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from folio.domain.errors import InvalidInput

STANDARD: Final = "S"
ZERO_RATED: Final = "Z"
EXEMPT: Final = "E"
REVERSE_CHARGE: Final = "AE"
INTRA_COMMUNITY: Final = "K"
EXPORT: Final = "G"
NOT_SUBJECT: Final = "O"
CANARY_IGIC: Final = "L"
CEUTA_MELILLA_IPSI: Final = "M"

CATEGORIES: Final = frozenset({STANDARD, ZERO_RATED, EXEMPT, REVERSE_CHARGE, INTRA_COMMUNITY,
                               EXPORT, NOT_SUBJECT, CANARY_IGIC, CEUTA_MELILLA_IPSI})
# categories whose rate is always 0 (BR-Z-05, BR-E-05, BR-AE-05, BR-IC-05, BR-G-05; O has none)
ZERO_RATE: Final = frozenset({ZERO_RATED, EXEMPT, REVERSE_CHARGE, INTRA_COMMUNITY, EXPORT,
                              NOT_SUBJECT})
# categories whose VAT breakdown needs an exemption reason text or code (BR-x-10)
NEEDS_EXEMPTION_REASON: Final = frozenset({EXEMPT, REVERSE_CHARGE, INTRA_COMMUNITY, EXPORT,
                                           NOT_SUBJECT})
# categories whose VAT breakdown may not carry one (BR-S-10, BR-Z-10, BR-AF-10, BR-AG-10)
NO_EXEMPTION_REASON: Final = frozenset({STANDARD, ZERO_RATED, CANARY_IGIC, CEUTA_MELILLA_IPSI})

NAMES: Final = {
    STANDARD: "Standard rate", ZERO_RATED: "Zero rated", EXEMPT: "Exempt from VAT",
    REVERSE_CHARGE: "Reverse charge", INTRA_COMMUNITY: "Intra-community supply",
    EXPORT: "Export outside the EU", NOT_SUBJECT: "Not subject to VAT",
    CANARY_IGIC: "Canary Islands IGIC", CEUTA_MELILLA_IPSI: "Ceuta and Melilla IPSI",
}


def check_tax_rate_category(category: str, percentage: Decimal, exemption_reason: str | None,
                            exemption_reason_code: str | None) -> None:
    """Refuse a tax rate whose category contradicts its percentage or exemption reason.
    A missing exemption reason is not refused here: the e-invoice rules name it (BR-E-10,
    ...) when a document needs one, and non-EU users never do."""
    if category not in CATEGORIES:
        raise InvalidInput(f"Unknown VAT category '{category}'.", param="category",
                           code="tax_category_invalid")
    if category in ZERO_RATE and percentage != 0:
        raise InvalidInput(f"VAT category {category} ({NAMES[category]}) has a 0% rate; this "
                           f"rate is {percentage}%.", param="category",
                           code="tax_category_percentage_mismatch")
    if category in NO_EXEMPTION_REASON and (exemption_reason or exemption_reason_code):
        raise InvalidInput(f"VAT category {category} ({NAMES[category]}) takes no exemption "
                           "reason.", param="exemption_reason",
                           code="tax_exemption_reason_not_allowed")
