"""Validated inputs of customers and their contacts."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from folio.services.inputs.common import (
    Address,
    Currency,
    EInvoiceAddress,
    Email,
    Input,
    Name,
    PublicId,
    ShortText,
    TimeZone,
    WithMetadata,
)

RelationshipType = Literal["customer", "supplier", "employee", "beneficiary", "friend", "family",
                           "donor", "donee", "contact", "service_provider", "partner", "self"]
ExternalId = Annotated[str, StringConstraints(min_length=1, max_length=100)]
ContactRole = Literal["admin", "billing", "technical", "member"]


class ContactInput(Input):
    name: Name | None = None
    email: Email | None = None
    phone: Annotated[str, StringConstraints(max_length=40)] | None = None
    roles: list[ContactRole] = Field(default_factory=list, max_length=4)
    login_id: Annotated[str, StringConstraints(max_length=200)] | None = None


class CustomerCreate(WithMetadata):
    name: Name | None = None
    email: Email | None = None
    phone: Annotated[str, StringConstraints(max_length=40)] | None = None
    description: ShortText | None = None
    address: Address | None = None
    tax_id: Annotated[str, StringConstraints(max_length=40)] | None = None
    tax_exempt: Literal["none", "exempt", "reverse"] = "none"
    locale: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-[A-Z]{2})?$")] | None = None
    currency: Currency | None = None
    invoice_prefix: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{3,12}$")] | None = None
    external_id: ExternalId | None = None
    timezone: TimeZone | None = None
    relationship_type: RelationshipType | None = None
    einvoice_address: EInvoiceAddress | None = None
    contacts: list[ContactInput] = Field(default_factory=list, max_length=20)
    # test mode: attach the customer to a test clock (its subscriptions live on its time)
    test_clock: PublicId | None = None


class CustomerUpdate(WithMetadata):
    name: Name | None = None
    email: Email | None = None
    phone: Annotated[str, StringConstraints(max_length=40)] | None = None
    description: ShortText | None = None
    address: Address | None = None
    tax_id: Annotated[str, StringConstraints(max_length=40)] | None = None
    tax_exempt: Literal["none", "exempt", "reverse"] | None = None
    locale: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-[A-Z]{2})?$")] | None = None
    external_id: ExternalId | None = None
    timezone: TimeZone | None = None
    relationship_type: RelationshipType | None = None
    einvoice_address: EInvoiceAddress | None = None
    contacts: list[ContactInput] | None = Field(default=None, max_length=20)
