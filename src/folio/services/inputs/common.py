"""What every input shares: the base models (`Input`, `WithMetadata`), the constrained
scalar types, the postal address, and the helpers for partial updates and metadata."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from folio.domain.money import MAX_QUANTITY_DIGITS

Metadata = dict[str, str]
ShortText = Annotated[str, StringConstraints(max_length=500)]
Email = Annotated[str, StringConstraints(max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")]
Percent = Annotated[Decimal, Field(gt=0, le=100, max_digits=9, decimal_places=4)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Currency = Annotated[str, StringConstraints(min_length=3, max_length=3)]
PublicId = Annotated[str, StringConstraints(min_length=3, max_length=40)]
MinorAmount = Annotated[int, Field(ge=-(10**15), le=10**15)]
PositiveAmount = Annotated[int, Field(gt=0, le=10**15)]
DecimalStr = Annotated[Decimal, Field(allow_inf_nan=False, max_digits=24, decimal_places=12)]


def _significant_digits(value: Decimal) -> Decimal:
    digits = len(value.normalize().as_tuple().digits) if value != 0 else 1
    if digits > MAX_QUANTITY_DIGITS:
        raise ValueError(f"at most {MAX_QUANTITY_DIGITS} significant digits")
    if not -24 <= value.adjusted() <= 12:  # keeps the stored text short and the product exact
        raise ValueError("must be between 1e-24 and 1e13")
    return value


Quantity = Annotated[Decimal, Field(gt=0, allow_inf_nan=False),
                     AfterValidator(_significant_digits)]
Timestamp = Annotated[int, Field(ge=0, le=32503680000)]  # unix seconds, up to year 3000
TimeZone = Annotated[str, StringConstraints(min_length=1, max_length=40)]
# an EN 16931 electronic address (BT-34 / BT-49): "<EAS scheme>:<identifier>", e.g.
# "0088:7300010000001" (GLN) or "9930:DE136695976" (German VAT number)
EInvoiceAddress = Annotated[str, StringConstraints(max_length=120,
                                                   pattern=r"^[0-9A-Z]{2,4}:\S{1,100}$")]


def _offsets(value: list[int]) -> list[int]:
    return sorted(set(value))


# reminder days relative to the due date: -7 is a week before, 0 the due date, 2 two days
# after (docs/adr/0014); duplicates are dropped and the list is kept in order
ReminderOffsets = Annotated[
    list[Annotated[int, Field(ge=-365, le=365)]], Field(max_length=10),
    AfterValidator(_offsets)]


def _check_metadata(value: Metadata | None) -> Metadata | None:
    if value is None:
        return value
    if len(value) > 50:
        raise ValueError("metadata holds at most 50 keys")
    for k, v in value.items():
        if not k or len(k) > 40 or len(v) > 500:
            raise ValueError("metadata keys are 1-40 characters, values at most 500")
    return value


def _no_nul(value: Any) -> Any:
    """PostgreSQL text cannot hold NUL characters: refuse them in every string."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("must not contain NUL characters")
    elif isinstance(value, dict):
        for k, v in value.items():
            _no_nul(k)
            _no_nul(v)
    elif isinstance(value, list):
        for item in value:
            _no_nul(item)
    return value


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    _nul = field_validator("*")(_no_nul)


class WithMetadata(Input):
    metadata: Metadata | None = None

    _meta = field_validator("metadata")(_check_metadata)


class Address(Input):
    line1: ShortText | None = None
    line2: ShortText | None = None
    city: ShortText | None = None
    state: ShortText | None = None
    postal_code: Annotated[str, StringConstraints(max_length=20)] | None = None
    country: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$")] | None = None


def provided(model: BaseModel) -> dict[str, Any]:
    """The fields the caller actually sent (for partial updates)."""
    return {k: getattr(model, k) for k in model.model_fields_set}


def merge_metadata(current: dict[str, Any] | None, update: Metadata | None) -> dict[str, Any]:
    """Stripe's rule: keys are merged; a key set to an empty string is removed."""
    merged = dict(current or {})
    for key, value in (update or {}).items():
        if value == "":
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged
