"""Dolfin <-> Folio translation: uuids, statuses, money and the response bodies.

Ids are the rows' `uuid` column. Money is rendered as exact decimal strings in major
units (the schema allows number or string). Timestamps are ISO 8601 UTC date-times.
"""

from __future__ import annotations

import uuid as uuid_lib
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, and_, false, func, or_

from folio.db.base import TenantOwned
from folio.db.models import (
    CreditNote,
    Customer,
    Invoice,
    InvoiceLine,
    Payment,
    Price,
    Product,
    RecurringSchedule,
    TaxRate,
)
from folio.db.repository import Page, scoped
from folio.domain.errors import NotFound
from folio.domain.money import exponent, format_decimal, from_major, to_major
from folio.services.context import Ctx
from folio.services.links import hosted_invoice_url

T = TypeVar("T", bound=TenantOwned)
View = dict[str, Any]

DOLFIN_STATUSES = ("Draft", "Sent", "Paid", "Void", "PartiallyPaid", "Credited")
TAX_SOURCE = "Organisation"  # every Folio tax rate belongs to the organisation


# ids

def parse_uuid(value: str | None) -> str | None:
    """The canonical text of a uuid, or None when the value is not one."""
    if not value or len(value) > 64:
        return None
    try:
        return str(uuid_lib.UUID(value))
    except ValueError:
        return None


def by_uuid(ctx: Ctx, model: type[T], value: str | None, entity: str) -> T:
    """The tenant's row with this uuid; `<entity>.NotFound` otherwise (a malformed uuid
    is simply not found)."""
    key = parse_uuid(value)
    row = None
    if key is not None:
        row = ctx.session.scalars(scoped(model, ctx.scope).where(model.uuid == key)).first()
    if row is None:
        raise NotFound(f"{entity}.NotFound — no {entity.lower()} with id '{value}' for this "
                       "organisation.", code=f"{entity}.NotFound")
    return row


def _by_public_ids(ctx: Ctx, model: type[T], ids: Iterable[str]) -> dict[str, T]:
    wanted = {x for x in ids if x}
    if not wanted:
        return {}
    rows = ctx.session.scalars(scoped(model, ctx.scope).where(model.public_id.in_(wanted))
                               .execution_options(autoflush=False))
    return {r.public_id: r for r in rows}


def every(fetch: Callable[[Page], tuple[list[T], bool]]) -> list[T]:
    """All rows of a paged service listing, newest first."""
    out: list[T] = []
    after: str | None = None
    while True:
        rows, more = fetch(Page(limit=100, starting_after=after))
        out.extend(rows)
        if not more or not rows:
            return out
        after = rows[-1].public_id


# money and time

def money(amount: int, currency: str) -> str:
    """Minor units to an exact major-unit decimal string ("12.50", "0.00", JPY "100")."""
    return format(to_major(amount, currency), "f")


def to_minor(value: Decimal, currency: str) -> int:
    return from_major(value, currency)


def unit_price(unit_minor: Decimal, currency: str) -> str:
    """A unit price (a minor-unit Decimal, possibly finer than the minor unit) in major
    units, at least to the currency's decimals."""
    major = unit_minor.scaleb(-exponent(currency))
    text = format_decimal(major)
    places = len(text.partition(".")[2])
    return format(major.quantize(Decimal(1).scaleb(-exponent(currency))), "f") \
        if places < exponent(currency) else text


def unit_minor(value: Decimal, currency: str) -> Decimal:
    return value.scaleb(exponent(currency))


def iso(ts: int | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def timestamp(value: datetime) -> int:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp())


# statuses

def invoice_status(inv: Invoice) -> str:
    """Folio status and payment columns to Dolfin's one status word.

    draft -> Draft; void -> Void; open or uncollectible -> Sent, or PartiallyPaid once a
    payment or an issued credit note reduced it; paid -> Credited when issued credit
    notes took part in settling it, else Paid."""
    if inv.status == "draft":
        return "Draft"
    if inv.status == "void":
        return "Void"
    if inv.status == "paid":
        return "Credited" if inv.amount_credited > 0 else "Paid"
    return "PartiallyPaid" if inv.amount_paid > 0 or inv.amount_credited > 0 else "Sent"


def status_filter(status: str) -> ColumnElement[bool]:
    """The SQL condition of `invoice_status(inv) == status` (same rules)."""
    reduced = or_(Invoice.amount_paid > 0, Invoice.amount_credited > 0)
    owed = Invoice.status.in_(("open", "uncollectible"))
    return {
        "Draft": Invoice.status == "draft",
        "Void": Invoice.status == "void",
        "Paid": and_(Invoice.status == "paid", Invoice.amount_credited == 0),
        "Credited": and_(Invoice.status == "paid", Invoice.amount_credited > 0),
        "Sent": and_(owed, Invoice.amount_paid == 0, Invoice.amount_credited == 0),
        "PartiallyPaid": and_(owed, reduced),
    }.get(status, false())


def issue_ts_column() -> ColumnElement[int]:
    return func.coalesce(Invoice.finalized_at, Invoice.created)


CREDIT_NOTE_STATUS = {"draft": "Draft", "issued": "Issued", "void": "Void"}


# views

def _org(ctx: Ctx) -> str:
    return ctx.account.uuid


def customer_out(ctx: Ctx, c: Customer, snapshot: dict[str, Any] | None = None) -> View:
    s = snapshot or {}
    address = s.get("address", c.address) or {}
    return {
        "id": c.uuid, "organisationId": _org(ctx),
        "name": s.get("name", c.name) or "",
        "email": s.get("email", c.email), "phone": s.get("phone", c.phone),
        "taxNumber": s.get("tax_id", c.tax_id),
        "addressLine1": address.get("line1"), "addressLine2": address.get("line2"),
        "city": address.get("city"), "state": address.get("state"),
        "postalCode": address.get("postal_code"), "country": address.get("country"),
        "createdAt": iso(c.created), "createdBy": None,
        "updatedAt": iso(c.created), "updatedBy": None,
    }


def product_prices(ctx: Ctx, products: list[Product]) -> dict[int, Price]:
    """Each product's unit price: its oldest active one-time price."""
    ids = [p.id for p in products]
    if not ids:
        return {}
    rows = ctx.session.scalars(scoped(Price, ctx.scope).where(
        Price.product_id.in_(ids), Price.active.is_(True), Price.type == "one_time",
    ).order_by(Price.id.desc()))
    return {price.product_id: price for price in rows}  # the oldest wins (written last)


def product_out(ctx: Ctx, p: Product, price: Price | None) -> View:
    return {
        "id": p.uuid, "organisationId": _org(ctx), "name": p.name,
        "currency": price.currency.upper() if price else None,
        "description": p.description,
        "unitPrice": unit_price(price.unit_amount_decimal, price.currency) if price else None,
        "type": "Service" if p.product_type == "service" else "Product",
        "createdAt": iso(p.created), "createdBy": None,
        "updatedAt": iso(p.updated or p.created), "updatedBy": None,
    }


def tax_rate_out(ctx: Ctx, t: TaxRate) -> View:
    return {
        "id": t.uuid, "organisationId": _org(ctx), "code": t.code or t.display_name,
        "name": t.display_name, "rate": format_decimal(t.percentage),
        "description": t.description, "country": t.country, "inclusive": t.inclusive,
        "isActive": t.active, "source": TAX_SOURCE, "sourceId": t.uuid,
        "createdAt": iso(t.created), "createdBy": None,
        "updatedAt": iso(t.created), "updatedBy": None,
    }


def _snapshot(tax: dict[str, Any], rates: dict[str, TaxRate], at: int | None) -> View:
    rate = rates.get(tax.get("tax_rate") or "")
    return {
        "code": (rate.code if rate and rate.code else None) or tax["display_name"],
        "name": tax["display_name"], "source": TAX_SOURCE, "rate": tax["percentage"],
        "sourceId": rate.uuid if rate else None, "snapshottedAt": iso(at),
    }


def _line_rate_id(inv: Invoice, line: InvoiceLine) -> str | None:
    if inv.finalized_at is not None and line.taxes:
        return str(line.taxes[0]["tax_rate"])
    ids = list(line.tax_rate_ids or []) or list(inv.default_tax_rates or [])
    return str(ids[0]) if ids else None


def recurring_schedule_uuid(ctx: Ctx, ref: str | None) -> str | None:
    """Dolfin's recurringScheduleId: the uuid of the Folio schedule the invoice came from
    (its reference is the schedule's public id), or a uuid the client recorded itself."""
    if ref and ref.startswith(f"{RecurringSchedule.id_prefix}_"):
        found = _by_public_ids(ctx, RecurringSchedule, [ref]).get(ref)
        return found.uuid if found else None
    return parse_uuid(ref)


def invoice_out(ctx: Ctx, inv: Invoice) -> View:
    cur = inv.currency
    rate_ids = {_line_rate_id(inv, x) for x in inv.lines}
    rates = _by_public_ids(ctx, TaxRate, [x for x in rate_ids if x])
    products = _by_public_ids(ctx, Product, [x.product_ref for x in inv.lines if x.product_ref])
    frozen = inv.finalized_at is not None  # a draft voided unsent has no snapshot
    items = []
    for line in inv.lines:
        rate = rates.get(_line_rate_id(inv, line) or "")
        product = products.get(line.product_ref or "")
        item: View = {"id": line.uuid}
        if product is not None:
            item["productId"] = product.uuid
        item.update({
            "productName": product.name if product else None,
            "taxRateId": rate.uuid if rate else None,
            "taxRateSnapshot": _snapshot(line.taxes[0], rates, inv.finalized_at)
            if frozen and line.taxes else None,
            "description": line.description or "",
            "quantity": format_decimal(line.quantity),
            "unitPrice": unit_price(line.unit_amount_decimal, cur),
            "taxAmount": money(line.tax_amount, cur),
            "subTotal": money(line.amount, cur),
        })
        items.append(item)
    schedule = recurring_schedule_uuid(ctx, inv.recurring_schedule_ref)
    return {
        "id": inv.uuid, "organisationId": _org(ctx), "customerId": inv.customer.uuid,
        "documentNumber": inv.number, "currency": cur.upper(),
        "issueDate": iso(inv.finalized_at or inv.created), "dueDate": iso(inv.due_date),
        "status": invoice_status(inv),
        "subTotal": money(inv.subtotal, cur), "taxAmount": money(inv.tax_total, cur),
        "totalAmount": money(inv.total, cur), "amountPaid": money(inv.amount_paid, cur),
        "amountCredited": money(inv.amount_credited, cur),
        "outstanding": money(inv.amount_due, cur),
        "recurringScheduleId": schedule,
        "recurringOccurrenceNumber": inv.recurring_occurrence if schedule else None,
        "memo": inv.memo, "createdAt": iso(inv.created), "createdBy": None,
        "updatedAt": iso(inv.updated or inv.created), "updatedBy": None,
        "paymentUrl": hosted_invoice_url(inv.hosted_token),
        "customer": customer_out(ctx, inv.customer, inv.customer_snapshot),
        "lineItems": items,
    }


def payment_out(ctx: Ctx, p: Payment) -> View:
    return {
        "id": p.uuid, "invoiceId": p.invoice.uuid, "organisationId": _org(ctx),
        "currency": p.currency.upper(), "amount": money(p.amount, p.currency),
        "status": "Succeeded" if p.status == "succeeded" else p.status.capitalize(),
        "provider": "Manual", "providerReference": p.reference or p.public_id,
        "chargeReference": None, "applicationFeeAmount": None,
        "notes": (p.metadata_ or {}).get("notes"), "receiptUrl": None, "receiptEmail": None,
        "paymentMethod": None, "billing": None, "risk": None,
        "succeededAt": iso(p.paid_at), "createdAt": iso(p.created),
    }


def credit_note_out(ctx: Ctx, cn: CreditNote) -> View:
    inv = cn.invoice
    stored = cn.lines[0] if cn.lines else {}
    at: int | None = None
    line = next((x for x in inv.lines if x.public_id == stored.get("invoice_line")), None)
    if stored.get("taxes"):  # a tax rate chosen for the credit note
        tax, at = stored["taxes"][0], cn.created
    elif line is not None and line.taxes:  # inherits the credited line's frozen rate
        tax, at = line.taxes[0], inv.finalized_at
    else:
        tax = None
    rates = _by_public_ids(ctx, TaxRate, [tax["tax_rate"]] if tax else [])
    rate = rates.get(tax["tax_rate"]) if tax else None
    cur = cn.currency
    return {
        "id": cn.uuid, "organisationId": _org(ctx), "invoiceId": inv.uuid,
        "currency": cur.upper(),
        "documentNumber": cn.number,
        "amount": money(cn.amount, cur), "netAmount": money(cn.amount - cn.tax_amount, cur),
        "taxAmount": money(cn.tax_amount, cur),
        "taxRateId": rate.uuid if rate else None,
        "taxRateSnapshot": _snapshot(tax, rates, at) if tax else None,
        "invoiceLineItemId": line.uuid if line else None,
        "reason": cn.memo, "status": CREDIT_NOTE_STATUS.get(cn.status, cn.status),
        "issuedAt": iso(cn.issued_at), "createdAt": iso(cn.created), "createdBy": None,
        "updatedAt": iso(cn.voided_at or cn.issued_at or cn.created), "updatedBy": None,
    }


def listing(ctx: Ctx, result: tuple[list[T], bool], render: Callable[[T], View],
            cursor: str | None) -> View:
    rows, more = result
    return {"data": [render(r) for r in rows],
            "meta": {"cursors": {"current": cursor,
                                 "next": rows[-1].public_id if more and rows else None,
                                 "previous": None}}}
