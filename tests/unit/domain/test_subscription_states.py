"""The subscription transition table."""

from __future__ import annotations

import pytest

from folio.domain.errors import InvalidState
from folio.domain.subscriptions import (
    SUBSCRIPTION_TRANSITIONS,
    SubscriptionAction,
    SubscriptionStatus,
    can,
    next_subscription_status,
)

S, A = SubscriptionStatus, SubscriptionAction


def test_every_live_status_can_be_canceled_and_canceled_is_final() -> None:
    for status in S:
        assert can(status, A.CANCEL) is (status is not S.CANCELED)
    assert not any(source is S.CANCELED for source, _ in SUBSCRIPTION_TRANSITIONS)


@pytest.mark.parametrize(("status", "action", "after"), [
    (S.TRIALING, A.END_TRIAL, S.ACTIVE), (S.ACTIVE, A.PAUSE, S.PAUSED),
    (S.PAUSED, A.RESUME, S.ACTIVE), (S.ACTIVE, A.PAYMENT_FAILED, S.PAST_DUE),
    (S.PAST_DUE, A.PAYMENT_RECOVERED, S.ACTIVE), (S.PAST_DUE, A.PAUSE, S.PAUSED),
])
def test_transitions(status: S, action: A, after: S) -> None:
    assert next_subscription_status(status, action) is after


@pytest.mark.parametrize(("status", "action"), [
    (S.ACTIVE, A.RESUME), (S.PAUSED, A.PAUSE), (S.CANCELED, A.RESUME),
    (S.TRIALING, A.PAYMENT_FAILED), (S.PAUSED, A.END_TRIAL),
])
def test_refused_transitions_name_the_current_status(status: S, action: A) -> None:
    with pytest.raises(InvalidState) as refused:
        next_subscription_status(status, action)
    assert refused.value.code == f"subscription_{status.value}"
