"""The customer credit balance: FIFO application, skipping unusable grants, revocation."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from folio.domain.credit_balance import (
    Application,
    Grant,
    GrantStatus,
    after,
    apply_credit,
    available,
    fifo,
    revoke,
)
from folio.domain.errors import InvalidInput, InvalidState

SETTINGS = settings(max_examples=300, deadline=None)
NOW = 1_000_000


@st.composite
def grants(draw: st.DrawFn) -> Grant:
    amount = draw(st.integers(min_value=1, max_value=10**9))
    revoked = draw(st.integers(min_value=0, max_value=4)) == 0  # one grant in five
    remaining = 0 if revoked else draw(st.integers(min_value=0, max_value=amount))
    return Grant(
        id="", currency=draw(st.sampled_from(["eur", "usd", "jpy"])), amount=amount,
        remaining=remaining, created=draw(st.integers(min_value=NOW - 100, max_value=NOW)),
        sequence=0,
        expires_at=draw(st.one_of(st.none(), st.integers(min_value=NOW - 50,
                                                           max_value=NOW + 50))),
        revoked=revoked)


@st.composite
def grant_lists(draw: st.DrawFn) -> list[Grant]:
    drawn = draw(st.lists(grants(), max_size=8))
    # ids and insertion order as the database gives them
    return [dataclasses.replace(g, id=f"ccg_{i}", sequence=i) for i, g in enumerate(drawn)]


@SETTINGS
@given(balance=grant_lists(), currency=st.sampled_from(["eur", "usd", "jpy"]),
       wanted=st.integers(min_value=0, max_value=5 * 10**9))
def test_applications_reconcile_exactly(balance: list[Grant], currency: str,
                                        wanted: int) -> None:
    usable = available(balance, currency, NOW)
    applications = apply_credit(balance, currency, wanted, NOW)
    taken = sum(a.amount for a in applications)
    # never more than asked, never more than available; exactly the smaller of the two
    assert taken == min(wanted, usable)
    by_id = {g.id: g for g in balance}
    assert len({a.grant_id for a in applications}) == len(applications)
    for a in applications:
        grant = by_id[a.grant_id]
        assert 0 < a.amount <= grant.remaining
        assert grant.usable(currency, NOW)  # other currencies, expired, revoked: skipped
    # oldest first: every grant before the last one drawn on is used up entirely
    order = [g.id for g in fifo(balance) if g.usable(currency, NOW)]
    drawn = [a.grant_id for a in applications]
    assert drawn == order[:len(drawn)]
    for a in applications[:-1]:
        assert a.amount == by_id[a.grant_id].remaining
    # the grants afterwards: the same total less what was taken, nothing else touched
    updated = after(balance, applications)
    assert sum(g.remaining for g in updated) == sum(g.remaining for g in balance) - taken
    assert available(updated, currency, NOW) == usable - taken
    for before, now in zip(balance, updated, strict=True):
        assert (now.id, now.amount, now.currency, now.expires_at) == (
            before.id, before.amount, before.currency, before.expires_at)


@SETTINGS
@given(balance=grant_lists(), currency=st.sampled_from(["eur", "usd"]),
       first=st.integers(min_value=0, max_value=10**9),
       second=st.integers(min_value=0, max_value=10**9))
def test_two_applications_in_a_row_take_what_one_would(
        balance: list[Grant], currency: str, first: int, second: int) -> None:
    one = apply_credit(balance, currency, first, NOW)
    rest = after(balance, one)
    two = apply_credit(rest, currency, second, NOW)
    both = sum(a.amount for a in one) + sum(a.amount for a in two)
    assert both == min(first + second, available(balance, currency, NOW))


@SETTINGS
@given(balance=grant_lists(), pick=st.integers(min_value=0, max_value=7))
def test_revoke_removes_only_the_remainder(balance: list[Grant], pick: int) -> None:
    if not balance:
        return
    grant = balance[pick % len(balance)]
    if grant.revoked:
        with pytest.raises(InvalidState) as info:
            revoke(grant)
        assert info.value.code == "credit_grant_revoked"
        return
    revoked, amount = revoke(grant)
    assert amount == grant.remaining
    assert (revoked.remaining, revoked.revoked, revoked.amount) == (0, True, grant.amount)
    applied_before = grant.amount - grant.remaining
    assert revoked.amount - revoked.remaining - amount == applied_before  # history kept
    assert revoked.status(NOW) is GrantStatus.REVOKED
    assert not revoked.usable(grant.currency, NOW)


def _grant(gid: str, amount: int, created: int, remaining: int | None = None,
           currency: str = "eur", expires_at: int | None = None, sequence: int = 0) -> Grant:
    return Grant(id=gid, currency=currency, amount=amount,
                 remaining=amount if remaining is None else remaining, created=created,
                 sequence=sequence, expires_at=expires_at)


def test_oldest_first_across_grants() -> None:
    balance = [_grant("new", 500, NOW), _grant("old", 300, NOW - 10),
               _grant("same-second-later", 100, NOW - 10, sequence=2),
               _grant("usd", 900, NOW - 20, currency="usd"),
               _grant("expired", 900, NOW - 30, expires_at=NOW),
               _grant("spent", 900, NOW - 40, remaining=0)]
    assert available(balance, "eur", NOW) == 900
    assert apply_credit(balance, "eur", 450, NOW) == (
        Application("old", 300), Application("same-second-later", 100),
        Application("new", 50))
    assert apply_credit(balance, "eur", 10_000, NOW) == (
        Application("old", 300), Application("same-second-later", 100),
        Application("new", 500))
    assert apply_credit(balance, "eur", 0, NOW) == ()
    assert apply_credit(balance, "gbp", 10, NOW) == ()
    # the expired grant was usable one second before it expired
    assert apply_credit(balance, "eur", 1, NOW - 1) == (Application("expired", 1),)


def test_statuses() -> None:
    assert _grant("a", 10, NOW).status(NOW) is GrantStatus.ACTIVE
    assert _grant("a", 10, NOW, remaining=0).status(NOW) is GrantStatus.EXHAUSTED
    assert _grant("a", 10, NOW, expires_at=NOW).status(NOW) is GrantStatus.EXPIRED
    assert _grant("a", 10, NOW, remaining=0, expires_at=NOW).status(NOW) \
        is GrantStatus.EXHAUSTED


def test_invalid_values_are_refused() -> None:
    with pytest.raises(InvalidInput):
        _grant("a", 0, NOW)
    with pytest.raises(InvalidInput):
        _grant("a", 10, NOW, remaining=11)
    with pytest.raises(InvalidInput):
        _grant("a", 10, NOW, remaining=-1)
    with pytest.raises(InvalidInput):
        apply_credit([], "eur", -1, NOW)
    with pytest.raises(InvalidState):
        after([_grant("a", 10, NOW, remaining=5)], [Application("a", 6)])
    with pytest.raises(InvalidInput):
        after([_grant("a", 10, NOW)], [Application("b", 1)])
