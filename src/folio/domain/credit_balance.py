"""A customer's credit balance: grants of money (per currency, optionally expiring) that
recurring invoices draw on before tax. Pure functions over plain values.

A grant holds its original `amount` and its `remaining` (unallocated) part. Applying
credit takes from the usable grants oldest first (FIFO): a grant is usable for an invoice
when it is in the invoice's currency, not revoked, not expired at that moment and not
exhausted. Revoking takes away only what remains; what was applied stays applied.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import Enum

from folio.domain.errors import InvalidInput, InvalidState


class GrantStatus(str, Enum):
    ACTIVE = "active"  # something remains and may be applied
    EXHAUSTED = "exhausted"  # fully applied
    EXPIRED = "expired"  # something remained when it expired; no longer applied
    REVOKED = "revoked"  # its remainder was taken away


@dataclass(frozen=True)
class Grant:
    id: str
    currency: str
    amount: int  # as granted, minor units, > 0
    remaining: int  # not yet applied nor revoked, 0 <= remaining <= amount
    created: int  # unix seconds; with `sequence`, the FIFO order
    sequence: int = 0  # tie-break of grants created in the same second (insertion order)
    expires_at: int | None = None  # usable while now < expires_at
    revoked: bool = False

    def __post_init__(self) -> None:
        if self.amount <= 0:
            raise InvalidInput("A credit grant's amount must be positive.", param="amount")
        if not 0 <= self.remaining <= self.amount:
            raise InvalidInput("A grant's remaining credit must lie between 0 and its amount.",
                               param="remaining")
        if self.revoked and self.remaining != 0:
            raise InvalidInput("A revoked grant has nothing remaining.", param="remaining")

    def expired(self, at: int) -> bool:
        return self.expires_at is not None and at >= self.expires_at

    def usable(self, currency: str, at: int) -> bool:
        return (self.currency == currency and not self.revoked and self.remaining > 0
                and not self.expired(at))

    def status(self, at: int) -> GrantStatus:
        if self.revoked:
            return GrantStatus.REVOKED
        if self.remaining == 0:
            return GrantStatus.EXHAUSTED
        if self.expired(at):
            return GrantStatus.EXPIRED
        return GrantStatus.ACTIVE


@dataclass(frozen=True)
class Application:
    """`amount` minor units of grant `grant_id` applied to one invoice."""

    grant_id: str
    amount: int


def fifo(grants: Iterable[Grant]) -> list[Grant]:
    """Oldest first: by creation time, then insertion order."""
    return sorted(grants, key=lambda g: (g.created, g.sequence))


def available(grants: Iterable[Grant], currency: str, at: int) -> int:
    """The credit that may be applied now to an invoice in `currency`."""
    return sum(g.remaining for g in grants if g.usable(currency, at))


def apply_credit(grants: Sequence[Grant], currency: str, wanted: int, at: int,
                 ) -> tuple[Application, ...]:
    """Takes up to `wanted` minor units from the usable grants, oldest first.

    Never takes more than is asked nor more than a grant has; the applications sum to
    min(wanted, available). Grants of other currencies, expired, revoked or exhausted
    ones are skipped."""
    if wanted < 0:
        raise InvalidInput("The credit to apply cannot be negative.", param="amount")
    left = wanted
    taken: list[Application] = []
    for grant in fifo(grants):
        if left == 0:
            break
        if not grant.usable(currency, at):
            continue
        part = min(left, grant.remaining)
        taken.append(Application(grant_id=grant.id, amount=part))
        left -= part
    return tuple(taken)


def after(grants: Sequence[Grant], applications: Iterable[Application]) -> list[Grant]:
    """The grants with the applications taken from their remainders (same order)."""
    used: dict[str, int] = {}
    for app in applications:
        used[app.grant_id] = used.get(app.grant_id, 0) + app.amount
    out: list[Grant] = []
    for grant in grants:
        part = used.pop(grant.id, 0)
        if part > grant.remaining:
            raise InvalidState(f"Credit grant {grant.id} has only {grant.remaining} left.",
                               code="credit_grant_insufficient")
        out.append(replace(grant, remaining=grant.remaining - part) if part else grant)
    if used:
        raise InvalidInput(f"No such credit grant: '{sorted(used)[0]}'.", param="grant")
    return out


def revoke(grant: Grant) -> tuple[Grant, int]:
    """Takes away the unallocated remainder; returns the revoked grant and that amount.
    What was applied before stays applied (the grant's amount is unchanged)."""
    if grant.revoked:
        raise InvalidState(f"Credit grant {grant.id} is already revoked.",
                           code="credit_grant_revoked")
    return replace(grant, remaining=0, revoked=True), grant.remaining
