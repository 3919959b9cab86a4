"""Validation of one usage event, by hand: this is the hottest path of ingestion, so no
model object is built per event and the common case (ASCII ids, integer values) takes the
shortest route. Every failure is an `EventInvalid` with a stable code and the parameter,
relative to the event, that caused it.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import ROUND_FLOOR, Decimal, InvalidOperation, localcontext
from typing import Any, NamedTuple

from folio.domain.billing.aggregation import Aggregation
from folio.domain.errors import InvalidInput
from folio.domain.money import format_decimal

_COUNT = Aggregation.COUNT.value
_UNIQUE_COUNT = Aggregation.UNIQUE_COUNT.value

MAX_AGE_SECONDS = 35 * 86_400  # as long as duplicates are guaranteed to be recognised
MAX_AHEAD_SECONDS = 300  # clock skew allowance
MAX_PROPERTIES = 50
MAX_MAGNITUDE = 10**18  # of a value or an integer property
MAX_DECIMALS = 12
FIELDS = frozenset({"event_id", "customer", "feature", "timestamp", "value", "properties"})
_MAX_DECIMAL = Decimal(MAX_MAGNITUDE)


class EventInvalid(Exception):
    """One event's first problem."""

    def __init__(self, code: str, param: str, message: str) -> None:
        super().__init__(message)
        self.code, self.param, self.message = code, param, message


class InexactNumber(InvalidInput):
    """A number arrived as a float: the body was parsed by a parser that does not keep
    decimals exact (orjson, for speed). The edge parses the body again exactly
    (Decimals) and starts over; another caller never passes floats."""

    def __init__(self) -> None:
        super().__init__("Numbers with a fraction must be exact decimals.",
                         code="parameter_invalid")


class ParsedEvent(NamedTuple):
    event_id: str
    customer: str
    feature: str
    timestamp: int | None  # None: not sent (the event is stamped with its customer's now)
    value: Any  # as sent; the meter decides whether and where a value is read
    properties: dict[str, Any] | None


class MeterRule(NamedTuple):
    """What ingestion needs of a meter (read once per batch, not per event)."""

    code: str
    aggregation: str
    property: str | None


def _good_text(value: Any, max_length: int, text_checked: bool = False) -> bool:
    """A non-empty string of at most `max_length` characters that PostgreSQL can store
    (no NUL, no lone surrogate). `text_checked`: the caller has already ruled out NUL
    and lone surrogates for the whole body."""
    if type(value) is not str or not 0 < len(value) <= max_length:
        return False
    return text_checked or ("\x00" not in value and (value.isascii() or _encodable(value)))


def _encodable(value: str) -> bool:
    try:
        value.encode()
    except UnicodeEncodeError:  # a lone surrogate from a JSON \ud800 escape
        return False
    return True


def _bad_text(value: Any, param: str, max_length: int) -> EventInvalid:
    if not isinstance(value, str):
        return EventInvalid("parameter_invalid", param, f"{param} must be a string.")
    if not value or len(value) > max_length:
        return EventInvalid("parameter_invalid", param,
                            f"{param} must be 1-{max_length} characters.")
    return EventInvalid("parameter_invalid", param,
                        f"{param} must be valid UTF-8 text without NUL characters.")


def decimal_text(value: Any, param: str) -> str:
    """The canonical text of an exact decimal value (a JSON integer, a JSON number parsed
    as Decimal, or a decimal string)."""
    if type(value) is int:
        if -MAX_MAGNITUDE < value < MAX_MAGNITUDE:
            return str(value)
    elif type(value) is Decimal or (type(value) is str and len(value) <= 64):
        try:
            dec = Decimal(value)
        except (InvalidOperation, ValueError):
            raise EventInvalid("parameter_invalid", param,
                               f"{param} is not a valid decimal.") from None
        with localcontext() as context:
            context.prec = 40  # normalize() must not round a 30-digit value
            if dec.is_finite() and abs(dec) < _MAX_DECIMAL and \
                    dec.normalize().as_tuple().exponent >= -MAX_DECIMALS:  # type: ignore[operator]
                return format_decimal(dec)
    else:
        raise EventInvalid("parameter_invalid", param,
                           f"{param} must be a decimal string or a number.")
    raise EventInvalid("parameter_invalid", param, f"{param} must be finite, below 1e18 in "
                       f"size and have at most {MAX_DECIMALS} decimal places.")


def _timestamp(value: Any) -> int:
    if type(value) is int:
        ts = value
    elif type(value) is Decimal and value.is_finite() and abs(value) < _MAX_DECIMAL:
        ts = int(value.to_integral_value(rounding=ROUND_FLOOR))
    elif type(value) is str and len(value) <= 40:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            raise EventInvalid("parameter_invalid", "timestamp", "timestamp must be unix "
                               "seconds or an ISO 8601 date-time with an offset, e.g. "
                               "2026-05-01T12:00:00Z.")
        ts = int(moment.timestamp() // 1)
    else:
        raise EventInvalid("parameter_invalid", "timestamp", "timestamp must be unix seconds "
                           "or an ISO 8601 date-time with an offset.")
    return ts


def event_time(ts: int | None, now: int) -> int:
    """The event's time judged against `now` (its customer's clock: a test clock's frozen
    time, else the real one): `now` when not sent, refused when too old or ahead."""
    if ts is None:
        return now
    if ts < now - MAX_AGE_SECONDS:
        raise EventInvalid("timestamp_too_old", "timestamp", "timestamp is more than 35 days "
                           "in the past; record such usage as an invoice line instead.")
    if ts > now + MAX_AHEAD_SECONDS:
        raise EventInvalid("timestamp_in_future", "timestamp",
                           "timestamp is more than 5 minutes in the future.")
    return ts


def _properties(value: Any, text_checked: bool) -> dict[str, Any] | None:
    """The properties as stored: strings, integers, booleans and nulls as sent; JSON
    numbers with a fraction as their exact decimal text."""
    if value is None:
        return None
    if type(value) is not dict:
        raise EventInvalid("parameter_invalid", "properties", "properties must be an object.")
    if len(value) > MAX_PROPERTIES:
        raise EventInvalid("parameter_invalid", "properties",
                           f"properties holds at most {MAX_PROPERTIES} keys.")
    converted: dict[str, Any] | None = None
    for key, item in value.items():
        if not _good_text(key, 40, text_checked):
            raise _bad_text(key, "properties", 40)
        kind = type(item)
        if kind is str:
            if item and not _good_text(item, 500, text_checked):
                raise _bad_text(item, f"properties.{key}", 500)
        elif kind is int:
            if not -MAX_MAGNITUDE < item < MAX_MAGNITUDE:
                raise EventInvalid("parameter_invalid", f"properties.{key}",
                                   f"properties.{key} is too large.")
        elif kind is Decimal:
            converted = converted or dict(value)
            converted[key] = decimal_text(item, f"properties.{key}")
        elif kind is float:
            raise InexactNumber
        elif kind is not bool and item is not None:
            raise EventInvalid("parameter_invalid", f"properties.{key}", f"properties.{key} "
                               "must be a string, number, boolean or null.")
    return converted or value


def parse_event(raw: Any, now: int | None, text_checked: bool = False) -> ParsedEvent:
    """One event of a request body. `now`: judge the timestamp against it (`event_time`);
    None leaves that to the caller, who knows the customer's clock. `text_checked`: the
    body is known to hold no NUL and no lone surrogate (see `body_text_is_clean`), so
    strings skip that scan."""
    if type(raw) is not dict:
        raise EventInvalid("parameter_invalid", "", "Each event must be a JSON object.")
    if not raw.keys() <= FIELDS:
        unknown = sorted(str(k) for k in raw.keys() - FIELDS)[0]
        raise EventInvalid("parameter_unknown", unknown,
                           f"Received unknown parameter: {unknown}.")
    event_id, customer, feature = raw.get("event_id"), raw.get("customer"), raw.get("feature")
    if not _good_text(event_id, 100, text_checked):
        raise _missing("event_id") if event_id is None else _bad_text(event_id, "event_id", 100)
    if not _good_text(customer, 40, text_checked):
        raise _missing("customer") if customer is None else _bad_text(customer, "customer", 40)
    if type(feature) is not str or not 0 < len(feature) <= 100:
        raise _missing("feature") if feature is None else EventInvalid(
            "parameter_invalid", "feature", "feature must be a meter code of 1-100 "
            "characters.")
    stamp, value = raw.get("timestamp"), raw.get("value")
    if type(stamp) is float or type(value) is float:
        raise InexactNumber
    ts = None if stamp is None else _timestamp(stamp)
    return ParsedEvent(event_id, customer, feature,  # type: ignore[arg-type]
                       ts if now is None else event_time(ts, now), value,
                       _properties(raw.get("properties"), text_checked))


_UNSAFE_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")


def body_text_is_clean(raw: bytes) -> bool:
    """True when no string of this JSON body can hold a NUL or a lone surrogate: the body
    is ASCII (raw control characters are invalid JSON) and has no \\u0000 and no
    surrogate escape. Other bodies are checked string by string."""
    return raw.isascii() and _UNSAFE_ESCAPE.search(raw) is None


def _missing(name: str) -> EventInvalid:
    return EventInvalid("parameter_missing", name, f"Missing required parameter: {name}.")


def measured_value(meter: MeterRule, event: ParsedEvent) -> str | None:
    """The value text the meter aggregates (None when it aggregates no value)."""
    aggregation, prop, value = meter.aggregation, meter.property, event.value
    if aggregation == _UNIQUE_COUNT:
        key = (event.properties or {}).get(prop or "")
        if key is None or key == "" or type(key) is bool:
            raise EventInvalid("parameter_missing", f"properties.{prop}",
                               f"Meter '{meter.code}' counts distinct values of "
                               f"properties.{prop}; the event has none.")
        return None if value is None else decimal_text(value, "value")
    if prop is not None:
        if value is not None:
            raise EventInvalid("parameter_invalid", "value", f"Meter '{meter.code}' reads its "
                               f"value from properties.{prop}; omit value.")
        found = (event.properties or {}).get(prop)
        if found is None:
            raise _missing(f"properties.{prop}")
        return decimal_text(found, f"properties.{prop}")
    if value is None:
        if aggregation == _COUNT:
            return None
        raise _missing("value")
    return decimal_text(value, "value")
