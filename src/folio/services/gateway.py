"""The payment-gateway interface, and the built-in sandbox gateway.

A gateway charges a payment method once per idempotency key. The sandbox answers from test
card numbers, in the spirit of Stripe's test cards, and keeps no state of its own: Folio's
charge_attempts table is what makes a charge happen at most once per attempt.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from folio.domain.errors import InvalidInput


class Outcome(str, Enum):
    SUCCEEDED = "succeeded"
    DECLINED = "declined"
    REQUIRES_ACTION = "requires_action"


@dataclass(frozen=True)
class ChargeResult:
    outcome: Outcome
    reference: str | None = None
    decline_code: str | None = None
    message: str = ""


@dataclass(frozen=True)
class Card:
    number: str
    exp_month: int
    exp_year: int
    cvc: str

    @property
    def masked(self) -> str:
        return f"card ****{self.number[-4:]}"


class PaymentGateway(Protocol):
    name: str

    def charge(self, *, amount: int, currency: str, card: Card,
               idempotency_key: str) -> ChargeResult: ...


# number -> (outcome, decline code, message shown to the payer)
TEST_CARDS: dict[str, tuple[Outcome, str | None, str]] = {
    "4242424242424242": (Outcome.SUCCEEDED, None, "Payment succeeded."),
    "5555555555554444": (Outcome.SUCCEEDED, None, "Payment succeeded."),
    "4000000000000002": (Outcome.DECLINED, "card_declined", "Your card was declined."),
    "4000000000009995": (Outcome.DECLINED, "insufficient_funds",
                         "Your card has insufficient funds."),
    "4000000000000069": (Outcome.DECLINED, "expired_card", "Your card has expired."),
    "4000002500003155": (Outcome.REQUIRES_ACTION, "authentication_required",
                         "Your bank asks you to authenticate this payment."),
}


def luhn_valid(number: str) -> bool:
    digits = [int(d) for d in number]
    checksum = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        checksum += d
    return checksum % 10 == 0


def parse_card(number: str, exp: str, cvc: str, *, today: tuple[int, int]) -> Card:
    """Validates what a payer typed: a Luhn-valid number, an expiry MM/YY not in the past
    (today is (year, month)) and a 3-4 digit CVC."""
    digits = "".join(ch for ch in number if ch not in " -")
    if not (digits.isdigit() and 12 <= len(digits) <= 19 and luhn_valid(digits)):
        raise InvalidInput("The card number is not valid.", param="card_number",
                           code="invalid_card_number")
    month_text, _, year_text = exp.strip().partition("/")
    if not (month_text.strip().isdigit() and year_text.strip().isdigit()):
        raise InvalidInput("The expiry date must be MM/YY.", param="card_exp",
                           code="invalid_expiry")
    month, year = int(month_text), int(year_text)
    year += 2000 if year < 100 else 0
    if not 1 <= month <= 12 or (year, month) < today:
        raise InvalidInput("The expiry date is not valid.", param="card_exp",
                           code="invalid_expiry")
    if not (cvc.strip().isdigit() and 3 <= len(cvc.strip()) <= 4):
        raise InvalidInput("The security code must be 3 or 4 digits.", param="card_cvc",
                           code="invalid_cvc")
    return Card(number=digits, exp_month=month, exp_year=year, cvc=cvc.strip())


class SandboxGateway:
    """Test cards only: a real card number is refused, never charged."""

    name = "sandbox"

    def charge(self, *, amount: int, currency: str, card: Card,
               idempotency_key: str) -> ChargeResult:
        known = TEST_CARDS.get(card.number)
        if known is None:
            raise InvalidInput("The sandbox accepts test cards only (e.g. 4242 4242 4242 "
                               "4242).", param="card_number", code="test_card_required")
        outcome, code, message = known
        reference = None
        if outcome is Outcome.SUCCEEDED:
            digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]
            reference = f"sbx_{digest}"
        return ChargeResult(outcome=outcome, reference=reference, decline_code=code,
                            message=message)
