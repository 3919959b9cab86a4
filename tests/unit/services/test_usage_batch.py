"""The column-by-column path of usage ingestion (`usage_batch`) against the per-event path
(no database): whenever the fast path answers, it answers exactly the rows and repeats
the per-event path builds, and that path finds no error."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from folio.domain.errors import InvalidInput
from folio.services import usage_batch
from folio.services.usage_events import Lookups, event_by_event
from folio.services.usage_validation import InexactNumber, MeterRule

NOW = 1_780_000_000
FOUND = {"cus_a": (1, None), "cus_b": (2, None), "cus_clock": (3, NOW - 100)}
METERS = {"calls": MeterRule("calls", "count", None), "gb": MeterRule("gb", "sum", None),
          "users": MeterRule("users", "unique_count", "user"),
          "tokens": MeterRule("tokens", "sum", "tokens"),
          "level": MeterRule("level", "latest", None)}
CLOSED = {(2, "gb"): NOW - 50}

FIELDS: dict[str, list[Any]] = {
    "event_id": ["a", "b", "c", "a", "", 7, None, "x" * 101, "x" * 100],
    "customer": ["cus_a", "cus_b", "cus_clock", "cus_nope", "", 5, "c" * 41],
    "feature": ["calls", "gb", "users", "tokens", "level", "nope", "", None],
    "timestamp": [None, NOW, NOW - 10, NOW - 60, NOW - 36 * 86_400, NOW + 300, NOW + 301,
                  Decimal("1780000000.5"), "2026-05-01T00:00:00Z", True, 1.5],
    "value": [None, 3, -5, 10**18, -(10**18) + 1, "1.25", "abc", Decimal("2.5"), True, 1.5],
    "properties": [None, {}, {"user": "ada"}, {"tokens": 5}, {"user": 42},
                   {"tokens": "7.5"}, {"k": 1.5}, {"": 1}, {"k": Decimal("1.5")},
                   {"k": [1]}, "no", {"k": "x" * 501}, {"k": "x" * 500}, {"k" * 41: 1},
                   {"n": 10**18}, {f"k{i}": i for i in range(51)}, {"b": True, "z": None}],
    "bogus": [1],
}

event = st.fixed_dictionaries({}, optional={name: st.sampled_from(values)
                                            for name, values in FIELDS.items()})
usual = st.fixed_dictionaries({
    "event_id": st.sampled_from(["a", "b", "c", "d", "e"]),
    "customer": st.sampled_from(["cus_a", "cus_b"]),
    "feature": st.sampled_from(["calls", "gb", "level"]),
    "value": st.integers(-(10**18) + 1, 10**18 - 1)},
    optional={"timestamp": st.sampled_from([NOW, NOW - 100, NOW - 10]),
              "properties": st.sampled_from([{"region": "eu"}, {}, None])})


def _lookups(customers: set[str], features: set[str]) -> Lookups:
    return FOUND, METERS, CLOSED


def _compare(events: list[Any]) -> None:
    try:
        cols = usage_batch.columns(events, True)
    except InexactNumber:
        assert any(type(e.get(k)) is float for e in events if isinstance(e, dict)
                   for k in ("timestamp", "value")) or any(
            type(v) is float for e in events if isinstance(e, dict)
            and isinstance(e.get("properties"), dict) for v in e["properties"].values())
        return
    fast = None if cols is None else usage_batch.rows(cols, FOUND, METERS, CLOSED, NOW)
    if fast is None:
        return
    assert event_by_event(events, True, _lookups, NOW, True) == fast


@settings(max_examples=600, deadline=None)
@given(st.lists(st.one_of(event, usual), min_size=1, max_size=6))
def test_any_batch_the_fast_path_takes_matches_the_event_by_event_path(
        events: list[Any]) -> None:
    try:
        _compare(events)
    except InvalidInput as error:  # the per-event path refused what the fast path took
        raise AssertionError(f"fast path accepted an invalid batch: {error}") from error


@settings(max_examples=200, deadline=None)
@given(st.lists(usual, min_size=1, max_size=8))
def test_the_usual_batch_takes_the_fast_path(events: list[Any]) -> None:
    cols = usage_batch.columns(events, True)
    assert cols is not None
    fast = usage_batch.rows(cols, FOUND, METERS, {}, NOW)
    assert fast is not None
    assert event_by_event(events, True, lambda c, f: (FOUND, METERS, {}), NOW, True) == fast
    rows, repeated = fast
    assert [r[2] for r in rows] == sorted({e["event_id"] for e in events})
    assert len(rows) + len(repeated) == len(events)


def test_a_closed_period_or_a_test_clock_sends_the_batch_event_by_event() -> None:
    late = [{"event_id": "a", "customer": "cus_b", "feature": "gb", "value": 1,
             "timestamp": NOW - 60}]
    cols = usage_batch.columns(late, True)
    assert cols is not None
    assert usage_batch.rows(cols, FOUND, METERS, CLOSED, NOW) is None
    clocked = [{"event_id": "a", "customer": "cus_clock", "feature": "gb", "value": 1}]
    cols = usage_batch.columns(clocked, True)
    assert cols is not None
    assert usage_batch.rows(cols, FOUND, METERS, CLOSED, NOW) is None
    assert usage_batch.columns(late, False) is None  # the body's text was not checked


def test_copy_text_is_exact_or_left_to_the_driver() -> None:
    rows: list[usage_batch.Row] = [(7, "gb", "e-1", NOW, "1.5", {"k": "v"}),
                                   (8, "calls", "e-2", NOW, None, None)]
    assert usage_batch.copy_text(rows, 3, False, NOW) == (
        f'3\tf\t{NOW}\t7\tgb\te-1\t{NOW}\t1.5\t{{"k":"v"}}\n'
        f"3\tf\t{NOW}\t8\tcalls\te-2\t{NOW}\t\\N\t\\N\n")
    for event_id in ("a\\b", "a\tb", "a\nb", "a\rb"):
        assert usage_batch.copy_text([(7, "gb", event_id, NOW, "1", None)], 3, True, NOW) is None
    assert usage_batch.copy_text([(7, "gb", "e", NOW, "1", {"k": 'a"b'})], 3, True, NOW) is None
