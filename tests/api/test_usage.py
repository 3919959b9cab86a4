"""Meters, usage event ingestion (validation, deduplication, all-or-nothing batches) and a
customer's aggregated usage, over /v1."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.api.test_conventions import assert_error, raw_post
from tests.conftest import Tenant

DAY = 86_400


def now() -> int:
    return int(time.time())


def meter(t: Tenant, code: str = "api_calls", aggregation: str = "sum",
          **fields: Any) -> dict[str, Any]:
    return t.ok("POST", "/v1/meters", {"code": code, "name": code.replace("_", " ").title(),
                                       "aggregation": aggregation, **fields})


def event(customer: str, event_id: str, feature: str = "api_calls", **fields: Any
          ) -> dict[str, Any]:
    return {"event_id": event_id, "customer": customer, "feature": feature, **fields}


def usage(t: Tenant, customer: str, **params: Any) -> dict[str, Any]:
    response = t.get(f"/v1/customers/{customer}/usage", **params)
    assert response.status_code == 200, response.text
    return {row["feature"]: row for row in response.json()["data"]}


@pytest.fixture
def cus(tenant: Tenant) -> str:
    return tenant.ok("POST", "/v1/customers", {"name": "Metered"})["id"]  # type: ignore[no-any-return]


class TestMeters:
    def test_create_get_list(self, tenant: Tenant) -> None:
        made = meter(tenant, "storage_gb", "max", unit_label="GB", metadata={"team": "infra"})
        assert made["object"] == "meter"
        assert made["id"].startswith("mtr_")
        assert (made["code"], made["aggregation"], made["unit_label"]) == ("storage_gb", "max",
                                                                          "GB")
        assert tenant.ok("GET", f"/v1/meters/{made['id']}") == made
        other = meter(tenant, "seats_active", "unique_count", property="user_id")
        listed = tenant.ok("GET", "/v1/meters")
        assert [m["id"] for m in listed["data"]] == [other["id"], made["id"]]
        events = tenant.ok("GET", "/v1/events?type=meter.created")["data"]
        assert {e["data"]["object"]["id"] for e in events} == {made["id"], other["id"]}

    def test_default_aggregation_is_sum(self, tenant: Tenant) -> None:
        made = tenant.ok("POST", "/v1/meters", {"code": "calls", "name": "Calls"})
        assert made["aggregation"] == "sum"
        assert made["property"] is None

    def test_code_is_unique_per_account_and_mode(self, tenant: Tenant,
                                                  other_tenant: Tenant) -> None:
        meter(tenant)
        assert_error(tenant.post("/v1/meters", {"code": "api_calls", "name": "Again"}), 400,
                     "meter_code_taken", "code")
        meter(other_tenant)  # another account
        assert tenant.post("/v1/meters", {"code": "api_calls", "name": "Live"},
                           live=True).status_code == 200  # the other mode

    @pytest.mark.parametrize(("body", "code", "param"), [
        ({"code": "Bad-Code", "name": "x"}, "parameter_invalid", "code"),
        ({"code": "", "name": "x"}, "parameter_invalid", "code"),
        ({"code": "x" * 101, "name": "x"}, "parameter_invalid", "code"),
        ({"code": "ok", "name": "x", "aggregation": "avg"}, "parameter_invalid", "aggregation"),
        ({"code": "ok", "name": "x", "aggregation": "unique_count"}, "meter_property_required",
         "property"),
        ({"code": "ok", "name": "x", "aggregation": "count", "property": "p"},
         "parameter_invalid", "property"),
        ({"code": "ok"}, "parameter_missing", "name"),
        ({"code": "ok", "name": "x", "color": "red"}, "parameter_unknown", "color"),
    ])
    def test_invalid(self, tenant: Tenant, body: dict[str, Any], code: str, param: str) -> None:
        assert_error(tenant.post("/v1/meters", body), 400, code, param)
        assert tenant.ok("GET", "/v1/meters")["data"] == []


class TestIngestion:
    def test_one_event_then_its_replay(self, tenant: Tenant, cus: str) -> None:
        meter(tenant)
        first = tenant.ok("POST", "/v1/usage_events", event(cus, "e-1", value=3))
        assert first == {"object": "usage_event_batch", "livemode": False, "received": 1,
                         "accepted": 1, "duplicates": 0, "duplicate_event_ids": []}
        again = tenant.ok("POST", "/v1/usage_events", event(cus, "e-1", value=300))
        assert (again["accepted"], again["duplicates"]) == (0, 1)
        assert again["duplicate_event_ids"] == ["e-1"]
        assert usage(tenant, cus)["api_calls"]["value"] == "3"  # the first one counts

    def test_batch_counts_new_and_duplicate_events(self, tenant: Tenant, cus: str) -> None:
        meter(tenant)
        tenant.ok("POST", "/v1/usage_events", event(cus, "b", value=1))
        batch = [event(cus, "a", value=2), event(cus, "b", value=10), event(cus, "c", value=4),
                 event(cus, "a", value=20), event(cus, "d", value="0.25")]
        result = tenant.ok("POST", "/v1/usage_events", {"events": batch})
        assert (result["received"], result["accepted"], result["duplicates"]) == (5, 3, 2)
        assert result["duplicate_event_ids"] == ["b", "a"]  # in batch order
        made = tenant.ok("GET", "/v1/meters")["data"][0]
        assert usage(tenant, cus)["api_calls"] == {
            "object": "usage_aggregate", "feature": "api_calls", "meter": made["id"],
            "name": "Api Calls", "aggregation": "sum", "unit_label": None, "value": "7.25",
            "event_count": 4}

    def test_a_stored_id_in_a_later_page_skips_only_that_event(self, tenant: Tenant,
                                                               cus: str) -> None:
        # rows go in pages of 1,000 (SQLite) or one COPY (PostgreSQL); a conflict found on
        # the way sends the rest through the statement that names what it skipped
        meter(tenant)
        tenant.ok("POST", "/v1/usage_events", event(cus, "p-1500", value=1000))
        batch = [event(cus, f"p-{i:04d}", value=1) for i in reversed(range(2500))]
        result = tenant.ok("POST", "/v1/usage_events", {"events": batch})
        assert (result["accepted"], result["duplicate_event_ids"]) == (2499, ["p-1500"])
        assert usage(tenant, cus)["api_calls"]["value"] == "3499"

    def test_values_are_exact(self, tenant: Tenant, cus: str) -> None:
        meter(tenant)
        raw = ('{"events": [' + ", ".join(
            f'{{"event_id": "x{i}", "customer": "{cus}", "feature": "api_calls", '
            f'"value": 0.1}}' for i in range(10)) + "]}").encode()
        assert raw_post(tenant, "/v1/usage_events", raw).status_code == 200
        tenant.ok("POST", "/v1/usage_events", event(cus, "big", value="123456789012.000000000001"))
        assert usage(tenant, cus)["api_calls"]["value"] == "123456789013.000000000001"
        tenant.ok("POST", "/v1/usage_events", {"events": [  # 30 significant digits each
            event(cus, "huge-1", value="999999999999999999.999999999999"),
            event(cus, "huge-2", value="999999999999999999.999999999999")]})
        assert usage(tenant, cus)["api_calls"]["value"] == "2000000123456789012.999999999999"

    def test_ids_and_properties_that_need_escaping_are_stored_exactly(
            self, tenant: Tenant, cus: str) -> None:
        # PostgreSQL writes batches with COPY: tabs, newlines and backslashes must not
        # shift or change a column (psycopg escapes those batches)
        meter(tenant, "users", "unique_count", property="user")
        ids = ["back\\slash", "tab\there", "new\nline", 'quote"d', "\u00fcn\u00ef", "plain"]
        users = ["a\\b", "c\td", "e\nf", 'g"h', "\u00fc", "a\\b"]
        for batch in ([event(cus, i, "users", properties={"user": u, "note": "x\\y\r"})
                       for i, u in zip(ids, users, strict=True)],
                      [event(cus, "plain-2", "users", properties={"user": 'q\\"'})]):
            result = tenant.ok("POST", "/v1/usage_events", {"events": batch})
            assert result["accepted"] == len(batch)
        assert usage(tenant, cus)["users"]["value"] == "6"  # a\b twice, and q\"
        again = tenant.ok("POST", "/v1/usage_events", {"events": [
            event(cus, i, "users", properties={"user": "z"}) for i in ids]})
        assert again["duplicate_event_ids"] == ids  # the ids were stored as sent

    def test_timestamps(self, tenant: Tenant, cus: str) -> None:
        meter(tenant)
        t = now()
        iso = datetime.fromtimestamp(t - 3600, UTC).isoformat().replace("+00:00", "Z")
        tenant.ok("POST", "/v1/usage_events", {"events": [
            event(cus, "int", value=1, timestamp=t - 10),
            event(cus, "iso", value=2, timestamp=iso),
            event(cus, "offset", value=4, timestamp="2020-01-01T00:00:00+01:00".replace(
                "2020-01-01", datetime.fromtimestamp(t - DAY, UTC).date().isoformat())),
            event(cus, "default", value=8)]})
        window = usage(tenant, cus, **{"from": t - 3600, "to": t - 9})
        assert window["api_calls"]["value"] == "3"  # int and iso; [from, to)

    @pytest.mark.parametrize(("fields", "code", "param"), [
        ({"value": "abc"}, "parameter_invalid", "value"),
        ({"value": "1e400"}, "parameter_invalid", "value"),
        ({"value": "NaN"}, "parameter_invalid", "value"),
        ({"value": "0.0000000000001"}, "parameter_invalid", "value"),
        ({"value": 10**18}, "parameter_invalid", "value"),
        ({"value": True}, "parameter_invalid", "value"),
        ({"value": [1]}, "parameter_invalid", "value"),
        ({}, "parameter_missing", "value"),
        ({"value": 1, "timestamp": 0}, "timestamp_too_old", "timestamp"),
        ({"value": 1, "timestamp": 10**12}, "timestamp_in_future", "timestamp"),
        ({"value": 1, "timestamp": "2026-13-01T00:00:00Z"}, "parameter_invalid", "timestamp"),
        ({"value": 1, "timestamp": "2026-05-01T00:00:00"}, "parameter_invalid", "timestamp"),
        ({"value": 1, "timestamp": True}, "parameter_invalid", "timestamp"),
        ({"value": 1, "properties": []}, "parameter_invalid", "properties"),
        ({"value": 1, "properties": {"k": {"nested": 1}}}, "parameter_invalid",
         "properties.k"),
        ({"value": 1, "properties": {f"k{i}": 1 for i in range(51)}}, "parameter_invalid",
         "properties"),
        ({"value": 1, "properties": {"k": "x" * 501}}, "parameter_invalid", "properties.k"),
        ({"value": 1, "properties": {"k": 10**20}}, "parameter_invalid", "properties.k"),
        ({"value": 1, "unknown": 1}, "parameter_unknown", "unknown"),
        ({"value": 1, "event_id": ""}, "parameter_invalid", "event_id"),
        ({"value": 1, "event_id": "x" * 101}, "parameter_invalid", "event_id"),
        ({"value": 1, "event_id": 5}, "parameter_invalid", "event_id"),
        ({"value": 1, "event_id": "nul\x00"}, "parameter_invalid", "event_id"),
        ({"value": 1, "event_id": None}, "parameter_missing", "event_id"),
        ({"value": 1, "feature": 7}, "parameter_invalid", "feature"),
    ])
    def test_invalid_event(self, tenant: Tenant, cus: str, fields: dict[str, Any], code: str,
                           param: str) -> None:
        meter(tenant)
        body = {**event(cus, "e-1"), **fields}
        assert_error(tenant.post("/v1/usage_events", body), 400, code, param)
        assert usage(tenant, cus)["api_calls"]["event_count"] == 0

    def test_unknown_customer_and_feature_are_404(self, tenant: Tenant, cus: str) -> None:
        meter(tenant)
        assert_error(tenant.post("/v1/usage_events", event("cus_nope", "e", value=1)), 404,
                     "resource_missing", "customer")
        assert_error(tenant.post("/v1/usage_events", event(cus, "e", "nope", value=1)), 404,
                     "resource_missing", "feature")

    def test_a_batch_is_all_or_nothing(self, tenant: Tenant, cus: str) -> None:
        meter(tenant)
        batch = [event(cus, "ok-1", value=1), event(cus, "bad-1", value="x"),
                 event(cus, "ok-2", value=2), "not an object", event("cus_nope", "bad-2",
                                                                      value=1),
                 event(cus, "bad-3", "nope", value=1), event(cus, "bad-4")]
        response = tenant.post("/v1/usage_events", {"events": batch})
        assert response.status_code == 400, response.text
        error = response.json()["error"]
        assert set(error) == {"type", "code", "message", "param", "errors"}
        assert error["code"] == "usage_events_invalid"
        assert error["param"] == "events[1].value"
        assert error["message"].startswith("5 of 7 events are invalid; none was recorded.")
        assert [(e["index"], e["code"], e["param"]) for e in error["errors"]] == [
            (1, "parameter_invalid", "events[1].value"),
            (3, "parameter_invalid", "events[3]"),
            (4, "resource_missing", "events[4].customer"),
            (5, "resource_missing", "events[5].feature"),
            (6, "parameter_missing", "events[6].value")]
        assert usage(tenant, cus)["api_calls"]["event_count"] == 0
        # fixed and resent, the same batch records every event once
        batch = [e for e in batch if isinstance(e, dict) and e["event_id"].startswith("ok")]
        assert tenant.ok("POST", "/v1/usage_events", {"events": batch})["accepted"] == 2

    def test_error_list_is_capped(self, tenant: Tenant, cus: str) -> None:
        meter(tenant)
        response = tenant.post("/v1/usage_events", {"events": [
            event(cus, f"e{i}", value="bad") for i in range(150)]})
        error = response.json()["error"]
        assert error["message"].startswith("150 of 150 events are invalid")
        assert len(error["errors"]) == 100

    @pytest.mark.parametrize(("body", "code", "param"), [
        ({"events": []}, "batch_size_invalid", "events"),
        ({"events": {}}, "batch_size_invalid", "events"),
        ({"events": [{}] * 10_001}, "batch_size_invalid", "events"),
        ({"events": [], "extra": 1}, "parameter_unknown", "extra"),
    ])
    def test_invalid_batch(self, tenant: Tenant, body: dict[str, Any], code: str,
                           param: str) -> None:
        assert_error(tenant.post("/v1/usage_events", body), 400, code, param)

    @pytest.mark.parametrize("raw", [
        b"", b"{", b"[1]", b"null", b'"text"', b"\xff\xfe{}", b"[" * 50_000 + b"]" * 50_000,
        b'{"event_id": "x", "value": NaN}', b'{"value": Infinity}',
        b'{"event_id": ' + b"9" * 5000 + b"}",
    ])
    def test_malformed_bodies_are_400(self, tenant: Tenant, raw: bytes) -> None:
        response = raw_post(tenant, "/v1/usage_events", raw)
        assert response.status_code == 400, response.text
        assert response.json()["error"]["code"] in ("body_invalid", "parameter_invalid")

    def test_strings_postgresql_cannot_store_are_refused(self, tenant: Tenant, cus: str
                                                         ) -> None:
        meter(tenant)
        for raw in [b'{"event_id": "a\\ud800", "customer": "%s", "feature": "api_calls", '
                    b'"value": 1}',
                    b'{"event_id": "a\\u0000", "customer": "%s", "feature": "api_calls", '
                    b'"value": 1}',
                    b'{"event_id": "a", "customer": "%s", "feature": "api_calls", '
                    b'"value": 1, "properties": {"k": "\xed\xa0\x80"}}']:
            response = raw_post(tenant, "/v1/usage_events", raw.replace(b"%s", cus.encode()))
            assert response.status_code == 400, response.text
        ok = raw_post(tenant, "/v1/usage_events", json.dumps(event(
            cus, "\u00e9t\u00e9-\U0001f600", value=1, properties={"who": "Zo\u00eb"})).encode())
        assert ok.status_code == 200, ok.text
        assert usage(tenant, cus)["api_calls"]["event_count"] == 1

    def test_idempotency_key_replays_the_response(self, tenant: Tenant, cus: str) -> None:
        meter(tenant)
        body = {"events": [event(cus, "k1", value=1)]}
        first = tenant.post("/v1/usage_events", body, **{"Idempotency-Key": "usage-1"})
        second = tenant.post("/v1/usage_events", body, **{"Idempotency-Key": "usage-1"})
        assert first.json() == second.json()
        assert second.json()["accepted"] == 1
        assert second.headers.get("Idempotent-Replayed") == "true"
        other = tenant.post("/v1/usage_events", {"events": [event(cus, "k2", value=1)]},
                            **{"Idempotency-Key": "usage-1"})
        assert_error(other, 400, "idempotency_key_reused")

    def test_ids_are_deduplicated_per_account_and_mode(self, tenant: Tenant,
                                                       other_tenant: Tenant, cus: str) -> None:
        meter(tenant)
        assert tenant.post("/v1/meters", {"code": "api_calls", "name": "Calls"},
                           live=True).status_code == 200
        live_cus = tenant.post("/v1/customers", {"name": "Live"}, live=True).json()["id"]
        tenant.ok("POST", "/v1/usage_events", event(cus, "same", value=1))
        live = tenant.post("/v1/usage_events", event(live_cus, "same", value=5), live=True)
        assert live.json()["accepted"] == 1
        meter(other_tenant)
        b_cus = other_tenant.ok("POST", "/v1/customers", {"name": "B"})["id"]
        assert other_tenant.ok("POST", "/v1/usage_events",
                               event(b_cus, "same", value=7))["accepted"] == 1
        assert usage(tenant, cus)["api_calls"]["value"] == "1"
        # a live key can neither record for nor read a test customer
        assert_error(tenant.post("/v1/usage_events", event(cus, "x", value=1), live=True), 404,
                     "resource_missing", "customer")
        assert tenant.get(f"/v1/customers/{cus}/usage", live=True).status_code == 404


class TestAggregations:
    def test_every_aggregation(self, tenant: Tenant, cus: str) -> None:
        meter(tenant, "calls", "count")
        meter(tenant, "peak_gb", "max")
        meter(tenant, "users", "unique_count", property="user")
        meter(tenant, "balance", "latest")
        meter(tenant, "tokens", "sum", property="tokens")
        t = now()
        tenant.ok("POST", "/v1/usage_events", {"events": [
            event(cus, "c1", "calls"), event(cus, "c2", "calls", value=99),
            event(cus, "p1", "peak_gb", value="1.5"), event(cus, "p2", "peak_gb", value=7),
            event(cus, "p3", "peak_gb", value="3"),
            event(cus, "u1", "users", properties={"user": "ada"}),
            event(cus, "u2", "users", properties={"user": "bob"}),
            event(cus, "u3", "users", properties={"user": "ada"}),
            event(cus, "u4", "users", properties={"user": 42}),
            event(cus, "l1", "balance", value=10, timestamp=t - 100),
            event(cus, "l2", "balance", value=30, timestamp=t - 50),
            event(cus, "l3", "balance", value=20, timestamp=t - 70),
            event(cus, "t1", "tokens", properties={"tokens": 1200, "model": "m"}),
            event(cus, "t2", "tokens", properties={"tokens": "0.5"}),
        ]})
        result = usage(tenant, cus)
        assert {code: row["value"] for code, row in result.items()} == {
            "calls": "2", "peak_gb": "7", "users": "3", "balance": "30", "tokens": "1200.5"}
        assert list(result) == ["balance", "calls", "peak_gb", "tokens", "users"]
        assert usage(tenant, cus, feature="users") == {"users": result["users"]}

    @pytest.mark.parametrize(("feature", "fields", "code", "param"), [
        ("users", {}, "parameter_missing", "properties.user"),
        ("users", {"properties": {"user": ""}}, "parameter_missing", "properties.user"),
        ("tokens", {"value": 3, "properties": {"tokens": 3}}, "parameter_invalid", "value"),
        ("tokens", {"properties": {"other": 3}}, "parameter_missing", "properties.tokens"),
        ("tokens", {"properties": {"tokens": "many"}}, "parameter_invalid",
         "properties.tokens"),
    ])
    def test_property_meters_need_their_property(self, tenant: Tenant, cus: str, feature: str,
                                                 fields: dict[str, Any], code: str,
                                                 param: str) -> None:
        meter(tenant, "users", "unique_count", property="user")
        meter(tenant, "tokens", "sum", property="tokens")
        assert_error(tenant.post("/v1/usage_events", event(cus, "e", feature, **fields)), 400,
                     code, param)


class TestUsageReads:
    def test_default_window_is_the_customers_current_month(self, tenant: Tenant) -> None:
        cus = tenant.ok("POST", "/v1/customers", {"name": "Tokyo",
                                                  "timezone": "Asia/Tokyo"})["id"]
        body = tenant.ok("GET", f"/v1/customers/{cus}/usage")
        start = datetime.fromtimestamp(body["from"], UTC)
        assert body["to"] > now() >= body["from"]
        assert (start.hour, start.minute) == (15, 0)  # midnight in Tokyo, UTC+9
        tokyo = start + timedelta(hours=9)
        assert tokyo.day == 1
        assert tokyo.month == datetime.fromtimestamp(now() + 9 * 3600, UTC).month
        assert body["data"] == []

    def test_window_validation_and_lookups(self, tenant: Tenant, cus: str,
                                           other_tenant: Tenant) -> None:
        meter(tenant)
        assert_error(tenant.get(f"/v1/customers/{cus}/usage", **{"from": 10, "to": 10}), 400,
                     "usage_window_invalid", "to")
        assert_error(tenant.get(f"/v1/customers/{cus}/usage", feature="nope"), 404,
                     "resource_missing", "feature")
        assert_error(tenant.get(f"/v1/customers/{cus}/usage", **{"from": -1}), 400,
                     param="from")
        assert_error(other_tenant.get(f"/v1/customers/{cus}/usage"), 404, "resource_missing")


def test_a_usage_read_leaves_the_transaction_writable(tenant: Tenant, cus: str,
                                                      db: Any) -> None:
    """Reading usage streams its events; the streaming must not outlive the read (on
    PostgreSQL a connection-wide yield_per made the next INSERT of the transaction fail)."""
    from folio.services import meters, usage_events, usage_reads
    from folio.services.context import Ctx

    meter(tenant)
    tenant.ok("POST", "/v1/usage_events", event(cus, "e-1", value=3))
    with db.transaction() as session:
        ctx = Ctx(session, account_id=tenant.keys.account.id, livemode=False)
        read = usage_reads.customer_usage(ctx, cus, "api_calls")
        assert [row["value"] for row in read["data"]] == ["3"]
        usage_events.ingest(ctx, event(cus, "e-2", value=4))
        meters.create_meter(ctx, meters.MeterCreate(code="after_read", name="After"))
    assert usage(tenant, cus, feature="api_calls")["api_calls"]["value"] == "7"
