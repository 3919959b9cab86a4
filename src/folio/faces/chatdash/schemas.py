"""ChatDash request and response bodies (seeds 000 and 001, and vendors.md section 1).

Requests: write bodies of the Stripe routes are wrapped in a top-level `data` object; the
/clients routes are flat, as ChatDash has them. Unknown fields are ignored (a ChatDash client
may send fields Folio does not know); wrong types and missing fields answer 400.
Responses: the models document the face's OpenAPI and the tests validate every body against
them; handlers render plain dicts (mapping.py) for speed.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints

from folio.services.inputs.common import Email, Name, ShortText

Id = Annotated[str, StringConstraints(min_length=1, max_length=40)]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{3}$")]
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]
LoginId = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Password = Annotated[str, StringConstraints(min_length=1, max_length=1000)]
DaysUntilDue = Annotated[StrictInt, Field(ge=0, le=3650)]
MinorAmount = Annotated[StrictInt, Field(ge=0, le=10**12)]
DigitAmount = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,13}$")]


class Body(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


# invoices (seed 001)

class InvoiceCreateData(Body):
    clientId: Id  # noqa: N815  (the vendor's field names)
    productId: Id  # noqa: N815
    collection_method: Literal["charge_automatically", "send_invoice"]
    days_until_due: DaysUntilDue | None = None


class InvoiceCreateBody(Body):
    data: InvoiceCreateData


# products

class ProductCreateData(Body):
    name: Name
    description: ShortText | None = None
    pricing_model: Literal["base", "usage", "oneTime"]
    currency: Currency
    amount: MinorAmount | DigitAmount | None = None
    tax_behavior: Literal["inclusive", "exclusive", "unspecified"] = "unspecified"


class ProductCreateBody(Body):
    data: ProductCreateData


class ProductUpdateData(Body):
    name: Name | None = None
    description: ShortText | None = None


class ProductUpdateBody(Body):
    data: ProductUpdateData


# clients and members

class ClientFields(Body):
    name: Name
    language: Language = "en"


class MemberFields(Body):
    name: Name
    loginId: LoginId  # noqa: N815
    password: Password  # accepted and never stored: Folio holds no member logins
    email: Email | None = None
    isAdmin: bool | None = None  # noqa: N815


class ClientCreateBody(Body):
    client: ClientFields
    member: MemberFields | None = None


class ClientUpdateFields(Body):
    name: Name | None = None
    language: Language | None = None


class ClientUpdateBody(Body):
    """The current shape (`client{name, language}`) or the older flat one."""

    client: ClientUpdateFields | None = None
    name: Name | None = None
    language: Language | None = None
    email: Email | None = None


class MemberUpdateBody(Body):
    name: Name | None = None
    loginId: LoginId | None = None  # noqa: N815
    email: Email | None = None
    password: Password | None = None  # accepted and never stored
    isAdmin: bool | None = None  # noqa: N815


# responses

class CustomerRef(BaseModel):
    id: str
    email: str
    name: str


class InvoiceOut(BaseModel):
    id: str
    amount: int
    currency: str
    status: Literal["draft", "open", "paid", "void", "uncollectible"]
    number: str | None
    customer: CustomerRef
    description: str
    created: int


class Pricing(BaseModel):
    amount: str
    billingCycle: str | None  # noqa: N815
    currency: str
    pricingModel: Literal["oneTime", "base"]  # noqa: N815
    metrics: str | None
    usageLimit: int | None  # noqa: N815
    overage: str | None


class ProductOut(BaseModel):
    productId: str  # noqa: N815
    productName: str  # noqa: N815
    description: str | None
    taxBehavior: str | None  # noqa: N815
    pricing: Pricing | None
    creationDate: int  # noqa: N815
    activeSubscriptionsCount: int  # noqa: N815
    status: Literal["active", "archived"]


class ProductList(BaseModel):
    data: list[ProductOut]
    has_more: bool
    next_cursor: str | None


class ProductEnvelope(BaseModel):
    product: ProductOut


class ClientOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: str = Field(alias="_id")
    name: str
    language: str
    isSaasClient: bool  # noqa: N815


class MemberOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: str = Field(alias="_id")
    clientId: str  # noqa: N815
    isAdmin: bool  # noqa: N815
    name: str | None
    loginId: str | None  # noqa: N815
    email: str | None


class Message(BaseModel):
    message: str


class TransactionOut(BaseModel):
    id: str
    amount: int
    currency: str
    status: str
    description: str
    customer: CustomerRef
    created: int


class TransactionList(BaseModel):
    data: list[TransactionOut]
    has_more: bool
    next_cursor: str | None


class ErrorOut(BaseModel):
    error: str
