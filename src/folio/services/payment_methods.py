"""A customer's saved payment methods: attach (from a gateway token or a test card),
list, get, detach, and the default one that charge_automatically invoices are charged
to. The first method attached becomes the default; detaching the default leaves the
customer without one (never silently another card)."""

from __future__ import annotations

from datetime import UTC, datetime

from folio.db.models import Customer, PaymentMethod
from folio.db.repository import Page, page, scoped
from folio.domain.errors import InvalidInput, NotFound
from folio.services import events
from folio.services.balances import customer_out
from folio.services.card_vault import SavedCard, SavedCardGateway, default_vault
from folio.services.collection_views import payment_method_view
from folio.services.context import Ctx
from folio.services.customers import get_customer
from folio.services.gateway import Card, luhn_valid
from folio.services.inputs.collection import PaymentMethodAttach


def _saved(data: PaymentMethodAttach, vault: SavedCardGateway, today: tuple[int, int]
           ) -> SavedCard:
    if (data.token is None) == (data.card is None):
        raise InvalidInput("Give a token or a card, not both nor neither.", param="token",
                           code="parameter_missing" if data.card is None else
                           "parameter_invalid")
    if data.token is not None:
        return vault.lookup(data.token)
    assert data.card is not None
    number = "".join(ch for ch in data.card.number if ch not in " -")
    if not number.isdigit() or not 12 <= len(number) <= 19 or not luhn_valid(number):
        raise InvalidInput("The card number is not valid.", param="card.number",
                           code="invalid_card_number")
    if (data.card.exp_year, data.card.exp_month) < today:
        raise InvalidInput("The card has expired.", param="card.exp_year",
                           code="invalid_expiry")
    return vault.save(Card(number=number, exp_month=data.card.exp_month,
                           exp_year=data.card.exp_year, cvc=data.card.cvc))


def _today(ctx: Ctx) -> tuple[int, int]:
    now = datetime.fromtimestamp(ctx.now(), UTC)
    return now.year, now.month


def set_default(ctx: Ctx, customer: Customer, method: PaymentMethod | None) -> None:
    customer.default_payment_method = method.public_id if method else None
    customer.updated = ctx.now()
    ctx.session.flush()
    events.record(ctx, "customer.updated", customer_out(ctx, customer))


def attach(ctx: Ctx, customer_id: str, data: PaymentMethodAttach,
           vault: SavedCardGateway | None = None) -> PaymentMethod:
    customer = get_customer(ctx, customer_id, param="customer")
    vault = vault or default_vault()
    saved = _saved(data, vault, _today(ctx))
    method = PaymentMethod(**ctx.owned(), customer_id=customer.id, type="card",
                           gateway=vault.name, gateway_token=saved.token, brand=saved.brand,
                           last4=saved.last4, exp_month=saved.exp_month,
                           exp_year=saved.exp_year, metadata_=data.metadata or {})
    method.customer = customer
    ctx.session.add(method)
    ctx.session.flush()
    events.record(ctx, "payment_method.attached", payment_method_view(method))
    if data.set_default or customer.default_payment_method is None:
        set_default(ctx, customer, method)
    return method


def get_method(ctx: Ctx, customer_id: str, method_id: str) -> PaymentMethod:
    customer = get_customer(ctx, customer_id, param="customer")
    method = ctx.session.scalars(scoped(PaymentMethod, ctx.scope).where(
        PaymentMethod.public_id == method_id, PaymentMethod.customer_id == customer.id,
        PaymentMethod.detached_at.is_(None))).first()
    if method is None:
        raise NotFound(f"No such payment method: '{method_id}'.", param="id")
    return method


def list_methods(ctx: Ctx, customer_id: str, p: Page) -> tuple[list[PaymentMethod], bool]:
    customer = get_customer(ctx, customer_id, param="customer")
    stmt = scoped(PaymentMethod, ctx.scope).where(PaymentMethod.customer_id == customer.id,
                                                  PaymentMethod.detached_at.is_(None))
    return page(ctx.session, stmt, PaymentMethod, ctx.scope, p)


def detach(ctx: Ctx, customer_id: str, method_id: str) -> PaymentMethod:
    method = get_method(ctx, customer_id, method_id)
    customer = method.customer
    was_default = customer.default_payment_method == method.public_id
    view_before = payment_method_view(method)
    method.detached_at = ctx.now()
    ctx.session.flush()
    events.record(ctx, "payment_method.detached",
                  {**view_before, "customer": None, "default": False,
                   "detached_at": method.detached_at})
    if was_default:
        set_default(ctx, customer, None)
    return method


def make_default(ctx: Ctx, customer_id: str, method_id: str) -> PaymentMethod:
    method = get_method(ctx, customer_id, method_id)
    if method.customer.default_payment_method != method.public_id:
        set_default(ctx, method.customer, method)
    return method


def default_method(ctx: Ctx, customer: Customer) -> PaymentMethod | None:
    """The customer's default payment method, if it still is attached."""
    if not customer.default_payment_method:
        return None
    return ctx.session.scalars(scoped(PaymentMethod, ctx.scope).where(
        PaymentMethod.public_id == customer.default_payment_method,
        PaymentMethod.customer_id == customer.id,
        PaymentMethod.detached_at.is_(None))).first()

