"""The hand-written validation of usage events (no database): exact values, and the
whole-body text check that lets ASCII bodies skip the per-string scan."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from folio.services.usage_validation import (
    EventInvalid,
    MeterRule,
    ParsedEvent,
    body_text_is_clean,
    decimal_text,
    measured_value,
    parse_event,
)

SETTINGS = settings(max_examples=300, deadline=None)
NOW = 1_780_000_000


def storable(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return "\x00" not in text


@SETTINGS
@given(text=st.text(), ascii_only=st.booleans())
def test_a_clean_body_holds_only_storable_strings(text: str, ascii_only: bool) -> None:
    raw = json.dumps({"event_id": text, "properties": {text: text}},
                     ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    if body_text_is_clean(raw):
        assert storable(text)


@pytest.mark.parametrize(("raw", "clean"), [
    (b'{"a": "plain"}', True), (b'{"a": "\\u0041"}', True), (b'{"a": "\\u0000"}', False),
    (b'{"a": "\\ud800"}', False), (b'{"a": "\\uDBFF\\uDFFF"}', False),
    ('{"a": "é"}'.encode(), False), (b'{"a": "\xed\xa0\x80"}', False),
])
def test_clean_bodies(raw: bytes, clean: bool) -> None:
    assert body_text_is_clean(raw) is clean


@SETTINGS
@given(value=st.decimals(min_value=Decimal("-1e17"), max_value=Decimal("1e17"), places=12,
                         allow_nan=False, allow_infinity=False))
def test_decimal_text_is_exact(value: Decimal) -> None:
    for form in (value, str(value)):
        assert Decimal(decimal_text(form, "value")) == value
    if value == value.to_integral_value():
        assert decimal_text(int(value), "value") == decimal_text(value, "value")


@pytest.mark.parametrize("value", [10**18, -(10**18), "1e18", "0.0000000000001", "x", "NaN",
                                   "Infinity", True, None, 1.5, [1], "1" * 65])
def test_decimal_text_refuses(value: object) -> None:
    with pytest.raises(EventInvalid) as err:
        decimal_text(value, "value")
    assert err.value.code == "parameter_invalid"
    assert err.value.param == "value"


def test_parse_event_defaults_and_conversions() -> None:
    event = parse_event({"event_id": "e", "customer": "cus_1", "feature": "f",
                         "properties": {"ratio": Decimal("0.50"), "n": 3, "ok": True,
                                        "none": None, "empty": ""}}, NOW)
    assert event.timestamp == NOW
    assert event.properties == {"ratio": "0.5", "n": 3, "ok": True, "none": None, "empty": ""}
    assert parse_event({"event_id": "e", "customer": "c", "feature": "f",
                        "timestamp": Decimal("1779999999.9")}, NOW).timestamp == 1_779_999_999


def test_measured_value_per_aggregation() -> None:
    def event(value: object = None, **properties: object) -> ParsedEvent:
        return ParsedEvent("e", "c", "f", NOW, value, properties or None)

    assert measured_value(MeterRule("f", "sum", None), event(Decimal("2.50"))) == "2.5"
    assert measured_value(MeterRule("f", "count", None), event()) is None
    assert measured_value(MeterRule("f", "count", None), event(4)) == "4"
    assert measured_value(MeterRule("f", "unique_count", "user"), event(user="u")) is None
    assert measured_value(MeterRule("f", "max", "gb"), event(gb="1.25")) == "1.25"
    for rule, bad in [(MeterRule("f", "latest", None), event()),
                      (MeterRule("f", "unique_count", "user"), event(user=True)),
                      (MeterRule("f", "sum", "t"), event(1, t=1))]:
        with pytest.raises(EventInvalid):
            measured_value(rule, bad)
