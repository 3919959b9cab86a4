"""The set-based billing run: one chunk of due subscriptions of one account in one
transaction (ADR 15, "Set-based billing run" and "Plain rows").

The chunk's subscriptions are locked with one statement (PostgreSQL `FOR UPDATE SKIP
LOCKED`; SQLite's write transaction holds the database), their usage is read with one
statement per meter and window (`billing_chunk_usage`), each one's boundary is billed by
the same `boundary_lines` as the per-subscription path and its invoice computed by the
same pure `calculate` as a plain record (`billing_chunk_draft`), the invoice numbers
come as one block (`take_numbers`), and the invoices, lines, claims, events and the
subscriptions' moves are written with a few bulk statements. Nothing here commits.

Only the plain case takes this fast lane; everything else is returned to the caller for
the per-subscription path (`services/billing_run.py`), see `fast_lane_reason`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from folio.db.bulk import insert_returning, write_rows
from folio.db.models import (
    BillingPeriod,
    CreditGrant,
    Event,
    Invoice,
    InvoiceLine,
    Subscription,
    TaxRate,
)
from folio.db.repository import scoped
from folio.domain.errors import DomainError
from folio.domain.numbering import PER_CUSTOMER_PATTERN
from folio.domain.states import InvoiceAction, InvoiceStatus, next_invoice_status
from folio.domain.subscriptions import SubscriptionStatus
from folio.services import lifecycle
from folio.services.billing_chunk_draft import (
    InvoiceRecord,
    draft_view,
    event_row,
    finalized_view,
    paid_view,
    plain_draft,
    stored_row,
)
from folio.services.billing_chunk_usage import chunk_usage
from folio.services.billing_run import Billed
from folio.services.context import Ctx
from folio.services.documents import seller_snapshot
from folio.services.numbering import take_numbers
from folio.services.subscription_billing import boundary_lines
from folio.services.subscription_time import cycle_of
from folio.services.subscription_views import subscription_view


@dataclass
class ChunkResult:
    billed: list[Billed] = field(default_factory=list)
    # subscription ids the fast lane left to the per-subscription path
    slow: list[int] = field(default_factory=list)


def lock_chunk(ctx: Ctx, ids: list[int], at: int) -> list[Subscription]:
    """The chunk's subscriptions still due at `at`, locked and freshly read; one that
    another transaction holds is skipped (PostgreSQL), the caller bills it on the
    per-subscription path, which waits for the lock."""
    stmt = (select(Subscription)
            .where(Subscription.id.in_(ids), Subscription.account_id == ctx.account_id,
                   Subscription.livemode == ctx.livemode,
                   Subscription.next_billing_at <= at)
            .order_by(Subscription.id)
            .with_for_update(of=Subscription, skip_locked=True)
            .options(selectinload(Subscription.plan), selectinload(Subscription.customer))
            .execution_options(populate_existing=True))
    return list(ctx.session.scalars(stmt))


def fast_lane_reason(sub: Subscription, at: int) -> str | None:
    """Why `sub` takes the per-subscription path (None: the fast lane bills it). The fast
    lane bills one boundary of an active, charge_automatically subscription without a
    default payment method (its collection is a no-op), pending prorations, discounts,
    cancellation at period end, or a trial; the customer's credit grants are checked by
    `customers_with_credit`."""
    if sub.status != SubscriptionStatus.ACTIVE.value:
        return "status"
    if sub.collection_method != "charge_automatically":
        return "send_invoice"
    if sub.customer.default_payment_method:
        return "payment_method"
    if sub.pending_prorations or sub.discounts or sub.cancel_at_period_end:
        return "prorations_discounts_or_cancel"
    if sub.test_clock_id is not None:
        return "test_clock"
    if sub.next_boundary < 0:
        return "stub"
    if cycle_of(sub).boundary(sub.next_boundary + 1) <= at:
        return "several_boundaries"
    return None


def customers_with_credit(ctx: Ctx, customer_ids: set[int]) -> set[int]:
    """Customers with any unrevoked grant that still has credit (their invoices draw on
    it at finalization, on the per-subscription path)."""
    if not customer_ids:
        return set()
    return set(ctx.session.scalars(select(CreditGrant.customer_id).where(
        CreditGrant.account_id == ctx.account_id, CreditGrant.livemode == ctx.livemode,
        CreditGrant.customer_id.in_(sorted(customer_ids)),
        CreditGrant.revoked_at.is_(None), CreditGrant.remaining > 0)).all())


@dataclass
class _Draft:
    sub: Subscription
    invoice: InvoiceRecord
    boundary: int


@dataclass
class _Rows:
    """What the chunk writes, in the order the per-subscription path would."""

    invoices: list[InvoiceRecord] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    advances: list[dict[str, Any]] = field(default_factory=list)  # subscriptions' moves


def chunk_tax_rates(ctx: Ctx, subs: list[Subscription]) -> dict[str, TaxRate]:
    """The tax rates the chunk's subscriptions name (missing ones are not found here;
    `plain_draft` leaves their subscriptions to the per-subscription path)."""
    ids = sorted({i for s in subs for i in s.default_tax_rates or []})
    if not ids:
        return {}
    return {r.public_id: r for r in ctx.session.scalars(
        scoped(TaxRate, ctx.scope).where(TaxRate.public_id.in_(ids)))}


def _draft(ctx: Ctx, sub: Subscription, usage: dict[str, Decimal],
           rates: dict[str, TaxRate]) -> _Draft | None:
    """The finalizable draft of the subscription's next boundary, or None when the
    per-subscription path must bill it (no lines, a negative total, inputs it checks)."""
    k = sub.next_boundary
    lines, shown = boundary_lines(ctx, sub, k, known_usage=usage)
    if not lines:
        return None
    # finalization's credit step draws nothing: the chunk's customers have no usable grant
    invoice = plain_draft(ctx, sub, lines, shown, rates)
    if invoice is None or invoice.get("total") < 0:
        return None
    return _Draft(sub, invoice, k)


def _issue(ctx: Ctx, d: _Draft, number: str, seller: dict[str, Any], out: _Rows) -> None:
    """What `_claim` + `_issue` + finalize + `settle_if_due` do to the new invoice, in the
    same order and with the same events, without a flush."""
    invoice, now = d.invoice, ctx.now()
    v = invoice.__dict__
    created = draft_view(invoice)
    out.events.append(event_row(ctx, "invoice.created", created))
    v["status"] = next_invoice_status(InvoiceStatus.DRAFT, InvoiceAction.FINALIZE).value
    v["updated"] = now
    v["number"] = number
    v["finalized_at"] = now
    v["hosted_token"] = lifecycle.new_hosted_token()
    v["customer_snapshot"] = created["customer_details"]
    v["seller_snapshot"] = seller
    finalized = finalized_view(created, invoice)
    out.events.append(event_row(ctx, "invoice.finalized", finalized))
    if invoice.amount_due == 0 and v["status"] == InvoiceStatus.OPEN.value:
        v["status"] = next_invoice_status(InvoiceStatus.OPEN, InvoiceAction.PAY).value
        v["paid_at"] = now
        out.events.append(event_row(ctx, "invoice.paid", paid_view(finalized, invoice)))
    # collection: charge_automatically without a default payment method is skipped by
    # collect_invoice ("no_payment_method"); nothing to write


_ADVANCED = ("pending_prorations", "next_boundary", "current_period_start",
             "current_period_end", "next_billing_at", "updated")


def _advance(ctx: Ctx, sub: Subscription, k: int, out: _Rows) -> None:
    """`bill_boundary`'s move to the next period (not final). The new values are set on
    the loaded object as its stored state (no flush) and written by one statement for
    the chunk in `_write`."""
    cycle = cycle_of(sub)
    values: dict[str, Any] = {
        "pending_prorations": [], "next_boundary": k + 1,
        "current_period_start": cycle.boundary(k),
        "current_period_end": cycle.boundary(k + 1),
        "next_billing_at": cycle.boundary(k + 1)}
    for name, value in values.items():
        set_committed_value(sub, name, value)
    out.events.append(event_row(ctx, "customer.subscription.updated", subscription_view(sub)))
    values["updated"] = ctx.now()
    set_committed_value(sub, "updated", values["updated"])
    out.advances.append({"b_id": sub.id, **values})


def _pattern(ctx: Ctx) -> str | None:
    """The account's one invoice number series, or None when the account numbers per
    customer or must check e-invoices at issue (its chunks take the per-subscription
    path)."""
    account = ctx.account
    pattern = (PER_CUSTOMER_PATTERN if account.numbering_scope == "customer"
               else account.invoice_number_pattern)
    if "{CUSTOMER}" in pattern or account.einvoice_required:
        return None
    return pattern


def bill_chunk(ctx: Ctx, ids: list[int], at: int) -> ChunkResult:
    """Bills the due subscriptions `ids` (of ctx's account and mode) that the fast lane
    can take, in the caller's transaction; returns what it billed and the ids left to
    the per-subscription path. Raises on any unexpected error (the caller rolls the
    chunk back and bills it per subscription)."""
    result = ChunkResult()
    pattern = _pattern(ctx)
    if pattern is None:
        result.slow = list(ids)
        return result
    subs = lock_chunk(ctx, ids, at)
    locked = {s.id for s in subs}
    result.slow = [i for i in ids if i not in locked]  # skipped: held by someone else
    fast = []
    for sub in subs:
        if fast_lane_reason(sub, at) is None:
            fast.append(sub)
        else:
            result.slow.append(sub.id)
    credit = customers_with_credit(ctx, {s.customer_id for s in fast})
    result.slow += [s.id for s in fast if s.customer_id in credit]
    fast = [s for s in fast if s.customer_id not in credit]
    usage = chunk_usage(ctx, fast)
    rates = chunk_tax_rates(ctx, fast)
    drafts: list[_Draft] = []
    for sub in fast:
        try:
            d = _draft(ctx, sub, usage[sub.id], rates)
        except DomainError:
            d = None  # the per-subscription path records the failure
        if d is None:
            result.slow.append(sub.id)
        else:
            drafts.append(d)
    numbers = take_numbers(ctx, pattern, len(drafts), customer_prefix="")
    rows = _Rows()
    seller = seller_snapshot(ctx.account)
    for d, number in zip(drafts, numbers, strict=True):
        _issue(ctx, d, number, seller, rows)
        rows.invoices.append(d.invoice)
        _advance(ctx, d.sub, d.boundary, rows)
        # the summary reads the invoice's currency and total
        result.billed.append(Billed(boundary=d.boundary, invoice=cast(Invoice, d.invoice)))
    _write(ctx, drafts, rows)
    return result


def _write(ctx: Ctx, drafts: list[_Draft], rows: _Rows) -> None:
    """Invoices with one statement per page (their ids come back); lines, claims and
    events with `write_rows` (COPY on PostgreSQL); the subscriptions' moves with one
    executemany UPDATE. A claim that exists already (a
    writer that bypassed the lock) raises and rolls the chunk back."""
    conn = ctx.session.connection()
    dialect = conn.dialect
    invoice_table = cast(Table, Invoice.__table__)
    line_table = cast(Table, InvoiceLine.__table__)
    ids = {p: i for i, p in insert_returning(
        conn, invoice_table, [stored_row(inv, invoice_table, dialect)
                              for inv in rows.invoices])}
    line_rows = []
    for inv in rows.invoices:
        v = inv.__dict__
        v["id"] = invoice_id = ids[v["public_id"]]
        for line in v["lines"]:
            line.__dict__["invoice_id"] = invoice_id
            line_rows.append(stored_row(line, line_table, dialect))
    write_rows(conn, line_table, line_rows)
    write_rows(conn, cast(Table, BillingPeriod.__table__), [
        {"subscription_id": d.sub.id, "boundary": d.boundary, "billed_at": ctx.now(),
         "invoice_id": d.invoice.get("id")} for d in drafts])
    write_rows(conn, cast(Table, Event.__table__), rows.events)
    if rows.advances:
        subs = cast(Table, Subscription.__table__)
        moved = conn.execute(update(subs).where(subs.c.id == bindparam("b_id")).values(
            {name: bindparam(name) for name in _ADVANCED}), rows.advances)
        assert moved.rowcount in (len(rows.advances), -1), moved.rowcount
