"""One failing business rule."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Failure:
    rule: str  # BR-…, BR-CO-…, BR-S-…, PEPPOL-EN16931-…
    field: str  # the model field, e.g. "seller.vat_id", "lines[2].unit_code"
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "field": self.field, "message": self.message}
