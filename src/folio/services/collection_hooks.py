"""Hooks the subscriptions layer plugs into automatic collection.

Collection knows nothing of subscriptions: it calls these hooks, inside the collecting
transaction, with the invoice (whose `subscription_ref` names its subscription, if any).
The lead wires subscriptions here: `past_due` on a failed payment, `canceled` (or left
`past_due`) per account settings when retries are exhausted, `active` again once paid.
"""

from __future__ import annotations

from collections.abc import Callable

from folio.db.models import Invoice
from folio.services.context import Ctx

InvoiceHook = Callable[[Ctx, Invoice], None]

_PAYMENT_FAILED: list[InvoiceHook] = []
_RETRIES_EXHAUSTED: list[InvoiceHook] = []
_PAYMENT_SUCCEEDED: list[InvoiceHook] = []


def _register(hooks: list[InvoiceHook], hook: InvoiceHook) -> Callable[[], None]:
    hooks.append(hook)
    return lambda: hooks.remove(hook)


def on_payment_failed(hook: InvoiceHook) -> Callable[[], None]:
    """After each failed automatic charge (the invoice stays open, or is closed when it
    was the last retry). Returns a function that unregisters the hook."""
    return _register(_PAYMENT_FAILED, hook)


def on_retries_exhausted(hook: InvoiceHook) -> Callable[[], None]:
    """After the last retry failed and the account's final action was applied (the
    invoice is uncollectible, or still open with no attempt planned)."""
    return _register(_RETRIES_EXHAUSTED, hook)


def on_payment_succeeded(hook: InvoiceHook) -> Callable[[], None]:
    """After an automatic charge paid the invoice (first attempt or a retry)."""
    return _register(_PAYMENT_SUCCEEDED, hook)


def payment_failed(ctx: Ctx, invoice: Invoice) -> None:
    for hook in list(_PAYMENT_FAILED):
        hook(ctx, invoice)


def retries_exhausted(ctx: Ctx, invoice: Invoice) -> None:
    for hook in list(_RETRIES_EXHAUSTED):
        hook(ctx, invoice)


def payment_succeeded(ctx: Ctx, invoice: Invoice) -> None:
    for hook in list(_PAYMENT_SUCCEEDED):
        hook(ctx, invoice)
