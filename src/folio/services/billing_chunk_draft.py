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

The fast lane skips the pydantic invoice input (`InvoiceCreate`) the other paths give
`build_draft`: the record is made from the subscription and the boundary's lines as
`bill_for_boundary` makes that input. A draft whose input `build_draft` would reject or
treat otherwise (a missing, inactive or repeated tax rate, days_until_due, discounts,
send_invoice, a negative line of a positive type) gets no record: the caller bills it
on the per-subscription path, which raises the same error as always.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, cast

from sqlalchemy import Table

from folio.db.base import new_public_id, new_uuid
from folio.db.bulk import encoded
from folio.db.models import Event, Invoice, InvoiceLine, Subscription, TaxRate
from folio.db.prepared_write import table_columns
from folio.db.types import DecimalText
from folio.domain.billing.bill import LineSpec
from folio.domain.billing.periods import Period
from folio.domain.calculation import amount_due as due_amount
from folio.domain.calculation import calculate
from folio.domain.money import normalize_currency
from folio.domain.states import InvoiceStatus, payment_state
from folio.services.context import Ctx
from folio.services.events import EVENT_TYPES
from folio.services.inputs.invoices import NEGATIVE_LINE_TYPES
from folio.services.links import hosted_invoice_url
from folio.services.pricing import invoice_input, tax_json
from folio.services.subscription_billing import tier_view
from folio.services.subscription_time import ROUNDING
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


def _line(ctx: Ctx, spec: LineSpec, position: int, result: Any) -> Record:
    """`_line_from_input` of a subscription line (`_line_input`: a unit amount, no
    catalogue, no tax rates or discounts of its own) with `apply_totals`' results."""
    return Record({
        "public_id": new_public_id(InvoiceLine.id_prefix), "uuid": new_uuid(),
        **ctx.owned(), "metadata_": {}, "invoice_id": None,
        "position": position, "type": spec.kind.value, "description": spec.description,
        "product_ref": None, "price_ref": None, "quantity": spec.quantity,
        "unit_amount_decimal": spec.unit_amount, "unit_code": None,
        "tax_rate_ids": [], "line_discounts": [],
        "amount": result.amount, "discount_amount": result.discount_amount,
        "credit_amount": result.credit_amount, "tax_amount": result.tax_amount,
        "taxes": [tax_json(t.rate, t.taxable_amount, t.amount) for t in result.taxes],
        "feature_name": spec.feature_name, "period_start": spec.period_start,
        "period_end": spec.period_end, "included_quantity": spec.included,
        "used_quantity": spec.used, "overage_quantity": spec.overage,
        "tiers": [tier_view(t) for t in spec.tiers] if spec.tiers else None,
    })


def _plain_inputs(sub: Subscription, lines: tuple[LineSpec, ...],
                  rates: dict[str, TaxRate]) -> bool:
    """Whether `build_draft` takes the subscription's invoice input (as
    `bill_for_boundary` makes it) the way this module maps it."""
    tax_ids = list(sub.default_tax_rates or [])
    if len(set(tax_ids)) != len(tax_ids) or any(
            i not in rates or not rates[i].active for i in tax_ids):
        return False
    if sub.discounts or sub.days_until_due is not None:
        return False
    if sub.collection_method != "charge_automatically":
        return False
    return all(spec.unit_amount >= 0 or spec.kind.value in NEGATIVE_LINE_TYPES
               for spec in lines)


def plain_draft(ctx: Ctx, sub: Subscription, lines: tuple[LineSpec, ...],
                shown: Period | None, rates: dict[str, TaxRate]) -> InvoiceRecord | None:
    """The draft `bill_for_boundary` + `draft_of` + `apply_totals` (no usable credit)
    would give for the boundary's `lines` and `shown` period, as plain data; None when
    the per-subscription path must bill it."""
    if not _plain_inputs(sub, lines, rates):
        return None
    plan, customer = sub.plan, sub.customer
    currency = normalize_currency(plan.currency or customer.currency
                                  or ctx.account.default_currency)
    tax_ids = list(sub.default_tax_rates or [])
    rounding = ROUNDING.value
    totals = calculate(invoice_input(
        currency, rounding, [(x.quantity, x.unit_amount, None, None) for x in lines],
        [], tax_ids, rates))
    owned = ctx.owned()
    records = [_line(ctx, spec, i, result)
               for i, (spec, result) in enumerate(zip(lines, totals.lines, strict=True))]
    return InvoiceRecord({
        "id": None, "public_id": new_public_id(Invoice.id_prefix), "uuid": new_uuid(),
        **owned, "metadata_": {}, "customer_id": customer.id, "customer": customer,
        "lines": records, "status": InvoiceStatus.DRAFT.value, "number": None,
        "currency": currency, "collection_method": "charge_automatically",
        "days_until_due": None, "due_date": None, "rounding_mode": rounding,
        "description": None, "memo": None, "footer": None, "po_number": None,
        "reference": None, "period_start": shown.start if shown else None,
        "period_end": shown.end if shown else None, "plan_name": plan.name,
        "subscription_ref": sub.public_id, "recurring_schedule_ref": None,
        "recurring_occurrence": None, "invoice_type": "recurring",
        "fee_bearer": None, "as_payment_link": False,
        "apply_credit_balance": bool(sub.apply_credit_balance),
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


def event_row(ctx: Ctx, type_: str, obj: dict[str, Any], *, encode: bool = False
              ) -> dict[str, Any]:
    """The row `events.new_event` makes, in stored form; `encode`: its payload already
    encoded (`obj` must not change afterwards)."""
    assert type_ in EVENT_TYPES, type_
    data: Any = {"object": obj}
    return {"uuid": new_uuid(), "public_id": new_public_id(Event.id_prefix),
            "created": ctx.now(), "account_id": ctx.account_id, "livemode": ctx.livemode,
            "metadata": {}, "type": type_, "object_type": str(obj["object"]),
            "object_id": str(obj["id"]), "data": encoded(data) if encode else data,
            "request_id": ctx.request_id, "idempotency_key": ctx.idempotency_key,
            "delivered_at": None}


@lru_cache(maxsize=8)
def _columns(table: Table) -> tuple[tuple[str, str, bool, Any], ...]:
    """(column, attribute, stored as DecimalText, default) of every column but `id`."""
    model = {"invoices": Invoice, "invoice_lines": InvoiceLine}[table.name]
    return tuple((c.name, c.attribute, c.decimal_text, c.default)
                 for c in table_columns(model))


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
