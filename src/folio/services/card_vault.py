"""Saved cards: the gateway side of payment methods.

A gateway that can save a card gives back a token; Folio keeps the token and what a
receipt may show (brand, last four digits, expiry), never the number, and charges the
token later without the payer present. The sandbox's tokens are Stripe-style test
payment methods (`pm_card_visa`, `pm_card_chargeDeclined`, ...); a sandbox test card
number saved through the API becomes the token of the same test card.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from folio.domain.errors import InvalidInput
from folio.services.gateway import TEST_CARDS, Card, ChargeResult, SandboxGateway


@dataclass(frozen=True)
class SavedCard:
    token: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int


class SavedCardGateway(Protocol):
    name: str

    def save(self, card: Card) -> SavedCard: ...

    def lookup(self, token: str) -> SavedCard: ...

    def charge_saved(self, *, amount: int, currency: str, token: str,
                     idempotency_key: str) -> ChargeResult: ...


# token -> test card number; the expiry of the sandbox's tokens is fixed in the future
SANDBOX_TOKENS: dict[str, str] = {
    "pm_card_visa": "4242424242424242",
    "pm_card_mastercard": "5555555555554444",
    "pm_card_chargeDeclined": "4000000000000002",
    "pm_card_chargeDeclinedInsufficientFunds": "4000000000009995",
    "pm_card_chargeDeclinedExpiredCard": "4000000000000069",
    "pm_card_authenticationRequired": "4000002500003155",
}
SANDBOX_EXPIRY = (12, 2034)
_TOKEN_OF = {number: token for token, number in SANDBOX_TOKENS.items()}


def brand_of(number: str) -> str:
    if number.startswith("4"):
        return "visa"
    if number[:2] in ("51", "52", "53", "54", "55") or "2221" <= number[:4] <= "2720":
        return "mastercard"
    if number[:2] in ("34", "37"):
        return "amex"
    return "unknown"


class SandboxCardVault:
    """Saves and charges the sandbox's test cards only."""

    name = "sandbox"

    def __init__(self) -> None:
        self._gateway = SandboxGateway()

    def save(self, card: Card) -> SavedCard:
        token = _TOKEN_OF.get(card.number)
        if token is None or card.number not in TEST_CARDS:
            raise InvalidInput("The sandbox saves test cards only (e.g. 4242 4242 4242 "
                               "4242, or the token pm_card_visa).", param="card.number",
                               code="test_card_required")
        return SavedCard(token=token, brand=brand_of(card.number), last4=card.number[-4:],
                         exp_month=card.exp_month, exp_year=card.exp_year)

    def lookup(self, token: str) -> SavedCard:
        number = SANDBOX_TOKENS.get(token)
        if number is None:
            raise InvalidInput(f"Unknown test payment method '{token[:60]}'; use one of "
                               f"{', '.join(SANDBOX_TOKENS)}.", param="token",
                               code="payment_method_token_invalid")
        month, year = SANDBOX_EXPIRY
        return SavedCard(token=token, brand=brand_of(number), last4=number[-4:],
                         exp_month=month, exp_year=year)

    def charge_saved(self, *, amount: int, currency: str, token: str,
                     idempotency_key: str) -> ChargeResult:
        number = SANDBOX_TOKENS.get(token)
        if number is None:  # pragma: no cover - only sandbox tokens are ever saved
            raise InvalidInput("Unknown test payment method.", param="payment_method")
        month, year = SANDBOX_EXPIRY
        return self._gateway.charge(amount=amount, currency=currency,
                                    card=Card(number=number, exp_month=month,
                                              exp_year=year, cvc="000"),
                                    idempotency_key=idempotency_key)


def default_vault() -> SavedCardGateway:
    """The gateway saved cards are charged through (the built-in sandbox)."""
    return SandboxCardVault()
