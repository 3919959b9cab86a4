"""Usage event ingestion: validate a batch, resolve its customers and meters, and insert
it with one `INSERT ... ON CONFLICT DO NOTHING` per page of rows, so a replayed or
concurrent duplicate `event_id` is never counted twice.

A batch is all or nothing: if any event is invalid, nothing is recorded and the error
lists every bad event by index (a failed request changes nothing, and a client can fix
and resend the same batch: the events that were fine are not half-recorded). Ingestion
writes no outbox event per usage event: usage is data, not a state change of an object.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Table, select

from folio.db.bulk import copy_skipping_existing
from folio.db.models import Meter, UsageEvent
from folio.domain.errors import DomainError, InvalidInput, NotFound
from folio.services import usage_batch
from folio.services.context import Ctx
from folio.services.usage_batch import Row
from folio.services.usage_periods import closed_periods, customers
from folio.services.usage_validation import (
    MAX_AGE_SECONDS,
    EventInvalid,
    MeterRule,
    ParsedEvent,
    event_time,
    measured_value,
    parse_event,
)

MAX_BATCH = 10_000
MAX_ERRORS_LISTED = 100
TABLE: Table = UsageEvent.__table__  # type: ignore[assignment]
METERS: Table = Meter.__table__  # type: ignore[assignment]
ROW_COLUMNS = ("customer_id", "feature_code", "event_id", "timestamp", "value", "properties")
# what a batch needs to know: its customers (id, test clock time), meters, closed periods
Lookups = tuple[dict[str, tuple[int, int | None]], dict[str, MeterRule],
                dict[tuple[int, str], int]]


class UsageEventsInvalid(InvalidInput):
    """A batch with at least one invalid event: nothing was recorded."""

    code = "usage_events_invalid"

    def __init__(self, message: str, *, param: str | None,
                 errors: list[dict[str, Any]]) -> None:
        super().__init__(message, param=param)
        self.errors = errors


class PeriodClosed(EventInvalid):
    """The event's time falls in a period a subscription has already billed."""

    def __init__(self, timestamp: int, period_end: int) -> None:
        super().__init__("usage_period_closed", "timestamp",
                         f"timestamp {timestamp} falls in a period that is already billed "
                         f"(usage before {period_end} is invoiced, and an issued invoice "
                         "never changes). Record it as an invoice line or a credit note.")
        self.period_end = period_end


def _events_of(payload: Any) -> tuple[list[Any], bool]:
    """The events of a body: one event object, or {"events": [...]}."""
    if isinstance(payload, dict) and "events" in payload:
        if len(payload) != 1:
            extra = sorted(str(k) for k in payload if k != "events")[0]
            raise InvalidInput(f"Received unknown parameter: {extra}. A batch holds only "
                               "`events`.", param=extra, code="parameter_unknown")
        batch = payload["events"]
        if not isinstance(batch, list) or not 1 <= len(batch) <= MAX_BATCH:
            raise InvalidInput(f"events must be a list of 1 to {MAX_BATCH} events.",
                               param="events", code="batch_size_invalid")
        return batch, True
    if not isinstance(payload, dict):
        raise InvalidInput("The request body must be a JSON object: one event, or "
                           '{"events": [...]}.', code="body_invalid")
    return [payload], False


def _listed(i: int, bad: EventInvalid, param: str) -> dict[str, Any]:
    item: dict[str, Any] = {"index": i, "code": bad.code, "param": param,
                            "message": bad.message}
    if isinstance(bad, PeriodClosed):
        item["period_end"] = bad.period_end
    return item


def _raise_for(errors: list[tuple[int, EventInvalid]], total: int, batch: bool) -> None:
    errors.sort(key=lambda e: e[0])
    if not batch:  # one event: the plain error, as any other endpoint answers it
        bad = errors[0][1]
        kind: type[DomainError] = NotFound if bad.code == "resource_missing" else InvalidInput
        raise kind(bad.message, param=bad.param or None, code=bad.code)

    def where(i: int, bad: EventInvalid) -> str:
        return f"events[{i}]" + (f".{bad.param}" if bad.param else "")

    first_i, first = errors[0]
    listed = [_listed(i, bad, where(i, bad)) for i, bad in errors[:MAX_ERRORS_LISTED]]
    raise UsageEventsInvalid(
        f"{len(errors)} of {total} events are invalid; none was recorded. First: "
        f"{where(first_i, first)}: {first.message}", param=where(first_i, first),
        errors=listed)


def _meter_rules(ctx: Ctx, codes: set[str]) -> dict[str, MeterRule]:
    if not codes:
        return {}
    m = METERS.c
    rows = ctx.session.connection().execute(select(m.code, m.aggregation, m.property).where(
        m.account_id == ctx.account_id, m.livemode == ctx.livemode,
        m.code.in_(sorted(codes)))).all()
    return {code: MeterRule(code, aggregation, prop) for code, aggregation, prop in rows}


def _row(event: ParsedEvent, found: dict[str, tuple[int, int | None]], now: int,
         meters: dict[str, MeterRule], closed: dict[tuple[int, str], int]) -> Row:
    customer = found.get(event.customer)
    if customer is None:
        raise EventInvalid("resource_missing", "customer",
                           f"No such customer: '{event.customer}'.")
    customer_id, clock = customer
    timestamp = event_time(event.timestamp, now if clock is None else clock)
    meter = meters.get(event.feature)
    if meter is None:
        raise EventInvalid("resource_missing", "feature", f"No such meter: '{event.feature}'. "
                           "Create it with POST /v1/meters.")
    period_end = closed.get((customer_id, event.feature))
    if period_end is not None and timestamp < period_end:
        raise PeriodClosed(timestamp, period_end)
    return (customer_id, event.feature, event.event_id, timestamp,
            measured_value(meter, event), event.properties)


def _by_event_id(row: Row) -> str:
    return row[2]


def _event_rows(raw_events: list[Any], text_checked: bool,
                lookups: Callable[[set[str], set[str]], Lookups], now: int, batch: bool
                ) -> tuple[list[Row], list[tuple[int, str]]]:
    """The rows of a batch in event_id order and the (index, id) of the repeats within it;
    raises `UsageEventsInvalid` (or the single event's error) listing every bad event.
    The common batch is checked column by column (`usage_batch`); any other, or any
    doubt, goes event by event, which words the errors."""
    cols = usage_batch.columns(raw_events, text_checked)
    looked_up = None
    if cols is not None:
        looked_up = lookups(set(cols.customers), set(cols.features))
        fast = usage_batch.rows(cols, *looked_up, now)
        if fast is not None:
            return fast
    return event_by_event(raw_events, text_checked, lookups, now, batch, looked_up)


def event_by_event(raw_events: list[Any], text_checked: bool,
                   lookups: Callable[[set[str], set[str]], Lookups], now: int, batch: bool,
                   looked_up: Lookups | None = None
                   ) -> tuple[list[Row], list[tuple[int, str]]]:
    """`_event_rows` event by event (`looked_up`: the lookups already made for these
    events)."""
    errors: list[tuple[int, EventInvalid]] = []
    parsed: list[tuple[int, ParsedEvent]] = []
    for i, raw in enumerate(raw_events):
        try:
            parsed.append((i, parse_event(raw, None, text_checked)))
        except EventInvalid as bad:
            errors.append((i, bad))
    found, meters, closed = looked_up or lookups({e.customer for _, e in parsed},
                                                 {e.feature for _, e in parsed})
    rows: list[Row] = []
    seen: set[str] = set()
    repeated: list[tuple[int, str]] = []  # (index, event_id) of every duplicate
    for i, event in parsed:
        try:
            row = _row(event, found, now, meters, closed)
        except EventInvalid as bad:
            errors.append((i, bad))
            continue
        if event.event_id in seen:
            repeated.append((i, event.event_id))
            continue
        seen.add(event.event_id)
        rows.append(row)
    if errors:
        _raise_for(errors, len(raw_events), batch)
    # Inserting in event_id order makes concurrent batches that share ids wait for each
    # other in one order (PostgreSQL would otherwise deadlock two reversed batches).
    rows.sort(key=_by_event_id)
    return rows, repeated


def ingest(ctx: Ctx, payload: Any, *, text_checked: bool = False) -> dict[str, Any]:
    """Record the usage events of a request body. Says how many were new and which were
    duplicates of events already recorded (or repeated within the batch). `text_checked`:
    the caller vouches that no string holds a NUL or a lone surrogate
    (`usage_validation.body_text_is_clean`)."""
    raw_events, batch = _events_of(payload)
    now = ctx.now()

    def lookups(customer_ids: set[str], features: set[str]) -> Lookups:
        # customers first (it takes the table lock), then their subscriptions: see
        # usage_periods on the locks
        found = customers(ctx, customer_ids)
        meters = _meter_rules(ctx, features)
        earliest = min([now, *(clock for _, clock in found.values() if clock is not None)])
        closed = closed_periods(ctx, (cid for cid, _ in found.values()),
                                earliest - MAX_AGE_SECONDS)
        return found, meters, closed

    rows, repeated = _event_rows(raw_events, text_checked, lookups, now, batch)
    conn = ctx.session.connection()
    text = (usage_batch.copy_text(rows, ctx.account_id, ctx.livemode, now)
            if rows and conn.dialect.name == "postgresql" else None)
    skipped = copy_skipping_existing(
        conn, TABLE, rows, ROW_COLUMNS,
        {"account_id": ctx.account_id, "livemode": ctx.livemode, "created": now},
        ("account_id", "livemode", "event_id"), "event_id", text)
    if skipped:  # recorded before (or by a concurrent request that committed first)
        first_index: dict[str, int] = {}
        for i, raw in enumerate(raw_events):
            first_index.setdefault(raw["event_id"], i)
        repeated.extend((first_index[event_id], event_id) for event_id in skipped)
        repeated.sort()
    return {"object": "usage_event_batch", "livemode": ctx.livemode,
            "received": len(raw_events), "accepted": len(rows) - len(skipped),
            "duplicates": len(repeated), "duplicate_event_ids": [e for _, e in repeated]}


def recorded_event(ctx: Ctx, event_id: str) -> dict[str, Any]:
    """The stored event with this client id (the original, when a replay was skipped)."""
    row = ctx.session.execute(
        select(TABLE.c.event_id, TABLE.c.feature_code, TABLE.c.customer_id, TABLE.c.timestamp,
               TABLE.c.value, TABLE.c.properties, TABLE.c.created)
        .where(TABLE.c.account_id == ctx.account_id, TABLE.c.livemode == ctx.livemode,
               TABLE.c.event_id == event_id)).mappings().first()
    if row is None:  # pragma: no cover - read in the transaction that recorded it
        raise NotFound(f"No such usage event: '{event_id}'.", param="event_id")
    return dict(row)
