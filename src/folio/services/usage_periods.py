"""Which usage a customer can still record (ADR 11, "Late events"): an event whose time
falls in a period a subscription has already billed is refused, never booked elsewhere.

What ingestion reads here is locked so that a billing run (or a test clock advance, or a
new subscription billing a past period) cannot bill that period at the same moment
without either counting the event or making ingestion refuse it:

- ingestion first takes `usage_events` in ROW EXCLUSIVE mode (what its INSERT takes
  anyway; PostgreSQL). A subscription created with a start in the past bills past usage
  at once; it first takes the table in SHARE mode (`hold_ingestion`), so it waits for
  the ingestions in flight and later ones wait for it, then see it. (Locking the batch's
  customer rows instead cost a tuple lock, and a MultiXact when two batches share a
  customer, per customer and batch; this costs one lock-table entry per batch, and
  stalls ingestion only for the rare back-dated subscription.)
- the batch customers' subscriptions are read `FOR SHARE`, in id order: every writer that moves a
  subscription to its next period holds it `FOR UPDATE` (`lock_subscription`, the
  set-based run's `lock_chunk`), so the billing either waits for this batch to commit
  (and then reads its events, in a later statement of READ COMMITTED) or commits first
  (and this batch then reads the moved period and refuses what it closed).

SQLite needs neither: a write transaction holds the database from BEGIN IMMEDIATE.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson
from sqlalchemy import Table, and_, or_, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql import bindparam

from folio.db.models import Customer, Plan, Subscription, TestClock
from folio.domain.billing.periods import BillingCycle, Interval
from folio.domain.subscriptions import SubscriptionStatus
from folio.services.context import Ctx

CUSTOMERS: Table = Customer.__table__  # type: ignore[assignment]
SUBSCRIPTIONS: Table = Subscription.__table__  # type: ignore[assignment]
PLANS: Table = Plan.__table__  # type: ignore[assignment]
CLOCKS: Table = TestClock.__table__  # type: ignore[assignment]
_LOOKUP_CHUNK = 5000
_CANCELED = SubscriptionStatus.CANCELED.value


def _any_of(column: Any, values: list[Any], postgres: bool) -> Any:
    # PostgreSQL: one array parameter keeps the statement text constant (prepared once)
    if postgres:
        return column == bindparam(None, values, type_=ARRAY(column.type)).any_()
    return column.in_(values)


def customers(ctx: Ctx, public_ids: Iterable[str]) -> dict[str, tuple[int, int | None]]:
    """public id -> (internal id, its test clock's frozen time or None) of the account's
    customers among `public_ids` (others are unknown). On PostgreSQL, first takes
    `usage_events` in ROW EXCLUSIVE mode (see the module's docstring)."""
    conn = ctx.session.connection()
    postgres = conn.dialect.name == "postgresql"
    ordered = sorted(public_ids)
    if postgres:
        conn.exec_driver_sql("LOCK TABLE usage_events IN ROW EXCLUSIVE MODE")
    c, k = CUSTOMERS.c, CLOCKS.c
    joined = CUSTOMERS.outerjoin(CLOCKS, and_(k.id == c.test_clock_id, k.deleted.is_(False)))
    found: dict[str, tuple[int, int | None]] = {}
    for i in range(0, len(ordered), _LOOKUP_CHUNK):
        stmt = (select(c.public_id, c.id, k.frozen_time).select_from(joined)
                .where(c.account_id == ctx.account_id, c.livemode == ctx.livemode,
                       _any_of(c.public_id, ordered[i:i + _LOOKUP_CHUNK], postgres)))
        found.update((row[0], (row[1], row[2])) for row in conn.execute(stmt))
    return found


def hold_ingestion(ctx: Ctx) -> None:
    """Waits for the usage ingestions in flight and holds new ones until commit
    (PostgreSQL; SQLite's write transaction already does). For the rare writer that bills
    a past usage period of a subscription ingestion could not lock: a new one."""
    conn = ctx.session.connection()
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("LOCK TABLE usage_events IN SHARE MODE")


def closed_until(status: str, next_boundary: int, ended_at: int | None,
                 cycle: BillingCycle, first_index: int) -> int | None:
    """The instant before which a subscription's usage is closed (None: no usage billed
    yet). Boundary k bills the usage of period k-1 (when the subscription has that
    period, k-1 >= `first_index`), so a running subscription whose last billed boundary
    is `next_boundary - 1` has closed its usage up to that boundary. A canceled one has
    closed everything before its end (billed by its final invoice, or ended unbilled)."""
    if status == _CANCELED:
        return ended_at
    if next_boundary - 2 >= first_index:
        return cycle.boundary(next_boundary - 1)
    return None


def closed_periods(ctx: Ctx, customer_ids: Iterable[int], horizon: int
                   ) -> dict[tuple[int, str], int]:
    """(customer id, meter code) -> the instant before which usage of that meter is
    closed for that customer: the latest over the customer's subscriptions whose plan
    meters it. Subscriptions that ended before `horizon` (older than any event still
    accepted) are left out. Locks the subscriptions read FOR SHARE, in id order."""
    ids = sorted(set(customer_ids))
    if not ids:
        return {}
    conn = ctx.session.connection()
    postgres = conn.dialect.name == "postgresql"
    s, p = SUBSCRIPTIONS.c, PLANS.c
    out: dict[tuple[int, str], int] = {}
    for i in range(0, len(ids), _LOOKUP_CHUNK):
        stmt = (select(s.customer_id, s.status, s.next_boundary, s.ended_at, s.billing_anchor,
                       s.timezone, s.start_date, s.trial_end, p.interval, p.interval_count,
                       p.features)
                .select_from(SUBSCRIPTIONS.join(PLANS, p.id == s.plan_id))
                .where(s.account_id == ctx.account_id, s.livemode == ctx.livemode,
                       _any_of(s.customer_id, ids[i:i + _LOOKUP_CHUNK], postgres),
                       or_(s.status != _CANCELED, s.ended_at >= horizon))
                .order_by(s.id).with_for_update(read=True, of=SUBSCRIPTIONS))
        for (customer_id, status, next_boundary, ended_at, anchor, tz, start, trial_end,
             interval, count, features) in conn.execute(stmt):
            # first_index as in services/subscription_time: -1 with a stub before the anchor
            first = -1 if anchor > (start if trial_end is None else trial_end) else 0
            until = closed_until(status, next_boundary, ended_at,
                                 BillingCycle(Interval(interval), anchor, tz, count), first)
            if until is None:
                continue
            if isinstance(features, str | bytes):  # pragma: no cover - driver-dependent
                features = orjson.loads(features)
            for f in features or []:
                if f.get("kind") == "metered":
                    key = (customer_id, f.get("meter") or f["code"])
                    if until > out.get(key, until - 1):
                        out[key] = until
    return out
