"""The set-based billing run: one chunk of due subscriptions of one account in one
transaction (ADR 15, "Set-based billing run" and "Plain rows").

The chunk's subscriptions are locked with one statement (PostgreSQL `FOR UPDATE SKIP
LOCKED`; SQLite's write transaction holds the database), their usage is read with one
statement per meter and window (`billing_chunk_usage`), each one's boundary is billed by
the same `boundary_lines` as the per-subscription path and its invoice computed by the
same pure `calculate` as a plain record (`billing_chunk_draft`), the invoice numbers
come as one block (`take_numbers`) once everything else is staged
(`billing_chunk_issue`), and the invoices, lines, claims, events and the subscriptions'
moves are written with a few bulk statements. Nothing here commits.

Only the plain case takes this fast lane; everything else is returned to the caller for
the per-subscription path (`services/billing_run.py`), see `fast_lane_reason`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from folio.db.models import CreditGrant, Invoice, Subscription, TaxRate
from folio.db.repository import scoped
from folio.domain.errors import DomainError
from folio.domain.numbering import PER_CUSTOMER_PATTERN
from folio.domain.subscriptions import SubscriptionStatus
from folio.services.billing_chunk_draft import plain_draft
from folio.services.billing_chunk_issue import Draft, stage, write
from folio.services.billing_chunk_usage import chunk_usage
from folio.services.billing_run import Billed
from folio.services.context import Ctx
from folio.services.documents import seller_snapshot
from folio.services.numbering import take_numbers
from folio.services.subscription_billing import boundary_lines
from folio.services.subscription_time import cycle_of


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


def chunk_tax_rates(ctx: Ctx, subs: list[Subscription]) -> dict[str, TaxRate]:
    """The tax rates the chunk's subscriptions name (missing ones are not found here;
    `plain_draft` leaves their subscriptions to the per-subscription path)."""
    ids = sorted({i for s in subs for i in s.default_tax_rates or []})
    if not ids:
        return {}
    return {r.public_id: r for r in ctx.session.scalars(
        scoped(TaxRate, ctx.scope).where(TaxRate.public_id.in_(ids)))}


def _draft(ctx: Ctx, sub: Subscription, usage: dict[str, Decimal],
           rates: dict[str, TaxRate]) -> Draft | None:
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
    return Draft(sub, invoice, k)


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
    drafts: list[Draft] = []
    for sub in fast:
        try:
            d = _draft(ctx, sub, usage[sub.id], rates)
        except DomainError:
            d = None  # the per-subscription path records the failure
        if d is None:
            result.slow.append(sub.id)
        else:
            drafts.append(d)
    staged = stage(ctx, drafts, seller_snapshot(ctx.account))
    # the series row stays locked from here to the commit: only the writes come after
    write(ctx, staged, take_numbers(ctx, pattern, len(drafts), customer_prefix=""))
    # the summary reads the invoice's currency and total
    result.billed = [Billed(boundary=d.boundary, invoice=cast(Invoice, d.invoice))
                     for d in drafts]
    return result
