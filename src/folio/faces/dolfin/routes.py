"""Dolfin's paths, each translated to one Folio use case (see docs/faces/dolfin.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Response
from sqlalchemy import ColumnElement

from folio.api.deps import Call
from folio.db.models import CreditNote, Customer, Invoice, Price, Product, TaxRate
from folio.db.repository import Page, page, scoped
from folio.domain.errors import InvalidInput, NotFound
from folio.faces.dolfin import mapping as m
from folio.faces.dolfin.auth import dolfin_call
from folio.faces.dolfin.schemas import (
    CreditNoteIn,
    CustomerIn,
    InvoiceIn,
    InvoicePatch,
    LineItemIn,
    PaymentIn,
    ProductIn,
    SendIn,
    TaxRateIn,
)
from folio.services import catalog, credit_notes, customers, invoices, lifecycle, payments
from folio.services.context import Ctx
from folio.services.inputs.catalog import PriceCreate, ProductCreate, TaxRateCreate
from folio.services.inputs.common import Address
from folio.services.inputs.customers import CustomerCreate
from folio.services.inputs.invoices import InvoiceCreate, InvoiceUpdate, LineCreate
from folio.services.inputs.payments import CreditNoteCreate, CreditNoteLineInput, PaymentCreate

router = APIRouter()
CallDep = Annotated[Call, Depends(dolfin_call)]
Cursor = Annotated[str | None, Query(alias="Cursor", max_length=40)]
Limit = Annotated[int, Query(alias="Limit", ge=1, le=100)]
DEFAULT_DAYS_UNTIL_DUE = 30  # a Dolfin invoice created without a dueDate


def _page(limit: int, cursor: str | None) -> Page:
    return Page(limit=limit, starting_after=cursor)


# customers

@router.post("/customers", status_code=201)
def create_customer(body: CustomerIn, call: CallDep) -> Response:
    if not body.name:
        raise InvalidInput("Customer name is required.", param="name",
                           code="Customer.MissingName")
    address = None
    if any((body.addressLine1, body.addressLine2, body.city, body.state, body.postalCode,
            body.country)):
        address = Address(line1=body.addressLine1, line2=body.addressLine2, city=body.city,
                          state=body.state, postal_code=body.postalCode, country=body.country)
    data = CustomerCreate(name=body.name, email=body.email, phone=body.phone,
                          tax_id=body.taxNumber, address=address)
    return call.write(lambda ctx: m.customer_out(ctx, customers.create_customer(ctx, data)),
                      body, status_code=201)


@router.get("/customers")
def list_customers(call: CallDep, cursor: Cursor = None, limit: Limit = 20) -> Response:
    return call.read(lambda ctx: m.listing(
        ctx, customers.list_customers(ctx, _page(limit, cursor)),
        lambda c: m.customer_out(ctx, c), cursor))


@router.get("/customers/{customer_id}")
def get_customer(customer_id: str, call: CallDep) -> Response:
    return call.read(lambda ctx: m.customer_out(
        ctx, m.by_uuid(ctx, Customer, customer_id, "Customer")))


# products

@router.post("/products", status_code=201)
def create_product(body: ProductIn, call: CallDep) -> Response:
    if not body.name:
        raise InvalidInput("Product name is required.", param="name",
                           code="Product.MissingName")
    if not body.currency:
        raise InvalidInput("Product currency is required.", param="currency",
                           code="Product.MissingCurrency")
    name, currency = body.name, body.currency

    def run(ctx: Ctx) -> dict[str, Any]:
        product = catalog.create_product(ctx, ProductCreate(
            name=name, description=body.description,
            product_type=body.type.lower() if body.type else None))
        price = None
        if body.unitPrice is not None:
            price = catalog.create_price(ctx, PriceCreate(
                product=product.public_id, currency=currency, type="one_time",
                unit_amount_decimal=m.unit_minor(body.unitPrice, currency)))
        return m.product_out(ctx, product, price)

    return call.write(run, body, status_code=201)


@router.get("/products")
def list_products(call: CallDep, cursor: Cursor = None, limit: Limit = 20) -> Response:
    def run(ctx: Ctx) -> dict[str, Any]:
        rows, more = catalog.list_products(ctx, _page(limit, cursor))
        prices = m.product_prices(ctx, rows)
        return m.listing(ctx, (rows, more), lambda p: m.product_out(ctx, p, prices.get(p.id)),
                         cursor)
    return call.read(run)


# tax rates

@router.post("/tax-rates", status_code=201)
def create_tax_rate(body: TaxRateIn, call: CallDep) -> Response:
    if not body.code:
        raise InvalidInput("Tax rate code is required.", param="code",
                           code="TaxRate.MissingCode")
    if not body.name:
        raise InvalidInput("Tax rate name is required.", param="name",
                           code="TaxRate.MissingName")
    if body.rate is None:
        raise InvalidInput("Tax rate rate is required.", param="rate",
                           code="TaxRate.MissingRate")
    data = TaxRateCreate(display_name=body.name, percentage=body.rate,
                         inclusive=body.inclusive, description=body.description,
                         country=body.country, code=body.code)
    return call.write(lambda ctx: m.tax_rate_out(ctx, catalog.create_tax_rate(ctx, data)),
                      body, status_code=201)


@router.get("/tax-rates")
def list_tax_rates(call: CallDep, cursor: Cursor = None, limit: Limit = 20,
                   code: Annotated[str | None, Query(alias="Code", max_length=40)] = None,
                   ) -> Response:
    return call.read(lambda ctx: m.listing(
        ctx, catalog.list_tax_rates(ctx, _page(limit, cursor), code=code),
        lambda t: m.tax_rate_out(ctx, t), cursor))


# invoices

def _line(ctx: Ctx, item: LineItemIn, currency: str, where: str) -> LineCreate:
    product = m.by_uuid(ctx, Product, item.productId, "Product")
    rates = [m.by_uuid(ctx, TaxRate, item.taxRateId, "TaxRate").public_id] \
        if item.taxRateId else None
    if item.unitPrice is not None:
        return LineCreate(product=product.public_id, quantity=item.quantity,
                          description=item.description, tax_rates=rates,
                          unit_amount_decimal=m.unit_minor(item.unitPrice, currency))
    price = ctx.session.scalars(scoped(Price, ctx.scope).where(
        Price.product_id == product.id, Price.active.is_(True), Price.type == "one_time",
        Price.currency == currency.lower()).order_by(Price.id)).first()
    if price is None:
        raise InvalidInput(f"{where}: the product has no unit price in {currency.upper()}; "
                           "give unitPrice.", param=f"{where}.unitPrice",
                           code="Product.MissingUnitPrice")
    return LineCreate(price=price.public_id, quantity=item.quantity,
                      description=item.description, tax_rates=rates)


@router.post("/invoices")
def create_invoice(body: InvoiceIn, call: CallDep) -> Response:
    def run(ctx: Ctx) -> dict[str, Any]:
        customer = m.by_uuid(ctx, Customer, body.customerId, "Customer")
        currency = body.currency or customer.currency or ctx.account.default_currency
        lines = [_line(ctx, x, currency, f"lineItems[{i}]")
                 for i, x in enumerate(body.lineItems)]
        due = m.timestamp(body.dueDate) if body.dueDate else None
        data = InvoiceCreate(
            customer=customer.public_id, currency=currency, lines=lines,
            collection_method="send_invoice", due_date=due,
            days_until_due=None if due is not None else DEFAULT_DAYS_UNTIL_DUE,
            memo=body.memo)
        return m.invoice_out(ctx, invoices.create_invoice(ctx, data))
    return call.write(run, body)


@router.get("/invoices")
def list_invoices(
    call: CallDep, cursor: Cursor = None, limit: Limit = 20,
    status: Annotated[str | None, Query(alias="Status", max_length=20)] = None,
    customer_id: Annotated[str | None, Query(alias="CustomerId", max_length=64)] = None,
    issued_from: Annotated[datetime | None, Query(alias="IssueDateFrom")] = None,
    issued_to: Annotated[datetime | None, Query(alias="IssueDateTo")] = None,
) -> Response:
    if status is not None and status not in m.DOLFIN_STATUSES:
        raise InvalidInput(f"Status must be one of {', '.join(m.DOLFIN_STATUSES)}.",
                           param="Status")

    def run(ctx: Ctx) -> dict[str, Any]:
        stmt = scoped(Invoice, ctx.scope)
        conditions: list[ColumnElement[bool]] = []
        if status:
            conditions.append(m.status_filter(status))
        if customer_id:
            conditions.append(Invoice.customer_id == m.by_uuid(
                ctx, Customer, customer_id, "Customer").id)
        if issued_from:
            conditions.append(m.issue_ts_column() >= m.timestamp(issued_from))
        if issued_to:
            conditions.append(m.issue_ts_column() <= m.timestamp(issued_to))
        if conditions:
            stmt = stmt.where(*conditions)
        result = page(ctx.session, stmt, Invoice, ctx.scope, _page(limit, cursor))
        return m.listing(ctx, result, lambda inv: m.invoice_out(ctx, inv), cursor)
    return call.read(run)


def _invoice(ctx: Ctx, invoice_id: str) -> Invoice:
    return m.by_uuid(ctx, Invoice, invoice_id, "Invoice")


@router.get("/invoices/{invoice_id}")
def get_invoice(invoice_id: str, call: CallDep) -> Response:
    return call.read(lambda ctx: m.invoice_out(ctx, _invoice(ctx, invoice_id)))


@router.patch("/invoices/{invoice_id}")
def patch_invoice(invoice_id: str, body: InvoicePatch, call: CallDep) -> Response:
    sent = body.model_fields_set

    def run(ctx: Ctx) -> dict[str, Any]:
        inv = _invoice(ctx, invoice_id)
        pid = inv.public_id
        if "customerId" in sent and m.parse_uuid(body.customerId) != inv.customer.uuid:
            m.by_uuid(ctx, Customer, body.customerId, "Customer")
            raise InvalidInput("Changing an invoice's customer is not supported; create a "
                               "new invoice.", param="customerId",
                               code="Invoice.CustomerImmutable")
        if "currency" in sent and (body.currency or "").lower() != inv.currency:
            raise InvalidInput("Changing an invoice's currency is not supported; create a "
                               "new invoice.", param="currency",
                               code="Invoice.CurrencyImmutable")
        changes: dict[str, Any] = {}
        if "memo" in sent:
            changes["memo"] = body.memo
        if "dueDate" in sent:
            due = m.timestamp(body.dueDate) if body.dueDate else None
            changes.update(due_date=due,
                           days_until_due=None if due is not None else DEFAULT_DAYS_UNTIL_DUE)
        inv = invoices.update_invoice(ctx, pid, InvoiceUpdate(**changes))
        if body.lineItems is not None:
            old = [x.public_id for x in inv.lines]
            new = [_line(ctx, x, inv.currency, f"lineItems[{i}]")
                   for i, x in enumerate(body.lineItems)]
            inv = invoices.add_lines(ctx, pid, new)
            for line_id in old:
                inv = invoices.remove_line(ctx, pid, line_id)
        return m.invoice_out(ctx, inv)
    return call.write(run, body)


@router.delete("/invoices/{invoice_id}", status_code=204)
def void_invoice(invoice_id: str, call: CallDep) -> Response:
    def run(ctx: Ctx) -> None:
        lifecycle.void_invoice(ctx, _invoice(ctx, invoice_id).public_id, allow_draft=True)
    return call.write(run, status_code=204)


@router.post("/invoices/{invoice_id}/send")
def send_invoice(invoice_id: str, call: CallDep,
                 body: Annotated[SendIn | None, Body()] = None) -> Response:
    return call.write(lambda ctx: m.invoice_out(ctx, lifecycle.send_invoice(
        ctx, _invoice(ctx, invoice_id).public_id)), body)


# payments

@router.get("/invoices/{invoice_id}/payments")
def list_invoice_payments(invoice_id: str, call: CallDep) -> Response:
    def run(ctx: Ctx) -> list[dict[str, Any]]:
        pid = _invoice(ctx, invoice_id).public_id
        rows = m.every(lambda p: payments.list_payments(ctx, p, invoice=pid))
        return [m.payment_out(ctx, x) for x in rows]
    return call.read(run)


@router.post("/invoices/{invoice_id}/payments", status_code=201)
def create_payment(invoice_id: str, body: PaymentIn, call: CallDep) -> Response:
    def run(ctx: Ctx) -> dict[str, Any]:
        inv = _invoice(ctx, invoice_id)
        data = PaymentCreate(invoice=inv.public_id, amount=m.to_minor(body.amount, inv.currency),
                             method="manual",
                             paid_at=m.timestamp(body.paidAt) if body.paidAt else None,
                             metadata={"notes": body.notes} if body.notes else None)
        return m.payment_out(ctx, payments.create_payment(ctx, data))
    return call.write(run, body, status_code=201)


# credit notes

def _credit_note(ctx: Ctx, inv: Invoice, note_id: str) -> CreditNote:
    note = m.by_uuid(ctx, CreditNote, note_id, "CreditNote")
    if note.invoice_id != inv.id:
        raise NotFound(f"CreditNote.NotFound — no credit note with id '{note_id}' on this "
                       "invoice.", code="CreditNote.NotFound")
    return note


@router.post("/invoices/{invoice_id}/credit-notes")
def create_credit_note(invoice_id: str, body: CreditNoteIn, call: CallDep) -> Response:
    def run(ctx: Ctx) -> dict[str, Any]:
        inv = _invoice(ctx, invoice_id)
        amount = m.to_minor(body.amount, inv.currency)
        line = None
        if body.invoiceLineItemId:
            key = m.parse_uuid(body.invoiceLineItemId)
            line = next((x for x in inv.lines if x.uuid == key), None)
            if line is None:
                raise NotFound(f"InvoiceLineItem.NotFound — no line item with id "
                               f"'{body.invoiceLineItemId}' on this invoice.",
                               code="InvoiceLineItem.NotFound")
        rate = m.by_uuid(ctx, TaxRate, body.taxRateId, "TaxRate") if body.taxRateId else None
        if line is not None:
            data = CreditNoteCreate(invoice=inv.public_id, memo=body.reason, lines=[
                CreditNoteLineInput(invoice_line=line.public_id, amount=amount)])
        else:
            data = CreditNoteCreate(invoice=inv.public_id, memo=body.reason, amount=amount)
        note = credit_notes.create_credit_note(
            ctx, data, draft=True, tax_rate=rate.public_id if rate else None,
            zero_rated=rate is None and line is None)
        return m.credit_note_out(ctx, note)
    return call.write(run, body)


@router.post("/invoices/{invoice_id}/credit-notes/{note_id}/issue")
def issue_credit_note(invoice_id: str, note_id: str, call: CallDep) -> Response:
    def run(ctx: Ctx) -> dict[str, Any]:
        note = _credit_note(ctx, _invoice(ctx, invoice_id), note_id)
        return m.credit_note_out(ctx, credit_notes.issue_credit_note(ctx, note.public_id))
    return call.write(run)


@router.get("/invoices/{invoice_id}/credit-notes")
def list_invoice_credit_notes(invoice_id: str, call: CallDep) -> Response:
    def run(ctx: Ctx) -> list[dict[str, Any]]:
        pid = _invoice(ctx, invoice_id).public_id
        rows = m.every(lambda p: credit_notes.list_credit_notes(ctx, p, invoice=pid))
        return [m.credit_note_out(ctx, x) for x in rows]
    return call.read(run)


@router.get("/credit-notes")
def list_credit_notes(
    call: CallDep, cursor: Cursor = None, limit: Limit = 20,
    invoice_id: Annotated[str | None, Query(alias="InvoiceId", max_length=64)] = None,
    customer_id: Annotated[str | None, Query(alias="CustomerId", max_length=64)] = None,
) -> Response:
    def run(ctx: Ctx) -> dict[str, Any]:
        inv = _invoice(ctx, invoice_id).public_id if invoice_id else None
        cus = m.by_uuid(ctx, Customer, customer_id, "Customer").public_id \
            if customer_id else None
        result = credit_notes.list_credit_notes(ctx, _page(limit, cursor), invoice=inv,
                                                customer=cus)
        return m.listing(ctx, result, lambda x: m.credit_note_out(ctx, x), cursor)
    return call.read(run)
