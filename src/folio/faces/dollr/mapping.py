"""Dollr <-> Folio: integer ids, statuses, money in major units, datetimes, enums.

Ids are the rows' integer `id`, always looked up inside the caller's tenant and mode.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Final, TypeVar

from sqlalchemy import Select, or_

from folio.db.base import TenantOwned
from folio.db.models import Customer, Invoice, InvoiceLine
from folio.db.repository import scoped
from folio.domain.errors import InvalidInput, NotFound
from folio.domain.money import exponent, from_major, to_major
from folio.services.context import Ctx

T = TypeVar("T", bound=TenantOwned)

# Folio status -> Dollr status. `uncollectible` is still payable and cancelable in Folio,
# which is what ACTIVE means in Dollr. PROCESSING (payment in flight) is never produced.
STATUS: Final[dict[str, str]] = {
    "draft": "IDLE", "open": "ACTIVE", "uncollectible": "ACTIVE", "paid": "PAID",
    "void": "CANCELED",
}
STATUS_FILTER: Final[dict[str, tuple[str, ...]]] = {
    "IDLE": ("draft",), "ACTIVE": ("open", "uncollectible"), "PROCESSING": (),
    "PAID": ("paid",), "CANCELED": ("void",),
}
OWNER_TYPE: Final = "BUSINESS"
DEFAULT_RELATIONSHIP: Final = "CUSTOMER"
DEFAULT_FEE_BEARER: Final = "PAYEE"  # Folio adds no fees: the payer pays the total


# --- money ---------------------------------------------------------------------------

def _number(value: Decimal) -> int | float:
    """A JSON number for a Decimal: an int when whole, else the float whose shortest text
    is the decimal (exact for up to 15 significant digits)."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def money(amount_minor: int, currency: str) -> int | float:
    return _number(to_major(amount_minor, currency))


def unit_money(unit_minor: Decimal, currency: str) -> int | float:
    return _number(unit_minor.scaleb(-exponent(currency)))


def minor(amount: Decimal, currency: str) -> int:
    """Major units from the client to integer minor units (refuses finer amounts)."""
    return from_major(amount, currency)


# --- datetimes -----------------------------------------------------------------------

def dt(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat()


def dt_or_none(ts: int | None) -> str | None:
    return None if ts is None else dt(ts)


def timestamp(value: datetime) -> int:
    """A client datetime to unix seconds; a naive datetime is taken as UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp())


# --- enums ---------------------------------------------------------------------------

def fee_bearer_out(value: str | None) -> str:
    return (value or DEFAULT_FEE_BEARER.lower()).upper()


def relationship_out(value: str | None) -> str:
    return (value or DEFAULT_RELATIONSHIP.lower()).upper()


def phone_out(value: str | None) -> str | None:
    """Dollr phones are 8-15 digits without '+'; another Folio phone reads as null."""
    if not value:
        return None
    plain = value.replace(" ", "").replace("-", "").removeprefix("+")
    return plain if plain.isascii() and plain.isdigit() and 8 <= len(plain) <= 15 else None


# --- lookups (tenant-scoped) -----------------------------------------------------------

def _one(ctx: Ctx, stmt: Select[T], label: str, body_param: str | None) -> T:
    row = ctx.session.scalars(stmt).first()
    if row is None:
        if body_param:  # Dollr answers an unknown id in a body with 422
            raise InvalidInput(f"{label} not found.", param=body_param,
                               code="resource_missing")
        raise NotFound(f"{label} not found.")
    return row


def invoice_by_id(ctx: Ctx, invoice_id: int) -> Invoice:
    return _one(ctx, scoped(Invoice, ctx.scope).where(Invoice.id == invoice_id),
                "Invoice", None)


def invoice_by_number(ctx: Ctx, number: str) -> Invoice:
    return _one(ctx, scoped(Invoice, ctx.scope).where(Invoice.number == number),
                "Invoice", None)


def item_by_id(ctx: Ctx, invoice: Invoice, item_id: int) -> InvoiceLine:
    return _one(ctx, scoped(InvoiceLine, ctx.scope).where(
        InvoiceLine.id == item_id, InvoiceLine.invoice_id == invoice.id), "Invoice item", None)


def customer_by_id(ctx: Ctx, customer_id: int, label: str,
                   body_param: str | None = None) -> Customer:
    return _one(ctx, scoped(Customer, ctx.scope).where(Customer.id == customer_id), label,
                body_param)


def list_invoices(ctx: Ctx, currency: str | None, status: str | None) -> Sequence[Invoice]:
    stmt = scoped(Invoice, ctx.scope)
    if currency:
        stmt = stmt.where(Invoice.currency == currency.lower())
    if status:
        stmt = stmt.where(Invoice.status.in_(STATUS_FILTER[status]))
    return ctx.session.scalars(stmt.order_by(Invoice.id.desc())).all()


def list_customers(ctx: Ctx, fullname: str | None,
                   relationship_type: str | None = None) -> Sequence[Customer]:
    stmt = scoped(Customer, ctx.scope)
    if fullname:
        stmt = stmt.where(Customer.name.icontains(fullname, autoescape=True))
    if relationship_type:
        wanted = Customer.relationship_type == relationship_type.lower()
        if relationship_type == DEFAULT_RELATIONSHIP:
            wanted = or_(wanted, Customer.relationship_type.is_(None))
        stmt = stmt.where(wanted)
    return ctx.session.scalars(stmt.order_by(Customer.id.desc())).all()
