"""Subscription statuses and the one transition table that changes them.

- trialing: inside the trial; nothing is billed;
- active: billed at every period boundary;
- past_due: an invoice could not be collected (set by collection/dunning); still billed;
- paused: no base price or seats are billed until it is resumed;
- canceled: final; nothing more is billed.
"""

from __future__ import annotations

from enum import Enum
from typing import Final

from folio.domain.errors import InvalidState


class SubscriptionStatus(str, Enum):
    TRIALING = "trialing"
    ACTIVE = "active"
    PAST_DUE = "past_due"
    PAUSED = "paused"
    CANCELED = "canceled"


class SubscriptionAction(str, Enum):
    END_TRIAL = "end_trial"
    PAUSE = "pause"
    RESUME = "resume"
    CANCEL = "cancel"
    PAYMENT_FAILED = "payment_failed"
    PAYMENT_RECOVERED = "payment_recovered"


S, A = SubscriptionStatus, SubscriptionAction

SUBSCRIPTION_TRANSITIONS: Final[dict[tuple[SubscriptionStatus, SubscriptionAction],
                                     SubscriptionStatus]] = {
    (S.TRIALING, A.END_TRIAL): S.ACTIVE,
    (S.TRIALING, A.PAUSE): S.PAUSED,
    (S.ACTIVE, A.PAUSE): S.PAUSED,
    (S.PAST_DUE, A.PAUSE): S.PAUSED,
    (S.PAUSED, A.RESUME): S.ACTIVE,
    (S.TRIALING, A.CANCEL): S.CANCELED,
    (S.ACTIVE, A.CANCEL): S.CANCELED,
    (S.PAST_DUE, A.CANCEL): S.CANCELED,
    (S.PAUSED, A.CANCEL): S.CANCELED,
    (S.ACTIVE, A.PAYMENT_FAILED): S.PAST_DUE,
    (S.PAST_DUE, A.PAYMENT_RECOVERED): S.ACTIVE,
}

# statuses in which the base price and seats accrue
CHARGING_STATUSES: Final = frozenset({S.ACTIVE, S.PAST_DUE})


def next_subscription_status(current: SubscriptionStatus,
                             action: SubscriptionAction) -> SubscriptionStatus:
    try:
        return SUBSCRIPTION_TRANSITIONS[(current, action)]
    except KeyError:
        raise InvalidState(
            f"Cannot {action.value.replace('_', ' ')} a subscription that is "
            f"{current.value}.", code=f"subscription_{current.value}") from None


def can(current: SubscriptionStatus, action: SubscriptionAction) -> bool:
    return (current, action) in SUBSCRIPTION_TRANSITIONS
