"""The hot read path: one invoice rendered from two Core queries, without building ORM
objects (about three times cheaper than loading the mapped graph). It feeds the same
`invoice_view` as every other path, through plain records with the mapped attribute names,
and a test holds both paths equal."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import Table, bindparam, select

from folio.db.models import Customer, Invoice, InvoiceLine
from folio.domain.errors import NotFound
from folio.services.context import Ctx
from folio.services.views import View, invoice_view

_INVOICES = cast(Table, Invoice.__table__)
_CUSTOMERS = cast(Table, Customer.__table__)
_LINES = cast(Table, InvoiceLine.__table__)
_CUSTOMER_FIELDS = ("public_id", "name", "email", "phone", "address", "tax_id", "tax_exempt",
                    "einvoice_address")

# built once, with bind parameters: no statement construction per request
_INVOICE_QUERY = (
    select(_INVOICES, *(_CUSTOMERS.c[f].label(f"customer__{f}") for f in _CUSTOMER_FIELDS))
    .join(_CUSTOMERS, _CUSTOMERS.c.id == _INVOICES.c.customer_id)
    .where(_INVOICES.c.public_id == bindparam("public_id"),
           _INVOICES.c.account_id == bindparam("account_id"),
           _INVOICES.c.livemode == bindparam("livemode"))
)
_LINES_QUERY = (select(_LINES).where(_LINES.c.invoice_id == bindparam("invoice_id"))
                .order_by(_LINES.c.position))


def _record(mapping: Any) -> SimpleNamespace:
    values = {("metadata_" if k == "metadata" else k): v for k, v in mapping.items()
              if not k.startswith("customer__")}
    return SimpleNamespace(**values)


def invoice_view_by_public_id(ctx: Ctx, public_id: str) -> View:
    connection = ctx.session.connection()
    row = connection.execute(_INVOICE_QUERY, {
        "public_id": public_id, "account_id": ctx.account_id, "livemode": ctx.livemode,
    }).mappings().first()
    if row is None:
        raise NotFound(f"No such invoice: '{public_id}'.", param="id")
    invoice = _record(row)
    invoice.customer = SimpleNamespace(**{f: row[f"customer__{f}"] for f in _CUSTOMER_FIELDS})
    invoice.amount_due = invoice.total - invoice.amount_paid - invoice.amount_credited
    invoice.lines = [_record(line) for line in connection.execute(
        _LINES_QUERY, {"invoice_id": invoice.id}).mappings()]
    return invoice_view(cast(Invoice, invoice))
