"""Response models and the request-body schema of meters and usage events (they document
/openapi.json; handlers return the service views directly)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from folio.api.schemas.common import Out
from folio.services.usage_events import MAX_BATCH


class MeterOut(Out):
    object: Literal["meter"]
    code: str
    name: str
    aggregation: Literal["sum", "count", "max", "unique_count", "latest"]
    property: str | None
    unit_label: str | None


class UsageEventBatchOut(BaseModel):
    object: Literal["usage_event_batch"]
    livemode: bool
    received: int
    accepted: int
    duplicates: int
    duplicate_event_ids: list[str]


class UsageAggregateOut(BaseModel):
    object: Literal["usage_aggregate"]
    feature: str
    meter: str
    name: str
    aggregation: str
    unit_label: str | None
    value: str
    event_count: int


class CustomerUsageOut(BaseModel):
    object: Literal["customer_usage"]
    customer: str
    livemode: bool
    from_: int = Field(alias="from")
    to: int
    data: list[UsageAggregateOut]


_EVENT: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["event_id", "customer", "feature"],
    "properties": {
        "event_id": {"type": "string", "minLength": 1, "maxLength": 100,
                     "description": "Your id of the event; a repeated id is recorded once."},
        "customer": {"type": "string", "minLength": 1, "maxLength": 40,
                     "description": "The customer's id (cus_...)."},
        "feature": {"type": "string", "pattern": "^[a-z0-9_]{1,100}$",
                    "description": "The meter's code."},
        "timestamp": {"anyOf": [{"type": "integer"}, {"type": "string", "format": "date-time"}],
                      "description": "Unix seconds or ISO 8601 with an offset; default now. "
                                     "At most 35 days old and 5 minutes ahead."},
        "value": {"anyOf": [{"type": "string"}, {"type": "number"}],
                  "description": "The quantity (a decimal string or a number), for sum, max "
                                 "and latest meters without a `property`."},
        "properties": {"type": "object", "maxProperties": 50,
                       "additionalProperties": {
                           "anyOf": [{"type": "string", "maxLength": 500},
                                     {"type": "number"}, {"type": "boolean"},
                                     {"type": "null"}]}},
    },
}

USAGE_EVENTS_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"anyOf": [
            _EVENT,
            {"type": "object", "additionalProperties": False, "required": ["events"],
             "properties": {"events": {"type": "array", "minItems": 1, "maxItems": MAX_BATCH,
                                       "items": _EVENT}}},
        ]}}},
    },
}
