"""Customers and their contacts."""

from __future__ import annotations

import secrets
import string
from typing import Any

from stdnum import vatin
from stdnum.exceptions import ValidationError as StdnumError

from folio.db.models import Customer, CustomerContact
from folio.db.repository import Page, created_filter, get_by_public_id, page, scoped
from folio.domain.errors import InvalidInput, NotFound, RuleViolation
from folio.domain.money import normalize_currency
from folio.services import events
from folio.services.balances import customer_out
from folio.services.context import Ctx
from folio.services.inputs.common import merge_metadata, provided
from folio.services.inputs.customers import ContactInput, CustomerCreate, CustomerUpdate
from folio.services.views import customer_view

# EU member states' VAT prefixes (Greece uses EL) handled by python-stdnum's vatin
_VAT_PREFIX = {"GR": "EL"}


def validate_tax_id(tax_id: str | None, country: str | None) -> str | None:
    """Validate a VAT id with python-stdnum when the customer's country is known."""
    if not tax_id:
        return None
    compact = tax_id.replace(" ", "").replace(".", "").replace("-", "").upper()
    if not country:
        return compact
    prefix = _VAT_PREFIX.get(country.upper(), country.upper())
    candidate = compact if compact[:2].isalpha() else prefix + compact
    try:
        return str(vatin.validate(candidate))
    except StdnumError:
        raise InvalidInput(f"'{tax_id}' is not a valid tax id for country {country.upper()}.",
                           param="tax_id", code="tax_id_invalid") from None
    except Exception:
        # a country stdnum has no VAT module for: keep the id as given
        return compact


def _new_prefix() -> str:
    return "".join(secrets.choice(string.ascii_uppercase) for _ in range(8))


def _country(address: dict[str, Any] | None) -> str | None:
    return (address or {}).get("country")


def _contacts(ctx: Ctx, customer: Customer, contacts: list[ContactInput]) -> None:
    for existing in list(customer.contacts):
        ctx.session.delete(existing)
    customer.contacts = [
        CustomerContact(**ctx.owned(), customer_id=customer.id, name=c.name, email=c.email,
                        phone=c.phone, roles=sorted(set(c.roles)), login_id=c.login_id,
                        metadata_={})
        for c in contacts
    ]


def create_customer(ctx: Ctx, data: CustomerCreate) -> Customer:
    address = data.address.model_dump(exclude_none=True) if data.address else None
    if address and address.get("country"):
        address["country"] = address["country"].upper()
    prefix = data.invoice_prefix or _new_prefix()
    if data.invoice_prefix and ctx.session.scalars(
        scoped(Customer, ctx.scope).where(Customer.invoice_prefix == prefix)
    ).first():
        raise InvalidInput(f"invoice_prefix '{prefix}' is already used.",
                           param="invoice_prefix", code="invoice_prefix_taken")
    customer = Customer(
        **ctx.owned(), name=data.name, email=data.email, phone=data.phone,
        description=data.description, address=address,
        tax_id=validate_tax_id(data.tax_id, _country(address)), tax_exempt=data.tax_exempt,
        locale=data.locale,
        currency=normalize_currency(data.currency) if data.currency else None,
        invoice_prefix=prefix, external_id=data.external_id, timezone=data.timezone,
        relationship_type=data.relationship_type, einvoice_address=data.einvoice_address,
        metadata_=data.metadata or {},
    )
    if data.test_clock is not None:
        from folio.services.test_clocks import get_test_clock

        customer.test_clock_id = get_test_clock(ctx, data.test_clock,
                                                param="test_clock").id
    ctx.session.add(customer)
    ctx.session.flush()
    _contacts(ctx, customer, data.contacts)
    ctx.session.flush()
    events.record(ctx, "customer.created", customer_view(customer, credit_balance={}))
    return customer


def get_customer(ctx: Ctx, customer_id: str, param: str = "id") -> Customer:
    return get_by_public_id(ctx.session, Customer, ctx.scope, customer_id, param=param)


def update_customer(ctx: Ctx, customer_id: str, data: CustomerUpdate) -> Customer:
    customer = get_customer(ctx, customer_id)
    changes = provided(data)
    contacts = changes.pop("contacts", None)
    if "address" in changes:
        address = data.address.model_dump(exclude_none=True) if data.address else None
        if address and address.get("country"):
            address["country"] = address["country"].upper()
        changes["address"] = address
    if "tax_id" in changes or "address" in changes:
        country = _country(changes.get("address", customer.address))
        changes["tax_id"] = validate_tax_id(changes.get("tax_id", customer.tax_id), country)
    if "metadata" in changes:
        customer.metadata_ = merge_metadata(customer.metadata_, changes.pop("metadata"))
    for key, value in changes.items():
        if value is None and key in ("tax_exempt",):
            continue
        setattr(customer, key, value)
    if contacts is not None:
        _contacts(ctx, customer, data.contacts or [])
    customer.updated = ctx.now()
    ctx.session.flush()
    events.record(ctx, "customer.updated", customer_out(ctx, customer))
    return customer


def list_customers(ctx: Ctx, p: Page, email: str | None = None,
                   created: dict[str, int] | None = None, external_id: str | None = None,
                   ) -> tuple[list[Customer], bool]:
    stmt = created_filter(scoped(Customer, ctx.scope), Customer, created)
    if email:
        stmt = stmt.where(Customer.email == email)
    if external_id:
        stmt = stmt.where(Customer.external_id == external_id)
    return page(ctx.session, stmt, Customer, ctx.scope, p)


def has_admin_contact(customer: Customer) -> bool:
    return any("admin" in (c.roles or []) for c in customer.contacts)


def require_admin_contact(ctx: Ctx, customer_id: str, action: str, param: str = "customer"
                          ) -> Customer:
    """The customer, when it has an admin contact (a rule some vendors' faces keep: a
    customer is invoiced or subscribed only with one)."""
    customer = get_customer(ctx, customer_id, param=param)
    if not has_admin_contact(customer):
        raise RuleViolation(f"Customer {customer.public_id} has no admin contact; add one "
                            f"before {action} it.", param=param,
                            code="customer_admin_missing")
    return customer


def find_by_email(ctx: Ctx, email: str) -> Customer | None:
    return ctx.session.scalars(
        scoped(Customer, ctx.scope).where(Customer.email == email).order_by(Customer.id)
    ).first()


# contacts, one at a time (their ids stay stable, unlike a full `contacts` replacement)

def get_contact(ctx: Ctx, customer_id: str, contact_id: str) -> CustomerContact:
    customer = get_customer(ctx, customer_id)
    for contact in customer.contacts:
        if contact.public_id == contact_id:
            return contact
    raise NotFound(f"No such contact on customer {customer.public_id}: '{contact_id}'.",
                   param="contact")


def add_contact(ctx: Ctx, customer_id: str, data: ContactInput) -> CustomerContact:
    customer = get_customer(ctx, customer_id)
    if len(customer.contacts) >= 20:
        raise InvalidInput("A customer holds at most 20 contacts.", param="contacts")
    contact = CustomerContact(**ctx.owned(), customer_id=customer.id, name=data.name,
                              email=data.email, phone=data.phone, roles=sorted(set(data.roles)),
                              login_id=data.login_id, metadata_={})
    customer.contacts.append(contact)
    customer.updated = ctx.now()
    ctx.session.flush()
    events.record(ctx, "customer.updated", customer_out(ctx, customer))
    return contact


def update_contact(ctx: Ctx, customer_id: str, contact_id: str,
                   data: ContactInput) -> CustomerContact:
    """Changes only the fields the caller sent; `roles`, when sent, replaces the roles."""
    contact = get_contact(ctx, customer_id, contact_id)
    for key, value in provided(data).items():
        setattr(contact, key, sorted(set(value)) if key == "roles" else value)
    contact.customer.updated = ctx.now()
    ctx.session.flush()
    events.record(ctx, "customer.updated", customer_out(ctx, contact.customer))
    return contact


def find_by_external_id(ctx: Ctx, external_id: str) -> Customer | None:
    return ctx.session.scalars(
        scoped(Customer, ctx.scope).where(Customer.external_id == external_id)
        .order_by(Customer.id)
    ).first()


def create_or_get_by_external_id(ctx: Ctx, data: CustomerCreate) -> tuple[Customer, bool]:
    """Create, unless a customer of this tenant already has data.external_id: then that
    customer is returned unchanged (a retried create names the same external id).
    Returns the customer and whether it was created."""
    if data.external_id:
        existing = find_by_external_id(ctx, data.external_id)
        if existing is not None:
            return existing, False
    return create_customer(ctx, data), True
