"""What the hot write lane runs (services/invoice_fast_writes.py,
invoice_fast_finalize.py), compiled once per engine: the joined SELECTs of a customer or
an invoice with their account, the lines, the tax rates, and the writes. New invoices
and lines go to PostgreSQL as JSON rows (`db.prepared_write.JsonRowsInsert`), to SQLite
as plain INSERTs (ADR 7, "Sixth pass")."""

from __future__ import annotations

from functools import lru_cache
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import Engine, Table, bindparam, insert, select, update

from folio.db.models import Account, Customer, Event, Invoice, InvoiceLine, TaxRate
from folio.db.prepared import PreparedSelect
from folio.db.prepared_write import (
    JsonRowsInsert,
    ManyRowsInsert,
    PreparedWrite,
    RowsInsert,
    table_columns,
)
from folio.services.numbering import INCREMENT_ONE

_INVOICES = cast(Table, Invoice.__table__)
_LINES = cast(Table, InvoiceLine.__table__)
_CUSTOMERS = cast(Table, Customer.__table__)
_ACCOUNTS = cast(Table, Account.__table__)
_RATES = cast(Table, TaxRate.__table__)
_EVENTS = cast(Table, Event.__table__)
INVOICE_COLUMNS = table_columns(Invoice)
LINE_COLUMNS = table_columns(InvoiceLine)
EVENT_COLUMNS = tuple(c.name for c in table_columns(Event))
NEW_LINE_COLUMNS = tuple(c for c in LINE_COLUMNS if c.name != "invoice_id")

_CUSTOMER_FIELDS = ("id", "public_id", "name", "email", "phone", "address", "tax_id",
                    "tax_exempt", "einvoice_address", "currency", "invoice_prefix",
                    "default_payment_method")
_SELLER_FIELDS = ("name", "legal_name", "address", "country", "email", "vat_id",
                  "tax_registration_id", "legal_registration_id", "einvoice_address",
                  "iban", "bic", "payment_terms")
_ACCOUNT_FIELDS = (*_SELLER_FIELDS, "default_currency", "numbering_scope",
                   "invoice_number_pattern", "einvoice_required")
_RATE_FIELDS = ("public_id", "percentage", "inclusive", "display_name", "category",
                "country", "exemption_reason", "exemption_reason_code", "active")
_TENANT = (("account_id", "account_id"), ("livemode", "livemode"))


def _scoped(table: Table) -> Any:
    return [table.c[column] == bindparam(name) for column, name in _TENANT]


def _customer_query() -> Any:
    """The customer by public id, with the account's columns the lane reads."""
    return (select(*(_CUSTOMERS.c[f].label(f"customer__{f}") for f in _CUSTOMER_FIELDS),
                   *(_ACCOUNTS.c[f].label(f"account__{f}") for f in _ACCOUNT_FIELDS))
            .join(_ACCOUNTS, _ACCOUNTS.c.id == _CUSTOMERS.c.account_id)
            .where(_CUSTOMERS.c.public_id == bindparam("public_id"), *_scoped(_CUSTOMERS)))


def _invoice_query() -> Any:
    """The invoice locked as `get_invoice(for_update=True)` locks it, with its customer's
    and account's columns."""
    return (select(_INVOICES,
                   *(_CUSTOMERS.c[f].label(f"customer__{f}") for f in _CUSTOMER_FIELDS),
                   *(_ACCOUNTS.c[f].label(f"account__{f}") for f in _ACCOUNT_FIELDS))
            .join(_CUSTOMERS, _CUSTOMERS.c.id == _INVOICES.c.customer_id)
            .join(_ACCOUNTS, _ACCOUNTS.c.id == _INVOICES.c.account_id)
            .where(_INVOICES.c.public_id == bindparam("public_id"), *_scoped(_INVOICES))
            .with_for_update(of=_INVOICES))


def _lines_query() -> Any:
    """An invoice's lines by the invoice's public id (so that they can be asked for in
    the same batch as the invoice itself)."""
    return (select(_LINES).join(_INVOICES, _INVOICES.c.id == _LINES.c.invoice_id)
            .where(_INVOICES.c.public_id == bindparam("public_id"), *_scoped(_INVOICES))
            .order_by(_LINES.c.position))


def _invoice_id_by_public_id() -> Any:
    """A new line's invoice key, found by the invoice's public id: the lines go out in
    the invoice's batch, without waiting for the key its INSERT makes."""
    return (select(_INVOICES.c.id)
            .where(_INVOICES.c.public_id == bindparam("invoice_public_id"))
            .scalar_subquery())


def _rows_inserts(engine: Engine) -> tuple[RowsInsert, RowsInsert]:
    """The INSERTs of a new invoice and of its lines: on PostgreSQL as JSON rows (see
    `JsonRowsInsert`), on SQLite as plain statements."""
    if engine.dialect.name == "postgresql":
        invoice_key = ('(SELECT "id" FROM "invoices" '
                       'WHERE "public_id" = %(invoice_public_id)s)')
        return (JsonRowsInsert.build(_INVOICES, INVOICE_COLUMNS),
                JsonRowsInsert.build(_LINES, NEW_LINE_COLUMNS, {"invoice_id": invoice_key}))
    return (ManyRowsInsert(PreparedWrite.build(insert(_INVOICES), engine,
                                               [c.name for c in INVOICE_COLUMNS])),
            ManyRowsInsert(PreparedWrite.build(
                insert(_LINES).values(invoice_id=_invoice_id_by_public_id()), engine,
                [c.name for c in NEW_LINE_COLUMNS])))


class Statements:
    """Everything the lane runs, compiled once per engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.customer = PreparedSelect.build(_customer_query(), engine)
        self.invoice = PreparedSelect.build(_invoice_query(), engine)
        self.lines = PreparedSelect.build(_lines_query(), engine)
        self.insert_invoice, self.insert_lines = _rows_inserts(engine)
        self.insert_event = PreparedWrite.build(insert(_EVENTS), engine, EVENT_COLUMNS)
        self.number = PreparedWrite.build(INCREMENT_ONE, engine)
        self.finalize = PreparedWrite.build(
            update(_INVOICES).where(_INVOICES.c.id == bindparam("b_id")), engine,
            ["status", "updated", "number", "finalized_at", "hosted_token",
             "customer_snapshot", "seller_snapshot"])
        self._rates: dict[int, PreparedSelect] = {}

    def rates(self, count: int) -> PreparedSelect:
        prepared = self._rates.get(count)
        if prepared is None:
            prepared = self._rates.setdefault(count, PreparedSelect.build(
                select(*(_RATES.c[f] for f in _RATE_FIELDS)).where(
                    _RATES.c.public_id.in_([bindparam(f"r{i}") for i in range(count)]),
                    *_scoped(_RATES)), self.engine))
        return prepared


_STATEMENTS: dict[int, Statements] = {}


def statements(engine: Engine) -> Statements:
    found = _STATEMENTS.get(id(engine))
    if found is None or found.engine is not engine:
        found = _STATEMENTS[id(engine)] = Statements(engine)
    return found


def split_row(row: dict[str, Any]) -> tuple[dict[str, Any], SimpleNamespace, SimpleNamespace]:
    """A joined row's own columns, its customer and its account."""
    own, customer, account = _split_keys(tuple(row))
    return ({key: row[key] for key in own},
            SimpleNamespace(**{name: row[key] for key, name in customer}),
            SimpleNamespace(**{name: row[key] for key, name in account}))


@lru_cache(maxsize=16)
def _split_keys(keys: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...],
                                                tuple[tuple[str, str], ...]]:
    """A joined row's keys: its own, and (key, name) of its customer's and account's."""
    return (tuple(k for k in keys if not k.startswith(("customer__", "account__"))),
            tuple((k, k[10:]) for k in keys if k.startswith("customer__")),
            tuple((k, k[9:]) for k in keys if k.startswith("account__")))
