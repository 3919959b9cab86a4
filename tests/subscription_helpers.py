"""Shared builders for plan, subscription, billing run and test clock tests."""

from __future__ import annotations

import time
from typing import Any

from tests.conftest import Tenant

DAY = 86_400


def now() -> int:
    return int(time.time())


def metered_plan(t: Tenant, *, base: int = 2000, timing: str = "in_advance",
                 interval: str = "monthly", name: str = "Pro", meter: str = "api_calls",
                 included: str = "1000", currency: str = "eur",
                 **fields: Any) -> dict[str, Any]:
    """Base price, graduated overage on `meter` beyond `included`, per-seat price beyond
    2 seats, one boolean feature."""
    existing = t.get("/v1/meters", limit=100).json()["data"]
    if meter not in {m["code"] for m in existing}:
        t.ok("POST", "/v1/meters", {"code": meter, "name": "API calls", "aggregation": "sum"})
    return t.ok("POST", "/v1/plans", {
        "name": name, "currency": currency, "interval": interval, "base_amount": base,
        "billing_timing": timing,
        "features": [
            {"code": meter, "name": "API calls", "kind": "metered", "included": included,
             "charge": {"model": "graduated", "tiers": [
                 {"up_to": "1000", "unit_amount_decimal": "0.5"},
                 {"up_to": None, "unit_amount_decimal": "0.25"}]}},
            {"code": "seats", "name": "Seats", "kind": "seats", "included": "2",
             "charge": {"model": "per_unit", "unit_amount_decimal": "500"}},
            {"code": "sso", "name": "Single sign-on", "kind": "boolean"},
        ], **fields})


def usage(t: Tenant, customer: str, events: list[tuple[str, int, str]],
          feature: str = "api_calls") -> None:
    body = {"events": [{"event_id": eid, "customer": customer, "feature": feature,
                        "timestamp": ts, "value": value} for eid, ts, value in events]}
    t.ok("POST", "/v1/usage_events", body)


def lines_by_type(invoice: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for line in invoice["lines"]["data"]:
        out.setdefault(line["type"], []).append(line)
    return out


def invoices_of(t: Tenant, sub: str) -> list[dict[str, Any]]:
    """A subscription's invoices, oldest first."""
    data = t.get("/v1/invoices", subscription=sub, limit=100).json()["data"]
    return list(reversed(data))
