"""The hot write lane's finalize (see services/invoice_fast_writes.py): what
`collection.finalize_and_collect` does to a plain charge_automatically draft, as a plan
(`db.plan`) for the caller's write transaction.

The full path locks the invoice, recalculates it (tax rates are read again: a rate's
name may have changed since the draft was totalled), numbers it, snapshots the customer
and the seller, opens it, records invoice.finalized, and then collects it, which for a
customer without a default payment method writes nothing ("no_payment_method"). The
lane does the same when the recalculation gives the stored totals, so that only the
invoice's finalize columns change; otherwise it raises `NotPlain`.

Three batches: the invoice (locked) with its lines; the tax rates with the number (the
number is taken one batch before the recalculation's verdict: if the verdict sends the
request to the full pipeline, the rollback gives the number back); the writes.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

from folio.db.models import Invoice
from folio.db.plan import Plan
from folio.domain.calculation import amount_due
from folio.domain.states import InvoiceAction, InvoiceStatus, next_invoice_status
from folio.services.billing_chunk_draft import InvoiceRecord, Record
from folio.services.context import Ctx
from folio.services.documents import seller_snapshot
from folio.services.invoice_fast_statements import (
    INVOICE_COLUMNS,
    LINE_COLUMNS,
    Statements,
    split_row,
)
from folio.services.invoice_fast_writes import (
    NotPlain,
    event_statement,
    rates_found,
    rates_statement,
    totals_of,
)
from folio.services.lifecycle import new_hosted_token
from folio.services.numbering import invoice_pattern, slot_at
from folio.services.pricing import rate_spec, tax_json
from folio.services.views import View, customer_snapshot, invoice_view

_INVOICE_ATTRS = {"id": "id", **{c.name: c.attribute for c in INVOICE_COLUMNS}}
_LINE_ATTRS = {"id": "id", **{c.name: c.attribute for c in LINE_COLUMNS}}
_LINE_AMOUNTS = ("amount", "discount_amount", "credit_amount", "tax_amount")
_INVOICE_AMOUNTS = ("subtotal", "discount_total", "credit_applied", "tax_total", "total")


def _plain_draft(invoice: dict[str, Any], customer: SimpleNamespace,
                 account: SimpleNamespace) -> None:
    if invoice["status"] != InvoiceStatus.DRAFT.value:
        raise NotPlain("not a draft")
    if invoice["collection_method"] != "charge_automatically" or invoice["due_date"]:
        raise NotPlain("send_invoice")
    if invoice["apply_credit_balance"] or invoice["discounts"]:
        raise NotPlain("credit balance or discounts")
    if invoice["attempt_count"] or customer.default_payment_method:
        raise NotPlain("automatic charge")
    if account.einvoice_required:
        raise NotPlain("e-invoice checks")


def _rates_as_recorded(invoice: dict[str, Any], lines: list[Record],
                       rates: dict[str, Any]) -> bool:
    """Every tax the draft recorded (on its lines and in its breakdown) names a rate that
    is still, field for field, what was recorded, and every rate the draft refers to was
    recorded. The stored amounts were calculated from the same stored inputs (every
    change to a draft's lines recalculates it), so the recalculation could then only
    reproduce them."""
    recorded = set()
    for taxes in (*(line.__dict__["taxes"] for line in lines), invoice["tax_breakdown"]):
        for tax in taxes or []:
            rate = rates.get(tax["tax_rate"])
            if rate is None or tax != tax_json(rate_spec(rate), tax["taxable_amount"],
                                               tax["amount"]):
                return False
            recorded.add(tax["tax_rate"])
    return recorded == rates.keys()


def _unchanged(invoice: dict[str, Any], lines: list[Record], rates: dict[str, Any]) -> None:
    """The recalculation `_finalize` runs (`apply_totals`) gives the stored amounts
    (skipped when the rates are as the draft recorded them: it could not differ)."""
    if any(line.__dict__["line_discounts"] for line in lines):
        raise NotPlain("line discounts")
    if _rates_as_recorded(invoice, lines, rates):
        return
    totals = totals_of(invoice["currency"], invoice["rounding_mode"], lines,
                       invoice["default_tax_rates"], rates)
    for line, result in zip(lines, totals.lines, strict=True):
        v = line.__dict__
        if (v["line_discounts"] or (v["amount"], v["discount_amount"], v["credit_amount"],
                                    v["tax_amount"]) != (
                result.amount, result.discount_amount, result.credit_amount,
                result.tax_amount)
                or v["taxes"] != [tax_json(t.rate, t.taxable_amount, t.amount)
                                  for t in result.taxes]):
            raise NotPlain("line totals changed")
    if (tuple(invoice[x] for x in _INVOICE_AMOUNTS) != (
            totals.subtotal, totals.discount_total, totals.credit_applied,
            totals.tax_total, totals.total)
            or invoice["tax_breakdown"] != [tax_json(g.rate, g.taxable_amount, g.amount)
                                            for g in totals.tax_groups]):
        raise NotPlain("invoice totals changed")


def finalize_plan(st: Statements, ctx: Ctx, public_id: str) -> Plan[View]:
    """`collection.finalize_and_collect` of a plain draft; returns the view (the
    response body and the event's payload)."""
    by_id = {"public_id": public_id, "account_id": ctx.account_id,
             "livemode": ctx.livemode}
    fetched = yield st.invoice.statement(by_id), st.lines.statement(by_id)
    found = st.invoice.processed(fetched[0] or [])
    if not found:
        raise NotPlain("invoice not found")
    row, customer, account = split_row(found[0])
    invoice = {_INVOICE_ATTRS[k]: v for k, v in row.items()}
    _plain_draft(invoice, customer, account)
    lines = [Record({_LINE_ATTRS[k]: v for k, v in x.items()})
             for x in st.lines.processed(fetched[1] or [])]
    if not lines:
        raise NotPlain("no lines")
    due = amount_due(invoice["total"], invoice["amount_paid"], invoice["amount_credited"],
                     invoice["credit_granted"])
    if invoice["total"] <= 0 or due <= 0:
        raise NotPlain("nothing due")  # a credit, or settled at once
    ids = set(invoice["default_tax_rates"] or [])
    for line in lines:
        ids.update(line.__dict__["tax_rate_ids"] or [])
    slot = slot_at(ctx.now(), invoice_pattern(account.numbering_scope,
                                              account.invoice_number_pattern),
                   customer.invoice_prefix)
    number = st.number.statement({"account_id": ctx.account_id, "livemode": ctx.livemode,
                                  "key": slot.key}, wants_rows=True)
    rates_select = rates_statement(st, ctx, ids)
    fetched = yield (number,) if rates_select is None else (number, rates_select)
    _unchanged(invoice, lines, rates_found(st, ids, fetched[1] if rates_select else None))
    taken = fetched[0]
    if not taken:
        raise NotPlain("number series not opened")  # take_number opens it
    now = ctx.now()
    invoice.update(
        status=next_invoice_status(InvoiceStatus.DRAFT, InvoiceAction.FINALIZE).value,
        updated=now, number=slot.format(int(taken[0][0])), finalized_at=now,
        hosted_token=new_hosted_token(), customer_snapshot=customer_snapshot(
            cast(Any, customer)), seller_snapshot=seller_snapshot(cast(Any, account)))
    view = invoice_view(cast(Invoice, InvoiceRecord(
        {**invoice, "customer": customer, "lines": lines})))
    yield (st.finalize.statement({**invoice, "b_id": invoice["id"]}),
           event_statement(st, ctx, "invoice.finalized", view))
    return view
