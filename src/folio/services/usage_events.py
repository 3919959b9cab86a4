"""Usage event ingestion: validate a batch, resolve its customers and meters, and insert
it with one `INSERT ... ON CONFLICT DO NOTHING` per page of rows, so a replayed or
concurrent duplicate `event_id` is never counted twice.

A batch is all or nothing: if any event is invalid, nothing is recorded and the error
lists every bad event by index (a failed request changes nothing, and a client can fix
and resend the same batch: the events that were fine are not half-recorded). Ingestion
writes no outbox event per usage event: usage is data, not a state change of an object.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql import bindparam

from folio.db.bulk import insert_skipping_existing
from folio.db.models import Customer, Meter, UsageEvent
from folio.domain.errors import DomainError, InvalidInput, NotFound
from folio.services.context import Ctx
from folio.services.usage_validation import (
    EventInvalid,
    MeterRule,
    ParsedEvent,
    measured_value,
    parse_event,
)

MAX_BATCH = 10_000
MAX_ERRORS_LISTED = 100
TABLE: Table = UsageEvent.__table__  # type: ignore[assignment]
CUSTOMERS: Table = Customer.__table__  # type: ignore[assignment]
METERS: Table = Meter.__table__  # type: ignore[assignment]
ROW_COLUMNS = ("customer_id", "feature_code", "event_id", "timestamp", "value", "properties")
_LOOKUP_CHUNK = 5000


class UsageEventsInvalid(InvalidInput):
    """A batch with at least one invalid event: nothing was recorded."""

    code = "usage_events_invalid"

    def __init__(self, message: str, *, param: str | None,
                 errors: list[dict[str, Any]]) -> None:
        super().__init__(message, param=param)
        self.errors = errors


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


def _raise_for(errors: list[tuple[int, EventInvalid]], total: int, batch: bool) -> None:
    errors.sort(key=lambda e: e[0])
    if not batch:  # one event: the plain error, as any other endpoint answers it
        bad = errors[0][1]
        kind: type[DomainError] = NotFound if bad.code == "resource_missing" else InvalidInput
        raise kind(bad.message, param=bad.param or None, code=bad.code)

    def where(i: int, bad: EventInvalid) -> str:
        return f"events[{i}]" + (f".{bad.param}" if bad.param else "")

    first_i, first = errors[0]
    listed = [{"index": i, "code": bad.code, "param": where(i, bad), "message": bad.message}
              for i, bad in errors[:MAX_ERRORS_LISTED]]
    raise UsageEventsInvalid(
        f"{len(errors)} of {total} events are invalid; none was recorded. First: "
        f"{where(first_i, first)}: {first.message}", param=where(first_i, first),
        errors=listed)


def _customer_ids(ctx: Ctx, public_ids: set[str]) -> dict[str, int]:
    """Internal ids of the account's customers among `public_ids` (others are unknown).
    Core statements on the session's connection: no ORM machinery on the hot path."""
    conn = ctx.session.connection()
    ordered = sorted(public_ids)
    postgres = conn.dialect.name == "postgresql"
    c = CUSTOMERS.c
    found: dict[str, int] = {}
    for i in range(0, len(ordered), _LOOKUP_CHUNK):
        chunk = ordered[i:i + _LOOKUP_CHUNK]
        # PostgreSQL: one array parameter keeps the statement text constant (prepared once)
        matches = (c.public_id == bindparam("ids", chunk, type_=ARRAY(c.public_id.type)
                                            ).any_() if postgres else c.public_id.in_(chunk))
        rows = conn.execute(select(c.public_id, c.id).where(
            c.account_id == ctx.account_id, c.livemode == ctx.livemode, matches)).all()
        found.update((public_id, id_) for public_id, id_ in rows)
    return found


def _meter_rules(ctx: Ctx, codes: set[str]) -> dict[str, MeterRule]:
    if not codes:
        return {}
    m = METERS.c
    rows = ctx.session.connection().execute(select(m.code, m.aggregation, m.property).where(
        m.account_id == ctx.account_id, m.livemode == ctx.livemode,
        m.code.in_(sorted(codes)))).all()
    return {code: MeterRule(code, aggregation, prop) for code, aggregation, prop in rows}


def _row(event: ParsedEvent, customers: dict[str, int], meters: dict[str, MeterRule]
         ) -> dict[str, Any]:
    customer_id = customers.get(event.customer)
    if customer_id is None:
        raise EventInvalid("resource_missing", "customer",
                           f"No such customer: '{event.customer}'.")
    meter = meters.get(event.feature)
    if meter is None:
        raise EventInvalid("resource_missing", "feature", f"No such meter: '{event.feature}'. "
                           "Create it with POST /v1/meters.")
    return {"customer_id": customer_id, "feature_code": event.feature,
            "event_id": event.event_id, "timestamp": event.timestamp,
            "value": measured_value(meter, event), "properties": event.properties}


def _by_event_id(row: dict[str, Any]) -> str:
    return str(row["event_id"])


def ingest(ctx: Ctx, payload: Any, *, text_checked: bool = False) -> dict[str, Any]:
    """Record the usage events of a request body. Says how many were new and which were
    duplicates of events already recorded (or repeated within the batch). `text_checked`:
    the caller vouches that no string holds a NUL or a lone surrogate
    (`usage_validation.body_text_is_clean`)."""
    raw_events, batch = _events_of(payload)
    now = ctx.now()
    errors: list[tuple[int, EventInvalid]] = []
    parsed: list[tuple[int, ParsedEvent]] = []
    for i, raw in enumerate(raw_events):
        try:
            parsed.append((i, parse_event(raw, now, text_checked)))
        except EventInvalid as bad:
            errors.append((i, bad))
    customers = _customer_ids(ctx, {e.customer for _, e in parsed})
    meters = _meter_rules(ctx, {e.feature for _, e in parsed})
    rows: list[dict[str, Any]] = []
    first_index: dict[str, int] = {}  # event_id -> its first index in the batch
    repeated: list[tuple[int, str]] = []  # (index, event_id) of every duplicate
    for i, event in parsed:
        try:
            row = _row(event, customers, meters)
        except EventInvalid as bad:
            errors.append((i, bad))
            continue
        if event.event_id in first_index:
            repeated.append((i, event.event_id))
            continue
        first_index[event.event_id] = i
        rows.append(row)
    if errors:
        _raise_for(errors, len(raw_events), batch)
    # Inserting in event_id order makes concurrent batches that share ids wait for each
    # other in one order (PostgreSQL would otherwise deadlock two reversed batches).
    rows.sort(key=_by_event_id)
    skipped = insert_skipping_existing(
        ctx.session.connection(), TABLE, rows, ROW_COLUMNS,
        {"account_id": ctx.account_id, "livemode": ctx.livemode, "created": now},
        ("account_id", "livemode", "event_id"), "event_id")
    if skipped:  # recorded before (or by a concurrent request that committed first)
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
