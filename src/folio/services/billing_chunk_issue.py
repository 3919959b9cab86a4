"""The set-based billing run's issue and write steps (ADR 15, "Pipelined run"): what
finalization, settlement and the move to the next period do to a chunk's drafts, and
the bulk writes.

The work is split around the invoice numbers. Taking a block of numbers locks the
series row until the chunk commits, so everything that does not depend on the numbers
is done before (`stage`): the views and events, the finalized invoice's fields, the
subscriptions' moves, and on PostgreSQL the rows themselves (the invoices' ids are
drawn from their sequence first, so the lines and claims can name them). After the
numbers (`write`) only the number is put in (the invoice row and the finalized and paid
views), and the rows go out. Two chunk workers thus overlap: one drafts and stages while
the other holds the series for its writes; the blocks stay gapless and in commit order.
Nothing here commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.orm.attributes import set_committed_value

from folio.db.bulk import (
    allocate_ids,
    insert_returning,
    prefer_lz4,
    update_rows,
    write_rows,
)
from folio.db.models import BillingPeriod, Event, Invoice, InvoiceLine, Subscription
from folio.domain.states import InvoiceAction, InvoiceStatus, next_invoice_status
from folio.services import lifecycle
from folio.services.billing_chunk_draft import (
    InvoiceRecord,
    View,
    draft_view,
    event_row,
    finalized_view,
    paid_view,
    stored_row,
)
from folio.services.context import Ctx
from folio.services.subscription_time import cycle_of
from folio.services.subscription_views import subscription_view

INVOICES = cast(Table, Invoice.__table__)
LINES = cast(Table, InvoiceLine.__table__)
CLAIMS = cast(Table, BillingPeriod.__table__)
EVENTS = cast(Table, Event.__table__)
SUBSCRIPTIONS = cast(Table, Subscription.__table__)

@dataclass
class Draft:
    """One subscription's fast-lane invoice, and what issuing it writes."""

    sub: Subscription
    invoice: InvoiceRecord
    boundary: int
    events: list[dict[str, Any]] = field(default_factory=list)  # in the path's order
    finalized: View | None = None  # the views that show the number
    paid: View | None = None
    advance: dict[str, Any] = field(default_factory=dict)  # the subscription's move
    row: dict[str, Any] = field(default_factory=dict)  # the invoice's stored row


@dataclass
class Staged:
    drafts: list[Draft]
    lines: list[dict[str, Any]] | None  # None: built once the invoices' ids come back
    claims: list[dict[str, Any]] | None


def _finalize(ctx: Ctx, d: Draft, seller: dict[str, Any]) -> None:
    """What `_claim` + `_issue` + finalize + `settle_if_due` do to the new invoice, in
    the same order and with the same events, but the number (see `number`)."""
    invoice, now = d.invoice, ctx.now()
    v = invoice.__dict__
    created = draft_view(invoice)
    d.events.append(event_row(ctx, "invoice.created", created, encode=True))
    v["status"] = next_invoice_status(InvoiceStatus.DRAFT, InvoiceAction.FINALIZE).value
    v["updated"] = now
    v["finalized_at"] = now
    v["hosted_token"] = lifecycle.new_hosted_token()
    v["customer_snapshot"] = created["customer_details"]
    v["seller_snapshot"] = seller
    d.finalized = finalized_view(created, invoice)
    d.events.append(event_row(ctx, "invoice.finalized", d.finalized))
    if invoice.amount_due == 0 and v["status"] == InvoiceStatus.OPEN.value:
        v["status"] = next_invoice_status(InvoiceStatus.OPEN, InvoiceAction.PAY).value
        v["paid_at"] = now
        d.paid = paid_view(d.finalized, invoice)
        d.events.append(event_row(ctx, "invoice.paid", d.paid))
    # collection: charge_automatically without a default payment method is skipped by
    # collect_invoice ("no_payment_method"); nothing to write


def _advance(ctx: Ctx, d: Draft) -> None:
    """`bill_boundary`'s move to the next period (not final). The new values are set on
    the loaded object as its stored state (no flush) and written for the whole chunk in
    `write`."""
    sub, k = d.sub, d.boundary
    cycle = cycle_of(sub)
    values: dict[str, Any] = {
        "pending_prorations": [], "next_boundary": k + 1,
        "current_period_start": cycle.boundary(k),
        "current_period_end": cycle.boundary(k + 1),
        "next_billing_at": cycle.boundary(k + 1)}
    for name, value in values.items():
        set_committed_value(sub, name, value)
    d.events.append(event_row(ctx, "customer.subscription.updated", subscription_view(sub),
                              encode=True))
    values["updated"] = ctx.now()
    set_committed_value(sub, "updated", values["updated"])
    d.advance = {"id": sub.id, **values}


def _lines_and_claims(ctx: Ctx, drafts: list[Draft], dialect: Any
                      ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The rows of the invoices' lines and of the boundaries' claims (the invoices' ids
    known)."""
    lines = []
    for d in drafts:
        invoice_id = d.invoice.get("id")
        for line in d.invoice.get("lines"):
            line.__dict__["invoice_id"] = invoice_id
            lines.append(stored_row(line, LINES, dialect))
    claims = [{"subscription_id": d.sub.id, "boundary": d.boundary, "billed_at": ctx.now(),
               "invoice_id": d.invoice.get("id")} for d in drafts]
    return lines, claims


def stage(ctx: Ctx, drafts: list[Draft], seller: dict[str, Any]) -> Staged:
    """Everything the chunk writes but the invoice numbers."""
    conn = ctx.session.connection()
    dialect = conn.dialect
    ids = allocate_ids(conn, INVOICES, len(drafts))
    prefer_lz4(conn)  # the events' payloads
    for i, d in enumerate(drafts):
        _finalize(ctx, d, seller)
        _advance(ctx, d)
        if ids is not None:
            d.invoice.__dict__["id"] = ids[i]
        d.row = stored_row(d.invoice, INVOICES, dialect)
        if ids is not None:
            d.row = {"id": ids[i], **d.row}
    if ids is None:
        return Staged(drafts, None, None)
    lines, claims = _lines_and_claims(ctx, drafts, dialect)
    return Staged(drafts, lines, claims)


def write(ctx: Ctx, staged: Staged, numbers: list[str]) -> None:
    """Puts the numbers in and writes the chunk: invoices, lines, claims and events with
    `write_rows` (COPY on PostgreSQL; on SQLite the invoices with one statement per page,
    their ids coming back), the subscriptions' moves with `update_rows`. A
    claim that exists already (a writer that bypassed the lock) raises and rolls the
    chunk back."""
    conn = ctx.session.connection()
    drafts = staged.drafts
    for d, number in zip(drafts, numbers, strict=True):
        d.invoice.__dict__["number"] = d.row["number"] = number
        for view in (d.finalized, d.paid):
            if view is not None:
                view["number"] = number
    lines, claims = staged.lines, staged.claims
    if lines is None or claims is None:
        written = insert_returning(conn, INVOICES, [d.row for d in drafts])
        ids = {public_id: invoice_id for invoice_id, public_id in written}
        for d in drafts:
            d.invoice.__dict__["id"] = ids[d.invoice.get("public_id")]
        lines, claims = _lines_and_claims(ctx, drafts, conn.dialect)
    else:
        write_rows(conn, INVOICES, [d.row for d in drafts])
    write_rows(conn, LINES, lines)
    write_rows(conn, CLAIMS, claims)
    write_rows(conn, EVENTS, [e for d in drafts for e in d.events])
    moved = update_rows(conn, SUBSCRIPTIONS, [d.advance for d in drafts])
    assert moved == len(drafts), moved
