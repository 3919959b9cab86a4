"""The set-based billing run's invoices as plain data (ADR 15, "Plain rows").

The fast lane does not build ORM objects for its invoices: a subscription's boundary
bill (`bill_for_boundary`, the same as everywhere) becomes an `InvoiceRecord` whose
attributes are named as the `Invoice` model's, with its totals from the same pure
`calculate` (through `pricing.invoice_input`, which `apply_totals` uses too), and whose
stored rows are written in bulk. The view functions read a record as they read the
model, so the event payloads are `invoice_view`'s own; the finalized and paid views are
the created view with the fields finalization changes put in (`finalized_view`,
`paid_view`). tests/integration/test_set_based_billing.py compares every invoice and
event payload with the per-subscription path's.

A draft whose inputs `build_draft` would reject (a missing, inactive or repeated tax
rate, a catalogue line, days_until_due, discounts) gets no record: the caller bills it
on the per-subscription path, which raises the same error as always.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import Table

from folio.db.base import new_public_id, new_uuid
from folio.db.models import Invoice, InvoiceLine, Subscription, TaxRate
from folio.db.types import DecimalText
from folio.domain.calculation import amount_due as due_amount
from folio.domain.calculation import calculate
from folio.domain.money import normalize_currency
from folio.domain.states import InvoiceStatus, payment_state
from folio.services.context import Ctx
from folio.services.inputs import NEGATIVE_LINE_TYPES
from folio.services.links import hosted_invoice_url
from folio.services.pricing import invoice_input, tax_json
from folio.services.subscription_billing import BoundaryBill, tier_view
from folio.services.views import invoice_view

View = dict[str, Any]


class Record:
    """Attributes named as a model's, read by the view functions as they read the
    model."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)

    def get(self, name: str) -> Any:
        return self.__dict__[name]


class InvoiceRecord(Record):
    @property
    def amount_due(self) -> int:
        v = self.__dict__
        return due_amount(v["total"], v["amount_paid"], v["amount_credited"],
                          v["credit_granted"])


def _line(ctx: Ctx, data: Any, spec: Any, position: int, result: Any) -> Record:
    """`_line_from_input` of a subscription line (a unit amount, no catalogue, no tax
    rates or discounts of its own) with `apply_totals`' results."""
    return Record({
        "public_id": new_public_id(InvoiceLine.id_prefix), "uuid": new_uuid(),
        **ctx.owned(), "metadata_": data.metadata or {}, "invoice_id": None,
        "position": position, "type": data.type, "description": data.description,
        "product_ref": None, "price_ref": None, "quantity": data.quantity,
        "unit_amount_decimal": data.unit_amount_decimal, "unit_code": data.unit_code,
        "tax_rate_ids": [], "line_discounts": [],
        "amount": result.amount, "discount_amount": result.discount_amount,
        "credit_amount": result.credit_amount, "tax_amount": result.tax_amount,
        "taxes": [tax_json(t.rate, t.taxable_amount, t.amount) for t in result.taxes],
        "feature_name": data.feature_name, "period_start": data.period_start,
        "period_end": data.period_end, "included_quantity": data.included_quantity,
        "used_quantity": data.used_quantity, "overage_quantity": data.overage_quantity,
        "tiers": [tier_view(t) for t in spec.tiers] if spec.tiers else None,
    })


def _plain_inputs(bill: BoundaryBill, rates: dict[str, TaxRate]) -> bool:
    """Whether `build_draft` takes the bill's input as the fast lane maps it."""
    data = bill.invoice
    tax_ids = list(data.default_tax_rates or [])
    if len(set(tax_ids)) != len(tax_ids) or any(
            i not in rates or not rates[i].active for i in tax_ids):
        return False
    if data.discounts or data.days_until_due is not None or data.due_date is not None:
        return False
    if (data.collection_method or "charge_automatically") != "charge_automatically":
        return False
    if data.period_start and data.period_end and data.period_end < data.period_start:
        return False
    for line in data.lines:
        unit = line.unit_amount_decimal
        if (unit is None or line.price or line.product is not None
                or line.unit_amount is not None or line.tax_rates or line.discounts
                or (unit < 0 and line.type not in NEGATIVE_LINE_TYPES)):
            return False
    return True


def plain_draft(ctx: Ctx, sub: Subscription, bill: BoundaryBill,
                rates: dict[str, TaxRate]) -> InvoiceRecord | None:
    """The draft `draft_of` + `apply_totals` (no usable credit) would give, as plain
    data; None when the per-subscription path must bill it."""
    if not _plain_inputs(bill, rates):
        return None
    data, customer = bill.invoice, sub.customer
    currency = normalize_currency(data.currency or customer.currency
                                  or ctx.account.default_currency)
    tax_ids = list(data.default_tax_rates or [])
    rounding = data.rounding_mode or "half_up"
    totals = calculate(invoice_input(
        currency, rounding,
        [(x.quantity, cast(Decimal, x.unit_amount_decimal), None, None)
         for x in data.lines],
        [], tax_ids, rates))
    owned = ctx.owned()
    lines = [_line(ctx, x, spec, i, result) for i, (x, spec, result) in enumerate(
        zip(data.lines, bill.lines, totals.lines, strict=True))]
    return InvoiceRecord({
        "id": None, "public_id": new_public_id(Invoice.id_prefix), "uuid": new_uuid(),
        **owned, "metadata_": {}, "customer_id": customer.id, "customer": customer,
        "lines": lines, "status": InvoiceStatus.DRAFT.value, "number": None,
        "currency": currency, "collection_method": "charge_automatically",
        "days_until_due": None, "due_date": None, "rounding_mode": rounding,
        "description": None, "memo": None, "footer": None, "po_number": None,
        "reference": None, "period_start": data.period_start,
        "period_end": data.period_end, "plan_name": data.plan_name,
        "subscription_ref": data.subscription, "recurring_schedule_ref": None,
        "recurring_occurrence": None, "invoice_type": data.invoice_type,
        "fee_bearer": None, "as_payment_link": False,
        "apply_credit_balance": bool(data.apply_credit_balance),
        "default_tax_rates": tax_ids, "discounts": [],
        "subtotal": totals.subtotal, "discount_total": totals.discount_total,
        "tax_total": totals.tax_total, "total": totals.total,
        "credit_applied": totals.credit_applied, "credit_granted": 0,
        "tax_breakdown": [tax_json(g.rate, g.taxable_amount, g.amount)
                          for g in totals.tax_groups],
        "amount_paid": 0, "amount_credited": 0, "post_payment_credited": 0,
        "customer_snapshot": None, "seller_snapshot": None, "finalized_at": None,
        "sent_at": None, "paid_at": None, "voided_at": None,
        "marked_uncollectible_at": None, "updated": owned["created"],
        "hosted_token": None, "attempt_count": 0, "next_payment_attempt": None,
        "reminder_offsets": None,
    })


def draft_view(invoice: InvoiceRecord) -> View:
    return invoice_view(cast(Invoice, invoice))


def finalized_view(created: View, invoice: InvoiceRecord) -> View:
    """`invoice_view` of the invoice just finalized (open, numbered, snapshots taken),
    from its draft view: the amounts and lines are unchanged (no credit was usable)."""
    v = invoice.__dict__
    return {**created, "status": v["status"], "number": v["number"],
            "payment_state": payment_state(v["total"], v["amount_paid"],
                                           v["amount_credited"]).value,
            "customer_details": v["customer_snapshot"],
            "hosted_invoice_url": hosted_invoice_url(v["hosted_token"]),
            "finalized_at": v["finalized_at"],
            "next_payment_attempt": v["next_payment_attempt"]
            if v["status"] == InvoiceStatus.OPEN.value else None}


def paid_view(finalized: View, invoice: InvoiceRecord) -> View:
    """`invoice_view` of the finalized invoice settled because nothing was due."""
    v = invoice.__dict__
    return {**finalized, "status": v["status"],
            "payment_state": payment_state(v["total"], v["amount_paid"],
                                           v["amount_credited"]).value,
            "paid_at": v["paid_at"], "next_payment_attempt": None}


@lru_cache(maxsize=8)
def _columns(table: Table) -> tuple[tuple[str, str, bool, Any], ...]:
    """(column, attribute, stored as DecimalText, default) of every column but `id`."""
    model = {"invoices": Invoice, "invoice_lines": InvoiceLine}[table.name]
    mapper = model.__mapper__
    out = []
    for col in table.columns:
        if col.name == "id":
            continue
        default: Any = col.default
        value = None if default is None or default.is_callable else default.arg
        out.append((col.name, mapper.get_property_by_column(col).key,
                    isinstance(col.type, DecimalText), value))
    return tuple(out)


_DECIMAL = DecimalText()


def stored_row(record: Record, table: Table, dialect: Any) -> dict[str, Any]:
    """The record's row in stored form (see `db.bulk.row_values`, for a model object)."""
    v = record.__dict__
    out: dict[str, Any] = {}
    for name, attr, decimal, default in _columns(table):
        value = v[attr]
        if value is None:
            value = default
        elif decimal:
            value = _DECIMAL.process_bind_param(value, dialect)
        out[name] = value
    return out
