"""The common shape of a usage batch, checked column by column instead of event by event.

Most batches are alike: ASCII ids, known customers without a test clock, integer or
decimal-string values, a few flat properties. For those, each rule of
`usage_validation` is applied to a whole column at once (`set(map(type, ...))`, `min`,
`max`: loops in C), which costs a fraction of the per-event path. Whenever a batch is
not plainly valid this way — any doubt, not only an error — `columns` or `rows` answer
None and the caller runs the per-event path, which finds and words every error. So the
rules stay in one place: this module accepts a subset of what `usage_validation`
accepts and builds the very same rows (a test compares the two paths).
"""

from __future__ import annotations

from itertools import chain
from typing import Any, NamedTuple

import orjson

from folio.services.usage_validation import (
    FIELDS,
    MAX_AGE_SECONDS,
    MAX_AHEAD_SECONDS,
    MAX_MAGNITUDE,
    MAX_PROPERTIES,
    EventInvalid,
    InexactNumber,
    MeterRule,
    ParsedEvent,
    measured_value,
)

_NONE: type = type(None)
_TEXT: frozenset[type] = frozenset({str})
_STAMPS: frozenset[type] = frozenset({int, _NONE})
_VALUES: frozenset[type] = frozenset({int, str, _NONE})
_PROPERTY_VALUES: frozenset[type] = frozenset({str, int, bool, _NONE})
_PROPERTIES: frozenset[type] = frozenset({dict, _NONE})

Row = tuple[int, str, str, int, str | None, dict[str, Any] | None]


class Columns(NamedTuple):
    event_ids: list[str]
    customers: list[str]
    features: list[str]
    timestamps: list[int | None]
    values: list[Any]
    properties: list[dict[str, Any] | None]


def _texts(column: list[Any], max_length: int) -> bool:
    return (set(map(type, column)) <= _TEXT and min(map(len, column)) > 0
            and max(map(len, column)) <= max_length)


def _kinds(column: Any, allowed: frozenset[type]) -> bool:
    kinds = set(map(type, column))
    if float in kinds:
        raise InexactNumber
    return kinds <= allowed


def _properties_ok(properties: list[dict[str, Any] | None]) -> bool:
    maps = [p for p in properties if p]
    if not maps:
        return True
    if max(map(len, maps)) > MAX_PROPERTIES:
        return False
    keys = list(chain.from_iterable(maps))
    if not _texts(keys, 40):
        return False
    items = list(chain.from_iterable(map(dict.values, maps)))
    if not _kinds(items, _PROPERTY_VALUES):
        return False
    texts = [v for v in items if type(v) is str]
    numbers = [v for v in items if type(v) is int]
    return ((not texts or max(map(len, texts)) <= 500)
            and (not numbers or (min(numbers) > -MAX_MAGNITUDE
                                 and max(numbers) < MAX_MAGNITUDE)))


def columns(events: list[Any], text_checked: bool) -> Columns | None:
    """The batch as columns, or None when it needs the per-event path. `text_checked`:
    no string of the body can hold a NUL or a lone surrogate (required here). Raises
    `InexactNumber` when a number was parsed as a float."""
    if not text_checked or set(map(type, events)) != {dict}:
        return None
    if not set().union(*events) <= FIELDS:
        return None
    ids = [e.get("event_id") for e in events]
    customers = [e.get("customer") for e in events]
    features = [e.get("feature") for e in events]
    stamps = [e.get("timestamp") for e in events]
    values = [e.get("value") for e in events]
    properties = [e.get("properties") for e in events]
    if not (_texts(ids, 100) and _texts(customers, 40) and _texts(features, 100)
            and _kinds(stamps, _STAMPS) and _kinds(values, _VALUES)
            and _kinds(properties, _PROPERTIES) and _properties_ok(properties)):
        return None
    return Columns(ids, customers, features, stamps, values, properties)


def _values(cols: Columns, meters: dict[str, MeterRule]) -> list[str | None] | None:
    """The value text each event's meter aggregates (None: the per-event path decides)."""
    rules = {meters[f] for f in set(cols.features)}
    values = cols.values
    if len(rules) == 1 and set(map(type, values)) == {int}:
        rule = next(iter(rules))
        if rule.property is None and rule.aggregation != "unique_count":
            if min(values) > -MAX_MAGNITUDE and max(values) < MAX_MAGNITUDE:
                return list(map(str, values))
            return None
    out: list[str | None] = []
    try:
        for feature, value, props in zip(cols.features, values, cols.properties, strict=True):
            out.append(measured_value(meters[feature],
                                      ParsedEvent("", "", feature, None, value, props)))
    except EventInvalid:
        return None
    return out


def rows(cols: Columns, found: dict[str, tuple[int, int | None]],
         meters: dict[str, MeterRule], closed: dict[tuple[int, str], int], now: int
         ) -> tuple[list[Row], list[tuple[int, str]]] | None:
    """The rows to insert, in event_id order, and the (index, event_id) of every repeat
    of an id within the batch; None when any event needs the per-event path (an unknown
    customer or meter, a test clock, a value or time out of bounds, a closed period)."""
    distinct = set(cols.customers)
    if not distinct <= found.keys() or not set(cols.features) <= meters.keys():
        return None
    if any(found[public_id][1] is not None for public_id in distinct):  # a test clock
        return None
    customer_ids = [cid for cid, _ in map(found.__getitem__, cols.customers)]
    stamps = [now if t is None else t for t in cols.timestamps]
    if min(stamps) < now - MAX_AGE_SECONDS or max(stamps) > now + MAX_AHEAD_SECONDS:
        return None
    if closed:  # only pairs a subscription has billed are looked at
        for key, stamp in zip(zip(customer_ids, cols.features, strict=True), stamps,
                              strict=True):
            end = closed.get(key)
            if end is not None and stamp < end:
                return None
    values = _values(cols, meters)
    if values is None:
        return None
    ids, features, properties = cols.event_ids, cols.features, cols.properties
    order = sorted(range(len(ids)), key=ids.__getitem__)  # stable: first occurrence first
    out: list[Row] = []
    repeated: list[tuple[int, str]] = []
    previous = None
    for i in order:
        event_id = ids[i]
        if event_id == previous:
            repeated.append((i, event_id))
            continue
        previous = event_id
        out.append((customer_ids[i], features[i], event_id, stamps[i], values[i],
                    properties[i]))
    repeated.sort()
    return out, repeated


def copy_text(rows: list[Row], account_id: int, livemode: bool, created: int) -> str | None:
    """The rows as PostgreSQL COPY text (account_id, livemode, created, then the row's
    columns), or None when an event id or a property needs escaping. Meter codes and
    value texts never do; orjson writes control characters in JSON as escapes, so only a
    backslash there needs one."""
    ids = "".join([row[2] for row in rows])
    if "\\" in ids or "\t" in ids or "\n" in ids or "\r" in ids:
        return None
    null = "\\N"
    head = f"{account_id}\t{'t' if livemode else 'f'}\t{created}\t"
    props = [None if row[5] is None else orjson.dumps(row[5]).decode() for row in rows]
    if "\\" in "".join(filter(None, props)):
        return None
    return "".join([f"{head}{cid}\t{feature}\t{eid}\t{ts}\t{null if value is None else value}"
                    f"\t{null if p is None else p}\n"
                    for (cid, feature, eid, ts, value, _), p in zip(rows, props, strict=True)])
