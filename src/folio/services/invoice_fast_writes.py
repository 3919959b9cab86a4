"""The hot write lane's use cases: create and finalize of a plain invoice, as plans
(`db.plan`) that the caller runs in one write transaction, on a raw DB-API cursor or
pipelined on an async connection (ADR 7, "Fourth pass: a hot write lane" and "Sixth
pass"; the API side is api/hot_writes.py).

The lane writes the rows the full path writes (`invoices.create_invoice`,
`collection.finalize_and_collect`), with the same values, locks and numbering, but
without ORM objects: statements compiled once per engine (`invoice_fast_statements`), plain
records with the mapped attribute names read by the same `invoice_view`, totals from the
same pure `calculate` through `pricing.invoice_input`, event rows as
`billing_chunk_draft.event_row` makes them. Each response body is rendered once and is
also the event's payload, as in the full path.

It only takes the plain case. Anything else raises `NotPlain` (or the `DomainError` a
shared rule raised) and the caller rolls back and hands the request to the full pipeline,
which decides and shapes every error: fields the lane does not map (`_CREATE_FIELDS`,
`_LINE_FIELDS`), a customer or tax rate that is missing, inactive or repeated, a unit
amount that is negative or given twice; at finalize an invoice that is not a
charge_automatically draft with lines whose stored totals the calculation reproduces, a
total that is not positive (credit or settlement on finalize), credit balance to apply,
a customer with a default payment method (an automatic charge), an account that must
check e-invoices at issue, a number series not opened yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy.orm import Session

from folio.db.base import new_public_id, new_uuid
from folio.db.models import Invoice, InvoiceLine, TaxRate
from folio.db.plan import Plan, Rows, Statement
from folio.db.prepared_write import (
    Column,
    row_of,
)
from folio.domain.calculation import InvoiceTotals, calculate
from folio.domain.money import normalize_currency
from folio.domain.states import InvoiceStatus
from folio.services.billing_chunk_draft import InvoiceRecord, Record, event_row
from folio.services.context import Ctx
from folio.services.inputs.common import merge_metadata
from folio.services.inputs.invoices import InvoiceCreate, LineCreate
from folio.services.invoice_fast_statements import (
    INVOICE_COLUMNS,
    LINE_COLUMNS,
    NEW_LINE_COLUMNS,
    Statements,
    split_row,
)
from folio.services.pricing import invoice_input, tax_json
from folio.services.views import View, invoice_view


class NotPlain(Exception):
    """The request is not one the lane takes: the full pipeline answers it."""


# the InvoiceCreate fields the lane maps (as `build_draft` does); any other field sent,
# even null, sends the request to the full pipeline
_SIMPLE = ("description", "memo", "footer", "po_number", "reference", "plan_name",
           "invoice_type", "fee_bearer")
_CREATE_FIELDS = frozenset({*_SIMPLE, "customer", "currency", "lines", "default_tax_rates",
                            "collection_method", "rounding_mode", "as_payment_link",
                            "apply_credit_balance", "metadata"})
_LINE_FIELDS = frozenset({"type", "description", "quantity", "unit_amount",
                          "unit_amount_decimal", "unit_code", "tax_rates", "metadata"})
_MAX_RATES = 8  # distinct tax rates per invoice the lane looks up

def lane_ctx(account_id: int, livemode: bool, now: int, request_id: str) -> Ctx:
    """What the shared row builders read of a request (no session: the lane has none)."""
    return Ctx(cast(Session, None), account_id=account_id, livemode=livemode,
               clock=lambda: now, request_id=request_id)


def rates_statement(st: Statements, ctx: Ctx, ids: set[str]) -> Statement | None:
    """The SELECT of the tax rates by public id (`pricing.tax_rates_by_id`); None: no
    rates asked for."""
    if not ids:
        return None
    if len(ids) > _MAX_RATES:
        raise NotPlain("many tax rates")
    params: dict[str, Any] = {f"r{i}": x for i, x in enumerate(sorted(ids))}
    params.update(account_id=ctx.account_id, livemode=ctx.livemode)
    return st.rates(len(ids)).statement(params)


def rates_found(st: Statements, ids: set[str], rows: Rows) -> dict[str, Any]:
    """The tax rates by public id from the rows of `rates_statement`, all of them found."""
    if not ids:
        return {}
    found = {r["public_id"]: SimpleNamespace(**r)
             for r in st.rates(len(ids)).processed(rows or [])}
    if len(found) != len(ids):
        raise NotPlain("tax rate not found")
    return found


def _checked_rates(ids: list[str], rates: dict[str, Any]) -> list[str]:
    """`pricing.check_tax_rates`: active, none listed twice."""
    if len(set(ids)) != len(ids) or not all(rates[i].active for i in ids):
        raise NotPlain("tax rates")
    return list(ids)


def _plain_line(line: LineCreate) -> None:
    if not line.model_fields_set <= _LINE_FIELDS:
        raise NotPlain("line fields")
    if (line.unit_amount is None) == (line.unit_amount_decimal is None):
        raise NotPlain("unit amount")


def _record(columns: Sequence[Column], values: dict[str, Any]) -> dict[str, Any]:
    """Every mapped attribute of a table, None unless given (the flush's defaults apply
    when the row is written)."""
    out: dict[str, Any] = {c.attribute: None for c in columns}
    out.update(values)
    return out


def totals_of(currency: str, rounding: str, lines: list[Any], default_rates: list[str],
            rates: dict[str, Any]) -> InvoiceTotals:
    """`pricing.apply_totals`' calculation (no discounts, no credit balance)."""
    return calculate(invoice_input(
        currency, rounding,
        [(x.quantity, x.unit_amount_decimal, x.tax_rate_ids, x.line_discounts)
         for x in lines],
        [], default_rates, cast(dict[str, TaxRate], rates)))


def _apply(invoice: dict[str, Any], lines: list[Record], totals: InvoiceTotals) -> None:
    for line, result in zip(lines, totals.lines, strict=True):
        line.__dict__.update(
            amount=result.amount, discount_amount=result.discount_amount,
            credit_amount=result.credit_amount, tax_amount=result.tax_amount,
            taxes=[tax_json(t.rate, t.taxable_amount, t.amount) for t in result.taxes])
    invoice.update(
        subtotal=totals.subtotal, discount_total=totals.discount_total,
        credit_applied=totals.credit_applied, tax_total=totals.tax_total,
        total=totals.total,
        tax_breakdown=[tax_json(g.rate, g.taxable_amount, g.amount)
                       for g in totals.tax_groups])


def event_statement(st: Statements, ctx: Ctx, type_: str, view: View) -> Statement:
    return st.insert_event.statement(event_row(ctx, type_, view))


def create_plan(st: Statements, ctx: Ctx, data: InvoiceCreate) -> Plan[View]:
    """`invoices.create_invoice` of a plain body; returns the view (the response body
    and the event's payload). Two batches: the customer and the tax rates, then every
    write."""
    sent = data.model_fields_set
    if not sent <= _CREATE_FIELDS or data.collection_method not in (
            None, "charge_automatically"):
        raise NotPlain("invoice fields")
    for line in data.lines:
        _plain_line(line)
    default_rates = list(data.default_tax_rates or [])
    rate_ids = {*default_rates, *(i for x in data.lines for i in x.tax_rates or [])}
    rates_select = rates_statement(st, ctx, rate_ids)
    customer_select = st.customer.statement({
        "public_id": data.customer, "account_id": ctx.account_id, "livemode": ctx.livemode})
    fetched = yield (customer_select,) if rates_select is None else (
        customer_select, rates_select)
    found = st.customer.processed(fetched[0] or [])
    if not found:
        raise NotPlain("customer not found")
    _, customer, account = split_row(found[0])
    rates = rates_found(st, rate_ids, fetched[1] if rates_select is not None else None)
    currency = normalize_currency(data.currency or customer.currency
                                  or account.default_currency)
    owned = ctx.owned()
    invoice = _record(INVOICE_COLUMNS, {
        **owned, "public_id": new_public_id(Invoice.id_prefix), "uuid": new_uuid(),
        "customer_id": customer.id, "status": InvoiceStatus.DRAFT.value,
        "currency": currency, "collection_method": "charge_automatically",
        "rounding_mode": data.rounding_mode or "half_up", "metadata_": {},
        "default_tax_rates": [], "discounts": [], "amount_paid": 0,
        "as_payment_link": False, "apply_credit_balance": False, "credit_applied": 0,
        "credit_granted": 0, "amount_credited": 0, "post_payment_credited": 0,
        "updated": owned["created"]})
    for name in _SIMPLE:
        if name in sent:
            invoice[name] = getattr(data, name)
    if data.as_payment_link is not None:
        invoice["as_payment_link"] = data.as_payment_link
    if data.apply_credit_balance is not None:
        invoice["apply_credit_balance"] = data.apply_credit_balance
    if "default_tax_rates" in sent:
        invoice["default_tax_rates"] = _checked_rates(default_rates, rates)
    if "metadata" in sent:
        invoice["metadata_"] = merge_metadata({}, data.metadata)
    lines = [_line(ctx, x, i, rates) for i, x in enumerate(data.lines)]
    _apply(invoice, lines, totals_of(currency, invoice["rounding_mode"], lines,
                                   invoice["default_tax_rates"], rates))
    record = InvoiceRecord({**invoice, "customer": customer, "lines": lines})
    view = invoice_view(cast(Invoice, record))
    writes = [st.insert_invoice.statement([row_of(INVOICE_COLUMNS, invoice)])]
    if lines:
        writes.append(st.insert_lines.statement(
            (row_of(NEW_LINE_COLUMNS, x.__dict__) for x in lines),
            invoice_public_id=invoice["public_id"]))
    writes.append(event_statement(st, ctx, "invoice.created", view))
    yield writes
    return view


def _line(ctx: Ctx, data: LineCreate, position: int, rates: dict[str, Any]) -> Record:
    """`invoices._line_from_input` of a line priced by unit amount, nothing else."""
    unit = (data.unit_amount_decimal if data.unit_amount is None
            else Decimal(data.unit_amount))
    if unit is None or unit < 0:
        raise NotPlain("unit amount")
    return Record(_record(LINE_COLUMNS, {
        **ctx.owned(), "public_id": new_public_id(InvoiceLine.id_prefix),
        "uuid": new_uuid(), "position": position, "type": data.type,
        "description": data.description, "quantity": data.quantity,
        "unit_amount_decimal": unit,
        "unit_code": data.unit_code,
        "tax_rate_ids": _checked_rates(list(data.tax_rates or []), rates),
        "line_discounts": [], "metadata_": data.metadata or {}}))
