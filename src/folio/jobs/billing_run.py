"""The billing run: bill every subscription whose period has ended at `at`.

`run_billing(database, at)` is the job (register it as a periodic task of the worker).
By default chunks of one account's subscriptions are billed together on the set-based
path (services/billing_chunk.py, ADR 15), on PostgreSQL by two chunk workers at once
("Pipelined run"), the cases it does not take each in its own transaction; a failing
chunk is billed again subscription by subscription, so one failing subscription is
recorded and skipped while the others go on. Two runs at once (or
a run twice) create no duplicate: each subscription is locked and re-read before billing
(PostgreSQL `FOR UPDATE`, `SKIP LOCKED` on the set-based path, whose skipped rows go to the
per-subscription path; SQLite serialises write transactions), and `billing_periods` has a unique
constraint on (subscription, boundary) behind that.

Subscriptions of customers on a test clock are not billed here: they live on their
clock's time and are billed when the clock is advanced (`advance_clock`).
"""

from __future__ import annotations

import logging
from collections import defaultdict, deque
from collections.abc import Callable, Collection
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from folio.db.engine import Database
from folio.db.models import Subscription
from folio.domain.errors import DomainError
from folio.services.billing_chunk import ChunkResult, bill_chunk
from folio.services.billing_run import AlreadyBilled, Billed, catch_up, lock_subscription
from folio.services.collection import run_payment_retries
from folio.services.context import Ctx

log = logging.getLogger("folio.billing")
BATCH = 1000
CHUNK = 500  # subscriptions per transaction on the set-based path
SET_BASED_DEFAULT = True
WORKERS = 2  # chunk workers of the set-based run on PostgreSQL (ADR 15, "Pipelined run")
MAX_RETRY_ROUNDS = 50  # far beyond any dunning schedule (at most 10 retries)


@dataclass
class Failure:
    subscription: str
    reason: str


@dataclass
class BillingSummary:
    at: int
    subscriptions: int = 0  # looked at
    invoices: int = 0  # created
    amounts: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # by currency
    failures: list[Failure] = field(default_factory=list)
    fast_lane: int = 0  # subscriptions billed by the set-based path's fast lane

    def add(self, other: BillingSummary) -> None:
        """Counts `other` (a part of the same run) in."""
        self.subscriptions += other.subscriptions
        self.invoices += other.invoices
        for currency, amount in other.amounts.items():
            self.amounts[currency] += amount
        self.failures += other.failures
        self.fast_lane += other.fast_lane

    def as_dict(self) -> dict[str, object]:
        return {"at": self.at, "subscriptions": self.subscriptions,
                "invoices": self.invoices, "amounts": dict(self.amounts),
                "failures": [{"subscription": f.subscription, "reason": f.reason}
                             for f in self.failures]}


Due = tuple[int, str, int, bool]  # subscription id, public id, account id, livemode


def due_subscriptions(database: Database, at: int, *, test_clock_id: int | None = None,
                      after_id: int = 0, limit: int = BATCH,
                      accounts: Collection[int] | None = None) -> list[Due]:
    stmt = (select(Subscription.id, Subscription.public_id, Subscription.account_id,
                   Subscription.livemode)
            .where(Subscription.next_billing_at <= at, Subscription.id > after_id)
            .order_by(Subscription.id).limit(limit))
    if accounts is not None:
        stmt = stmt.where(Subscription.account_id.in_(sorted(accounts)))
    stmt = stmt.where(Subscription.test_clock_id.is_(None) if test_clock_id is None
                      else Subscription.test_clock_id == test_clock_id)
    with database.transaction(write=False) as session:
        return [(r[0], r[1], r[2], r[3]) for r in session.execute(stmt)]


def _bill_in(session: Session, due: Due, at: int, clock: Callable[[], int],
             on_boundary_clock: bool) -> list[Billed]:
    sub_id, _, account_id, livemode = due
    ctx = Ctx(session, account_id=account_id, livemode=livemode, clock=clock)
    sub = lock_subscription(ctx, sub_id)
    if sub is None:
        return []
    return catch_up(ctx, sub, at, on_boundary_clock=on_boundary_clock)


def _count(summary: BillingSummary, billed: list[Billed]) -> None:
    for b in billed:
        if b.invoice is not None:
            summary.invoices += 1
            summary.amounts[b.invoice.currency] += b.invoice.total


def _failed(summary: BillingSummary, public_id: str, exc: Exception) -> None:
    if isinstance(exc, AlreadyBilled):
        return  # another run billed it first
    if isinstance(exc, DomainError):
        summary.failures.append(Failure(public_id, f"{exc.code}: {exc.message}"))
        return
    log.error("billing %s failed", public_id, exc_info=exc)
    summary.failures.append(Failure(public_id, f"{type(exc).__name__}: {exc}"))


def bill_subscription(database: Database, due: Due, at: int, summary: BillingSummary, *,
                      clock: Callable[[], int], on_boundary_clock: bool = False) -> None:
    """One subscription in one transaction; a failure is recorded, never raised."""
    summary.subscriptions += 1
    try:
        with database.transaction() as session:
            billed = _bill_in(session, due, at, clock, on_boundary_clock)
        _count(summary, billed)
    except Exception as exc:  # one subscription never stops the run
        _failed(summary, due[1], exc)


def bill_group(database: Database, group: list[Due], at: int, summary: BillingSummary,
               *, clock: Callable[[], int]) -> None:
    """Several subscriptions in one transaction, each inside its own savepoint: a failing
    one is rolled back alone and recorded; the others commit together (one commit, one
    WAL flush, for the group)."""
    done: list[list[Billed]] = []
    try:
        with database.transaction() as session:
            for due in group:
                summary.subscriptions += 1
                try:
                    with session.begin_nested():
                        done.append(_bill_in(session, due, at, clock, False))
                except Exception as exc:  # rolled back to the savepoint
                    _failed(summary, due[1], exc)
    except Exception as exc:  # the commit itself failed: nothing of the group stays
        for due in group:
            _failed(summary, due[1], exc)
        return
    for billed in done:
        _count(summary, billed)


def bill_chunk_set_based(database: Database, group: list[Due], at: int,
                         summary: BillingSummary, *, clock: Callable[[], int]) -> None:
    """One chunk of one account and mode on the set-based path (services/billing_chunk);
    the subscriptions it leaves, and the whole chunk if it fails, are billed per
    subscription afterwards."""
    _, _, account_id, livemode = group[0]
    ids = [d[0] for d in group]
    try:
        with database.transaction() as session:
            ctx = Ctx(session, account_id=account_id, livemode=livemode, clock=clock)
            result = bill_chunk(ctx, ids, at)
    except Exception as exc:  # nothing of the chunk stays: bill it the other way
        log.warning("set-based chunk of %d failed (%s); billing it per subscription",
                    len(group), exc, exc_info=exc)
        result = ChunkResult(slow=ids)
    slow = set(result.slow)
    summary.subscriptions += len(group) - len(slow)
    summary.fast_lane += len(result.billed)
    _count(summary, result.billed)
    for due in group:
        if due[0] in slow:
            bill_subscription(database, due, at, summary, clock=clock)


def _chunks(batch: list[Due], size: int) -> list[list[Due]]:
    """The batch split by account and mode, then into chunks of `size`."""
    by_tenant: dict[tuple[int, bool], list[Due]] = defaultdict(list)
    for due in batch:
        by_tenant[(due[2], due[3])].append(due)
    return [group[i:i + size] for group in by_tenant.values()
            for i in range(0, len(group), size)]


def _fixed(instant: int) -> Callable[[], int]:
    return lambda: instant


def default_workers(database: Database) -> int:
    """PostgreSQL: `WORKERS` chunk workers; SQLite: one (see `run_billing`)."""
    return 1 if database.dialect == "sqlite" else WORKERS


def _chunk_part(database: Database, chunk: list[Due], at: int,
                clock: Callable[[], int]) -> BillingSummary:
    part = BillingSummary(at=at)
    bill_chunk_set_based(database, chunk, at, part, clock=clock)
    return part


class _Chunks:
    """Chunks billed by `workers` threads, each chunk in its own transaction on its own
    connection, counted into the summary in the order they were handed in (so progress
    only moves forward). At most two chunks per worker wait, so the run's memory does
    not grow with the number of subscriptions due."""

    def __init__(self, database: Database, at: int, summary: BillingSummary,
                 workers: int, progress: Callable[[int, int], None] | None) -> None:
        self.database, self.at, self.summary = database, at, summary
        self.progress = progress
        self.workers = workers
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="billing")
        self.pending: deque[Future[BillingSummary]] = deque()
        self.found = 0

    def bill(self, chunk: list[Due], clock: Callable[[], int]) -> None:
        if self.workers == 1:
            self._count(_chunk_part(self.database, chunk, self.at, clock))
            return
        self.pending.append(self.pool.submit(_chunk_part, self.database, chunk, self.at,
                                             clock))
        while len(self.pending) > 2 * self.workers:
            self._count(self.pending.popleft().result())

    def finish(self) -> None:
        try:
            while self.pending:
                self._count(self.pending.popleft().result())
        finally:
            self.pool.shutdown(wait=True)

    def _count(self, part: BillingSummary) -> None:
        self.summary.add(part)
        if self.progress is not None:
            self.progress(self.summary.subscriptions, self.found)


def run_billing(database: Database, at: int, *,
                progress: Callable[[int, int], None] | None = None,
                accounts: Collection[int] | None = None,
                commit_every: int = 1, set_based: bool = SET_BASED_DEFAULT,
                chunk_size: int = CHUNK, workers: int | None = None) -> BillingSummary:
    """Bills every subscription due at `at` (unix seconds), of every account or of
    `accounts` (internal ids). `progress(done, found)` is called after each subscription
    or group (the CLI draws its progress bar with it).

    `commit_every`: 1 (default) bills each subscription in its own transaction; N > 1
    bills N subscriptions per transaction, each in a savepoint (a failure still rolls
    back only its own subscription; a crash loses at most the uncommitted group, which
    the next run bills again).

    `set_based`: chunks of `chunk_size` subscriptions of one account are billed together
    (services/billing_chunk.py); the cases its fast lane does not take go through the
    per-subscription path (`commit_every` is then not used).

    `workers` (set-based only; default `default_workers`): chunks billed at once, each
    by its own thread on its own connection, so one chunk is drafted while another is
    written (the database driver releases the GIL while it waits). Invoice numbers stay
    gapless and in commit order: a chunk takes its block of numbers last and holds the
    series row until it commits. SQLite always bills one chunk at a time: it has one
    writer, and a chunk drafts inside its write transaction (its usage is read there,
    so that late usage is either billed or refused, ADR 11), so a second worker would
    only wait."""
    summary = BillingSummary(at=at)
    after = 0
    found = 0
    clock = _fixed(at)
    if set_based:
        count = default_workers(database) if workers is None else max(1, workers)
        chunks = _Chunks(database, at, summary,
                         1 if database.dialect == "sqlite" else count, progress)
        try:
            while batch := due_subscriptions(database, at, after_id=after,
                                             accounts=accounts):
                chunks.found = found = found + len(batch)
                for chunk in _chunks(batch, chunk_size):
                    chunks.bill(chunk, clock)
                after = batch[-1][0]
        finally:
            chunks.finish()
        return summary
    while batch := due_subscriptions(database, at, after_id=after, accounts=accounts):
        found += len(batch)
        step = max(1, commit_every)
        for i in range(0, len(batch), step):
            if step == 1:
                bill_subscription(database, batch[i], at, summary, clock=clock)
            else:
                bill_group(database, batch[i:i + step], at, summary, clock=clock)
            if progress is not None:
                progress(summary.subscriptions, found)
        after = batch[-1][0]
    return summary


def retry_clocked_payments(database: Database, test_clock_id: int, to: int) -> None:
    """The dunning retries of the clock's customers due up to `to`, in time order; a
    failed retry plans the next one, which may itself fall before `to`."""
    for _ in range(MAX_RETRY_ROUNDS):
        if not run_payment_retries(database, to, test_clock_id=test_clock_id).due:
            return


def advance_clock(database: Database, account_id: int, test_clock_id: int, to: int
                  ) -> BillingSummary:
    """Bills every boundary of the clock's subscriptions up to `to`, one boundary at a
    time in time order (each with the clock at the boundary's instant), each
    subscription in its own transaction."""
    summary = BillingSummary(at=to)
    failed: set[int] = set()
    while True:
        with database.transaction(write=False) as session:
            rows = session.execute(
                select(Subscription.id, Subscription.public_id, Subscription.account_id,
                       Subscription.livemode, Subscription.next_billing_at)
                .where(Subscription.test_clock_id == test_clock_id,
                       Subscription.account_id == account_id,
                       Subscription.next_billing_at <= to)
                .order_by(Subscription.next_billing_at, Subscription.id).limit(BATCH)).all()
        rows = [r for r in rows if r[0] not in failed]
        if not rows:
            retry_clocked_payments(database, test_clock_id, to)
            return summary
        first_due: int = rows[0][4] or 0
        # dunning retries that fall before this boundary happen first, each at its time
        retry_clocked_payments(database, test_clock_id, first_due)
        for sub_id, public_id, acct, livemode, due_at in rows:
            if due_at != first_due:  # strict time order across subscriptions
                break
            before = len(summary.failures)
            bill_subscription(database, (sub_id, public_id, acct, livemode), first_due,
                              summary, clock=_fixed(first_due), on_boundary_clock=True)
            if len(summary.failures) > before:
                failed.add(sub_id)
