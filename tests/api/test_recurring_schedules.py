"""Recurring schedules over /v1: create, read, list, update, pause, resume, cancel,
validation and tenant isolation; the Dolfin face shows where an invoice came from."""

from __future__ import annotations

import time
from typing import Any

import pytest

from folio.db.engine import Database
from folio.services.schedule_runner import run_due_schedules
from tests import factories as f
from tests.conftest import Tenant
from tests.faces.dolfin.helpers import Dolfin, assert_seed

DAY = 86_400
FUTURE = 4_100_000_000  # 2099: never due while this suite runs


def schedule(t: Tenant, **fields: Any) -> dict[str, Any]:
    customer = fields.pop("customer", None) or f.customer(t)["id"]
    body = {"customer": customer, "frequency": {"interval": "month"}, "start_at": FUTURE,
            "count": 12, "template": {"lines": [{"description": "Retainer",
                                                 "unit_amount": 25_000}]}, **fields}
    return t.ok("POST", "/v1/recurring_schedules", body)


def error(t: Tenant, path: str, body: dict[str, Any], status: int = 400) -> dict[str, Any]:
    r = t.post(path, body)
    assert r.status_code == status, r.text
    return r.json()["error"]  # type: ignore[no-any-return]


class TestLifecycle:
    def test_create_read_list_update(self, tenant: Tenant) -> None:
        rate = f.tax_rate(tenant, "20")
        s = schedule(tenant, currency="gbp", metadata={"team": "a"}, template={
            "lines": [{"description": "Retainer", "unit_amount": 25_000}],
            "default_tax_rates": [rate["id"]], "memo": "Monthly retainer"})
        assert s["object"] == "recurring_schedule"
        assert s["status"] == "active"
        assert s["currency"] == "gbp"
        assert s["frequency"] == {"interval": "month", "interval_count": 1}
        assert (s["next_occurrence"], s["next_run_at"]) == (1, FUTURE)
        assert s["template"]["default_tax_rates"] == [rate["id"]]
        assert tenant.ok("GET", f"/v1/recurring_schedules/{s['id']}") == s
        listed = tenant.ok("GET", "/v1/recurring_schedules")["data"]
        assert [x["id"] for x in listed] == [s["id"]]
        updated = tenant.ok("POST", f"/v1/recurring_schedules/{s['id']}",
                            {"count": 2, "template": {"lines": [{"unit_amount": 100}]}})
        assert updated["count"] == 2
        assert updated["template"]["lines"][0]["unit_amount"] == 100

    def test_pause_resume_cancel(self, tenant: Tenant) -> None:
        s = schedule(tenant)
        path = f"/v1/recurring_schedules/{s['id']}"
        assert tenant.ok("POST", f"{path}/pause")["status"] == "paused"
        assert error(tenant, f"{path}/pause", {}, 409)["code"] == "schedule_not_active"
        resumed = tenant.ok("POST", f"{path}/resume")
        assert resumed["status"] == "active"
        assert resumed["next_run_at"] == FUTURE  # nothing fell due while paused
        canceled = tenant.ok("POST", f"{path}/cancel")
        assert canceled["status"] == "canceled"
        assert canceled["next_run_at"] is None
        assert error(tenant, path, {"count": 3}, 409)["code"] == "schedule_canceled"
        assert error(tenant, f"{path}/resume", {}, 409)["code"] == "schedule_not_paused"
        events = tenant.get("/v1/events", object_id=s["id"], limit=100).json()["data"]
        assert [e["type"] for e in reversed(events)] == [
            "recurring_schedule.created", "recurring_schedule.paused",
            "recurring_schedule.resumed", "recurring_schedule.canceled"]

    def test_rrule_schedule(self, tenant: Tenant) -> None:
        s = schedule(tenant, frequency=None, count=None,
                     rrule="FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=6")
        assert s["rrule"] == "FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=6"
        assert s["frequency"] is None
        assert s["next_run_at"] > FUTURE


class TestValidation:
    @pytest.mark.parametrize(("fields", "param", "code"), [
        ({"rrule": "FREQ=SOMETIMES"}, "rrule", "rrule_invalid"),
        ({"rrule": "FREQ=HOURLY"}, "rrule", "rrule_invalid"),
        ({"rrule": "DTSTART:20200101T000000Z\nRRULE:FREQ=DAILY"}, "rrule", "rrule_invalid"),
        ({"rrule": "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"}, "rrule", "schedule_empty"),
        ({"rrule": "FREQ=MONTHLY;UNTIL=20990101"}, "rrule", "rrule_invalid"),
        ({"end_at": FUTURE - 1}, "end_at", "parameter_invalid"),
        ({"start_at": 1_000_000_000, "end_at": 1_000_000_001}, "end_at", "schedule_empty"),
        ({"auto_send": True}, "auto_send", "parameter_invalid"),
        ({"template": {"lines": [{"unit_amount": 1, "tax_rates": ["txr_nope"]}]}},
         "template.lines[0].tax_rates", "resource_missing"),
        ({"template": {"lines": [{"unit_amount": 1}], "collection_method": "send_invoice"}},
         "template.days_until_due", "days_until_due_required"),
    ])
    def test_bad_input_is_refused(self, tenant: Tenant, fields: dict[str, Any], param: str,
                                  code: str) -> None:
        keep_frequency = "rrule" not in fields
        body = {"customer": f.customer(tenant)["id"], "start_at": FUTURE,
                "template": {"lines": [{"unit_amount": 500}]}, **fields}
        if keep_frequency:
            body.setdefault("frequency", {"interval": "month"})
        r = tenant.post("/v1/recurring_schedules", body)
        assert 400 <= r.status_code < 500, r.text
        assert r.json()["error"]["code"] == code, r.text
        assert r.json()["error"]["param"] == param, r.text
        assert tenant.ok("GET", "/v1/recurring_schedules")["data"] == []

    def test_neither_or_both_rules(self, tenant: Tenant) -> None:
        base = {"customer": f.customer(tenant)["id"], "start_at": FUTURE,
                "template": {"lines": [{"unit_amount": 500}]}}
        assert error(tenant, "/v1/recurring_schedules", base)["code"] == "parameter_missing"
        both = {**base, "frequency": {"interval": "day"}, "rrule": "FREQ=DAILY"}
        assert error(tenant, "/v1/recurring_schedules", both)["param"] == "rrule"

    def test_unknown_customer(self, tenant: Tenant) -> None:
        err = error(tenant, "/v1/recurring_schedules", {
            "customer": "cus_nope", "frequency": {"interval": "month"}, "start_at": FUTURE,
            "template": {"lines": [{"unit_amount": 500}]}}, 404)
        assert err["param"] == "customer"

    def test_other_tenant_and_mode(self, tenant: Tenant, other_tenant: Tenant) -> None:
        s = schedule(tenant)
        for path in (f"/v1/recurring_schedules/{s['id']}",):
            assert other_tenant.get(path).status_code == 404
            assert tenant.get(path, live=True).status_code == 404
            assert other_tenant.post(f"{path}/cancel").status_code == 404
        assert other_tenant.ok("GET", "/v1/recurring_schedules")["data"] == []
        # a schedule for another tenant's customer is a 404 too
        err = error(other_tenant, "/v1/recurring_schedules", {
            "customer": s["customer"], "frequency": {"interval": "month"},
            "start_at": FUTURE, "template": {"lines": [{"unit_amount": 500}]}}, 404)
        assert err["param"] == "customer"
        assert tenant.ok("GET", f"/v1/recurring_schedules/{s['id']}")["status"] == "active"


def test_issued_invoice_through_v1_and_dolfin(tenant: Tenant, db: Database) -> None:
    start = int(time.time()) + 3600
    s = schedule(tenant, start_at=start, count=1, auto_send=True, template={
        "lines": [{"description": "Retainer", "unit_amount": 25_000}],
        "collection_method": "send_invoice", "days_until_due": 30, "memo": "Thanks"})
    run_due_schedules(db, start)
    (inv,) = tenant.ok("GET", "/v1/invoices")["data"]
    assert inv["recurring_schedule"] == s["id"]
    assert inv["recurring_occurrence"] == 1
    assert inv["status"] == "open"
    assert inv["sent_at"] == start
    assert inv["memo"] == "Thanks"
    assert tenant.ok("GET", f"/v1/recurring_schedules/{s['id']}")["status"] == "completed"
    d = Dolfin(tenant)
    body = d.get(f"/invoices/{inv['uuid']}").json()
    assert_seed("InvoiceResponse", body)
    assert body["recurringScheduleId"] == s["uuid"]
    assert body["recurringOccurrenceNumber"] == 1
