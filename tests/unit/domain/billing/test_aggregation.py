"""Usage aggregations over event values."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from folio.domain.billing.aggregation import Aggregation, UsagePoint, aggregate

SETTINGS = settings(max_examples=200, deadline=None)
D = Decimal

points = st.lists(st.builds(
    UsagePoint,
    timestamp=st.integers(min_value=0, max_value=100),
    value=st.decimals(min_value=-10**12, max_value=10**12, places=6, allow_nan=False,
                      allow_infinity=False),
    key=st.sampled_from(["u1", "u2", "u3", "u4"]),
), max_size=50).map(lambda ps: [UsagePoint(p.timestamp, p.value, p.key, i)
                                for i, p in enumerate(ps)])


@SETTINGS
@given(points=points)
def test_sum_is_exact(points: list[UsagePoint]) -> None:
    assert Fraction(aggregate(Aggregation.SUM, points)) == sum(
        (Fraction(p.value) for p in points if p.value is not None), Fraction(0))


@SETTINGS
@given(points=points)
def test_count_max_unique(points: list[UsagePoint]) -> None:
    assert aggregate(Aggregation.COUNT, points) == len(points)
    values = [p.value for p in points if p.value is not None]
    assert aggregate(Aggregation.MAX, points) == (max(values) if values else 0)
    assert aggregate(Aggregation.UNIQUE_COUNT, points) == len({p.key for p in points})


@SETTINGS
@given(points=points, data=st.data())
def test_order_of_arrival_does_not_matter(points: list[UsagePoint], data: st.DataObject
                                          ) -> None:
    shuffled = data.draw(st.permutations(points))
    for kind in Aggregation:
        assert aggregate(kind, shuffled) == aggregate(kind, points)


@SETTINGS
@given(points=points)
def test_latest_is_the_last_by_time_then_ingestion(points: list[UsagePoint]) -> None:
    latest = aggregate(Aggregation.LATEST, points)
    if not points:
        assert latest == 0
        return
    last = max(points, key=lambda p: (p.timestamp, p.sequence))
    assert latest == last.value


def test_latest_breaks_a_tie_of_time_and_recording_by_event_id() -> None:
    # two events of one second recorded in the same second: the greater event id wins,
    # in whatever order the rows are read
    a = UsagePoint(20, D(1), None, 100, "evt-a")
    b = UsagePoint(20, D(2), None, 100, "evt-b")
    assert aggregate(Aggregation.LATEST, [a, b]) == 2
    assert aggregate(Aggregation.LATEST, [b, a]) == 2
    assert aggregate(Aggregation.LATEST, [b, UsagePoint(20, D(3), None, 101, "evt-0")]) == 3


def test_examples() -> None:
    events = [UsagePoint(10, D("1.5"), "a", 0), UsagePoint(20, D(3), "b", 1),
              UsagePoint(20, D(2), "a", 2), UsagePoint(5, D(7), None, 3),
              UsagePoint(30, None, "c", 4)]
    assert aggregate(Aggregation.SUM, events) == D("13.5")
    assert aggregate(Aggregation.COUNT, events) == 5
    assert aggregate(Aggregation.MAX, events) == 7
    assert aggregate(Aggregation.UNIQUE_COUNT, events) == 3  # a, b, c; no key is no key
    assert aggregate(Aggregation.LATEST, events) == 2  # t=20, ingested after the 3
    for kind in Aggregation:
        assert aggregate(kind, []) == 0
    assert Aggregation.SUM.needs_value
    assert not Aggregation.COUNT.needs_value
