"""Draft invoices: create, edit, lines, preview, read and list."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from folio.db.models import Customer, Invoice, InvoiceLine
from folio.db.repository import Page, created_filter, get_by_public_id, page, scoped
from folio.domain.errors import InvalidInput, InvalidState, NotFound
from folio.domain.money import normalize_currency
from folio.domain.states import InvoiceStatus
from folio.services import events
from folio.services.catalog import get_price, get_product
from folio.services.context import Ctx
from folio.services.customers import get_customer
from folio.services.inputs.common import merge_metadata, provided
from folio.services.inputs.invoices import (
    NEGATIVE_LINE_TYPES,
    InvoiceCreate,
    InvoiceFields,
    InvoiceUpdate,
    LineCreate,
    LineUpdate,
)
from folio.services.pricing import apply_totals, check_tax_rates, resolve_discounts
from folio.services.views import invoice_view

_SIMPLE_FIELDS = ("description", "memo", "footer", "po_number", "reference", "period_start",
                  "period_end", "plan_name", "recurring_occurrence", "due_date",
                  "invoice_type", "fee_bearer", "reminder_offsets")
_RENAMED = {"subscription": "subscription_ref", "recurring_schedule": "recurring_schedule_ref"}


def get_invoice(ctx: Ctx, invoice_id: str, *, param: str = "id",
                for_update: bool = False) -> Invoice:
    return get_by_public_id(ctx.session, Invoice, ctx.scope, invoice_id, param=param,
                            for_update=for_update)


def get_draft(ctx: Ctx, invoice_id: str) -> Invoice:
    invoice = get_invoice(ctx, invoice_id, for_update=True)
    if invoice.status != InvoiceStatus.DRAFT.value:
        raise InvalidState(f"Invoice {invoice.public_id} is {invoice.status}; only a draft "
                           "can be changed.", code="invoice_not_editable")
    return invoice


def _check_collection(invoice: Invoice) -> None:
    if invoice.collection_method == "send_invoice":
        if invoice.days_until_due is None and invoice.due_date is None:
            raise InvalidInput("send_invoice needs days_until_due or due_date.",
                               param="days_until_due", code="days_until_due_required")
    elif invoice.days_until_due is not None or invoice.due_date is not None:
        raise InvalidInput("days_until_due and due_date apply only to send_invoice.",
                           param="days_until_due")
    if invoice.period_start and invoice.period_end and invoice.period_end < invoice.period_start:
        raise InvalidInput("period_end is before period_start.", param="period_end")


def _apply_fields(ctx: Ctx, invoice: Invoice, data: InvoiceFields) -> None:
    changes = provided(data)
    for name in _SIMPLE_FIELDS:
        if name in changes:
            setattr(invoice, name, changes[name])
    for name, column in _RENAMED.items():
        if name in changes:
            setattr(invoice, column, changes[name])
    if changes.get("collection_method"):
        invoice.collection_method = changes["collection_method"]
    if "days_until_due" in changes:
        invoice.days_until_due = changes["days_until_due"]
    if changes.get("as_payment_link") is not None:
        invoice.as_payment_link = changes["as_payment_link"]
    if changes.get("apply_credit_balance") is not None:
        invoice.apply_credit_balance = changes["apply_credit_balance"]
    if changes.get("rounding_mode"):
        invoice.rounding_mode = changes["rounding_mode"]
    if "default_tax_rates" in changes:
        invoice.default_tax_rates = check_tax_rates(ctx, data.default_tax_rates or [],
                                                    "default_tax_rates")
    if "discounts" in changes:
        invoice.discounts = resolve_discounts(ctx, data.discounts or [], invoice.currency,
                                              "discounts")
    if "metadata" in changes:
        invoice.metadata_ = merge_metadata(invoice.metadata_, changes["metadata"])
    _check_collection(invoice)


def _line_from_input(ctx: Ctx, invoice: Invoice, data: LineCreate, position: int,
                     param: str) -> InvoiceLine:
    product_ref = price_ref = None
    unit_code = data.unit_code
    description = data.description
    if data.price:
        if data.unit_amount is not None or data.unit_amount_decimal is not None:
            raise InvalidInput("Give a price or a unit amount, not both.", param=f"{param}.price")
        price = get_price(ctx, data.price, param=f"{param}.price")
        if price.currency != invoice.currency:
            raise InvalidInput(f"Price {price.public_id} is in {price.currency}; the invoice is "
                               f"in {invoice.currency}.", param=f"{param}.price",
                               code="currency_mismatch")
        if not price.active:
            raise InvalidInput(f"Price {price.public_id} is inactive.", param=f"{param}.price",
                               code="price_inactive")
        unit = price.unit_amount_decimal
        price_ref, product_ref = price.public_id, price.product.public_id
        unit_code = unit_code or price.product.unit_code
        description = description or price.product.name
    elif data.product is not None and data.unit_amount is None \
            and data.unit_amount_decimal is None:
        raise InvalidInput("A line for a product without a price needs a unit amount.",
                           param=f"{param}.unit_amount", code="parameter_missing")
    elif data.unit_amount is not None and data.unit_amount_decimal is not None:
        raise InvalidInput("Give unit_amount or unit_amount_decimal, not both.",
                           param=f"{param}.unit_amount")
    elif data.unit_amount is not None:
        unit = Decimal(data.unit_amount)
    elif data.unit_amount_decimal is not None:
        unit = data.unit_amount_decimal
    else:
        raise InvalidInput("A line needs a price, unit_amount or unit_amount_decimal.",
                           param=f"{param}.unit_amount", code="parameter_missing")
    if unit < 0 and data.type not in NEGATIVE_LINE_TYPES:
        raise InvalidInput("Only discount, credit and proration lines may have a negative "
                           "unit amount.",
                           param=f"{param}.unit_amount")
    if data.product is not None:
        if product_ref is not None and product_ref != data.product:
            raise InvalidInput("The price belongs to another product.",
                               param=f"{param}.product")
        product = get_product(ctx, data.product, param=f"{param}.product")
        product_ref = product.public_id
        unit_code = unit_code or product.unit_code
        description = description or product.name
    return InvoiceLine(
        **ctx.owned(), position=position, type=data.type, description=description,
        product_ref=product_ref, price_ref=price_ref, quantity=data.quantity,
        unit_amount_decimal=unit, unit_code=unit_code,
        tax_rate_ids=check_tax_rates(ctx, data.tax_rates or [], f"{param}.tax_rates"),
        line_discounts=resolve_discounts(ctx, data.discounts, invoice.currency,
                                         f"{param}.discounts"),
        feature_name=data.feature_name, period_start=data.period_start,
        period_end=data.period_end, included_quantity=data.included_quantity,
        used_quantity=data.used_quantity, overage_quantity=data.overage_quantity,
        metadata_=data.metadata or {},
    )


def build_draft(ctx: Ctx, data: InvoiceCreate, *, customer: Customer | None = None
                ) -> Invoice:
    """An unsaved draft with its lines and totals: the shared path of create and preview.
    `customer`: the customer `data.customer` names, when the caller has it loaded."""
    if customer is None or customer.public_id != data.customer:
        customer = get_customer(ctx, data.customer, param="customer")
    currency = normalize_currency(data.currency or customer.currency
                                  or ctx.account.default_currency)
    invoice = Invoice(**ctx.owned(), status=InvoiceStatus.DRAFT.value, currency=currency,
                      collection_method=data.collection_method or "charge_automatically",
                      rounding_mode=data.rounding_mode or "half_up", metadata_={},
                      default_tax_rates=[], discounts=[], subtotal=0, discount_total=0,
                      tax_total=0, total=0, tax_breakdown=[], amount_paid=0,
                      as_payment_link=False, apply_credit_balance=False,
                      credit_applied=0, credit_granted=0,
                      amount_credited=0, post_payment_credited=0)
    invoice.customer = customer
    invoice.updated = invoice.created
    _apply_fields(ctx, invoice, data)
    invoice.lines = [_line_from_input(ctx, invoice, line, i, f"lines[{i}]")
                     for i, line in enumerate(data.lines)]
    apply_totals(ctx, invoice)
    return invoice


def create_invoice(ctx: Ctx, data: InvoiceCreate) -> Invoice:
    """A draft. Its total may be negative: finalizing it moves that amount to the
    customer's credit balance (see lifecycle)."""
    invoice = build_draft(ctx, data)
    ctx.session.add(invoice)
    ctx.session.flush()
    events.record(ctx, "invoice.created", invoice_view(invoice))
    return invoice


def preview_invoice(ctx: Ctx, data: InvoiceCreate) -> dict[str, Any]:
    """Computes an invoice exactly as create would, and writes nothing."""
    invoice = build_draft(ctx, data)
    view = invoice_view(invoice)
    view.update(id=None, uuid=None)
    for line in view["lines"]["data"]:
        line["id"] = None
    return view


def _changed(ctx: Ctx, invoice: Invoice) -> Invoice:
    apply_totals(ctx, invoice)
    invoice.updated = ctx.now()
    ctx.session.flush()
    events.record(ctx, "invoice.updated", invoice_view(invoice))
    return invoice


def update_invoice(ctx: Ctx, invoice_id: str, data: InvoiceUpdate) -> Invoice:
    invoice = get_draft(ctx, invoice_id)
    _apply_fields(ctx, invoice, data)
    return _changed(ctx, invoice)


def delete_draft(ctx: Ctx, invoice_id: str) -> dict[str, Any]:
    invoice = get_draft(ctx, invoice_id)
    view = invoice_view(invoice)
    ctx.session.delete(invoice)
    ctx.session.flush()
    events.record(ctx, "invoice.deleted", view)
    return {"id": view["id"], "object": "invoice", "deleted": True}


def add_lines(ctx: Ctx, invoice_id: str, lines: list[LineCreate]) -> Invoice:
    invoice = get_draft(ctx, invoice_id)
    if len(invoice.lines) + len(lines) > 1000:
        raise InvalidInput("An invoice holds at most 1000 lines.", param="lines")
    start = max((x.position for x in invoice.lines), default=-1) + 1
    for offset, data in enumerate(lines):
        invoice.lines.append(_line_from_input(ctx, invoice, data, start + offset,
                                              f"lines[{offset}]"))
    return _changed(ctx, invoice)


def _line_of(invoice: Invoice, line_id: str) -> InvoiceLine:
    for line in invoice.lines:
        if line.public_id == line_id:
            return line
    raise NotFound(f"No such line on invoice {invoice.public_id}: '{line_id}'.",
                   param="line")


def update_line(ctx: Ctx, invoice_id: str, line_id: str, data: LineUpdate) -> Invoice:
    invoice = get_draft(ctx, invoice_id)
    line = _line_of(invoice, line_id)
    changes = provided(data)
    if "unit_amount" in changes and "unit_amount_decimal" in changes:
        raise InvalidInput("Give unit_amount or unit_amount_decimal, not both.",
                           param="unit_amount")
    if changes.get("unit_amount") is not None:
        line.unit_amount_decimal = Decimal(changes["unit_amount"])
        line.price_ref = None
    if changes.get("unit_amount_decimal") is not None:
        line.unit_amount_decimal = changes["unit_amount_decimal"]
        line.price_ref = None
    if line.unit_amount_decimal < 0 and line.type not in NEGATIVE_LINE_TYPES:
        raise InvalidInput("Only discount, credit and proration lines may have a negative "
                           "unit amount.",
                           param="unit_amount")
    for name in ("description", "quantity", "unit_code"):
        if changes.get(name) is not None:
            setattr(line, name, changes[name])
    if "tax_rates" in changes:
        line.tax_rate_ids = check_tax_rates(ctx, data.tax_rates or [], "tax_rates")
    if "discounts" in changes:
        line.line_discounts = resolve_discounts(ctx, data.discounts or [], invoice.currency,
                                                "discounts")
    if "metadata" in changes:
        line.metadata_ = merge_metadata(line.metadata_, changes["metadata"])
    return _changed(ctx, invoice)


def remove_line(ctx: Ctx, invoice_id: str, line_id: str) -> Invoice:
    invoice = get_draft(ctx, invoice_id)
    invoice.lines.remove(_line_of(invoice, line_id))
    return _changed(ctx, invoice)


def list_invoices(ctx: Ctx, p: Page, *, status: str | None = None, customer: str | None = None,
                  created: dict[str, int] | None = None, subscription: str | None = None,
                  ) -> tuple[list[Invoice], bool]:
    stmt = created_filter(scoped(Invoice, ctx.scope), Invoice, created)
    if status:
        stmt = stmt.where(Invoice.status == status)
    if subscription:
        stmt = stmt.where(Invoice.subscription_ref == subscription)
    if customer:
        stmt = stmt.where(Invoice.customer_id == get_customer(ctx, customer, "customer").id)
    return page(ctx.session, stmt, Invoice, ctx.scope, p)


