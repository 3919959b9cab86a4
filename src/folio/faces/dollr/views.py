"""Folio rows rendered as Dollr bodies (see docs/faces/dollr.md for every choice)."""

from __future__ import annotations

from typing import Any

from folio.db.models import Customer, Invoice, InvoiceLine, Payment
from folio.db.repository import scoped
from folio.faces.dollr import mapping as m
from folio.services.context import Ctx

View = dict[str, Any]
DAY = 86_400


def party_view(c: Customer) -> View:
    return {
        "id": c.id, "fullname": c.name or "", "email": c.email, "phone": m.phone_out(c.phone),
        "country_code": (c.address or {}).get("country"),
        "created_at": m.dt(c.created), "updated_at": m.dt(c.created),
    }


def counterparty_view(c: Customer) -> View:
    """A counterparty is the customer row itself: its id and party_id are the same."""
    return {"id": c.id, "relationship_type": m.relationship_out(c.relationship_type),
            "party_id": c.id, "created_at": m.dt(c.created), "updated_at": m.dt(c.created)}


def counterparty_with_party_view(c: Customer) -> View:
    return {
        "id": c.id, "owner_party_type": m.OWNER_TYPE, "owner_party_id": c.account_id,
        "relationship_type": m.relationship_out(c.relationship_type),
        "created_at": m.dt(c.created), "updated_at": m.dt(c.created), "party": party_view(c),
    }


def _qty_and_unit(line: InvoiceLine, currency: str) -> tuple[int, int | float]:
    """Dollr items are an integer qty times a unit price. A Folio line with a fractional
    quantity reads as qty 1 at the line's amount."""
    qty = line.quantity
    if qty == qty.to_integral_value():
        return int(qty), m.unit_money(line.unit_amount_decimal, currency)
    return 1, m.money(line.amount, currency)


def item_view(line: InvoiceLine, invoice: Invoice) -> View:
    qty, amount = _qty_and_unit(line, invoice.currency)
    return {"id": line.id, "name": line.description or "", "currency": invoice.currency.upper(),
            "qty": qty, "amount": amount, "created_at": m.dt(line.created),
            "updated_at": m.dt(invoice.updated or line.created)}


def _due_date(inv: Invoice) -> int:
    """Dollr always has a due date. Folio's, or else the day it would fall due: days after
    finalization (or creation, for a draft)."""
    if inv.due_date is not None:
        return inv.due_date
    start = inv.finalized_at or inv.created
    return start + DAY * (inv.days_until_due or 0)


def invoice_view(inv: Invoice) -> View:
    return {
        "id": inv.id, "reference_id": inv.reference, "invoice_number": inv.number or "",
        "counterparty_id": inv.customer_id, "currency": inv.currency.upper(),
        "total_amount": m.money(inv.total, inv.currency), "status": m.STATUS[inv.status],
        "note": inv.memo or "", "fee_bearer": m.fee_bearer_out(inv.fee_bearer),
        "due_date": m.dt(_due_date(inv)), "paid_at": m.dt_or_none(inv.paid_at),
        "as_payment_link": inv.as_payment_link, "owner_id": inv.account_id,
        "owner_type": m.OWNER_TYPE, "created_at": m.dt(inv.created),
        "updated_at": m.dt(inv.updated or inv.created),
    }


def invoice_detail_view(inv: Invoice) -> View:
    return {**invoice_view(inv), "invoice_items": [item_view(x, inv) for x in inv.lines],
            "counterparty": counterparty_with_party_view(inv.customer)}


def receipt_view(ctx: Ctx, inv: Invoice) -> View:
    """What Folio knows of a paid invoice; gateway, fee and FX fields are null (Folio
    records payments made outside it and charges no fees)."""
    last = ctx.session.scalars(scoped(Payment, ctx.scope).where(
        Payment.invoice_id == inv.id).order_by(Payment.id.desc())).first()
    customer, currency = inv.customer, inv.currency.upper()
    paid = m.money(inv.amount_paid, inv.currency)
    items = []
    for line in inv.lines:
        qty, amount = _qty_and_unit(line, inv.currency)
        items.append({"id": line.id, "name": line.description or "", "qty": qty,
                      "amount": amount, "currency": currency})
    return {
        "invoice_id": inv.id, "invoice_number": inv.number or "",
        "reference_id": inv.reference, "currency": currency,
        "total_amount": m.money(inv.total, inv.currency), "status": m.STATUS[inv.status],
        "note": inv.memo or "", "due_date": m.dt(_due_date(inv)),
        "as_payment_link": inv.as_payment_link, "fee_bearer": m.fee_bearer_out(inv.fee_bearer),
        "owner_id": inv.account_id, "owner_type": m.OWNER_TYPE,
        "created_at": m.dt(inv.created), "counterparty_id": customer.id,
        "relationship_type": m.relationship_out(customer.relationship_type),
        "counterparty_name": customer.name, "counterparty_phone": m.phone_out(customer.phone),
        "counterparty_email": customer.email, "paid_at": m.dt_or_none(inv.paid_at),
        "payer_amount": paid, "payer_currency": currency,
        "payee_amount": paid, "payee_currency": currency,
        "platform_fee": None, "platform_currency": None, "gateway_fee": None,
        "gateway_currency": None, "fx_fee": None, "fx_rate": None, "fx_currency_from": None,
        "fx_currency_to": None, "payment_provider": None,
        "payment_method": last.method if last else None, "account_name": None,
        "gateway_confirmed_at": None,
        "provider_transaction_id": last.reference if last else None,
        "items": items,
    }
