"""Billing a catalog product in one step, and one-time products with their price.

The rules live here so that every edge shares them (ChatDash's create-invoice endpoint is the
first user): the customer must have an admin contact, the product must be active and have an
active one-time price in the invoice currency, and `send_invoice` needs `days_until_due`.
The new invoice is a draft with one line from that price.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from folio.db.models import Invoice, Price, Product
from folio.domain.errors import RuleViolation
from folio.domain.money import normalize_currency
from folio.services import catalog, invoices
from folio.services.context import Ctx
from folio.services.customers import get_customer, has_admin_contact
from folio.services.inputs.catalog import PriceCreate, ProductCreate
from folio.services.inputs.invoices import CollectionMethod, InvoiceCreate, LineCreate


def active_prices(ctx: Ctx, products: Sequence[Product]) -> dict[int, list[Price]]:
    """The active prices of each product, newest first (one query for a whole page)."""
    out: dict[int, list[Price]] = {p.id: [] for p in products}
    if not out:
        return out
    rows = ctx.session.scalars(
        select(Price).where(Price.account_id == ctx.account_id,
                            Price.livemode == ctx.livemode, Price.active.is_(True),
                            Price.product_id.in_(list(out)))
        .order_by(Price.id.desc()))
    for price in rows:
        out[price.product_id].append(price)
    return out


def one_time_price(ctx: Ctx, product: Product, currency: str | None) -> Price | None:
    """The newest active one-time price of the product (in `currency` when given)."""
    for price in active_prices(ctx, [product])[product.id]:
        if price.type == "one_time" and (currency is None or price.currency == currency):
            return price
    return None


def create_invoice_for_product(
    ctx: Ctx, customer_id: str, product_id: str, *, collection_method: CollectionMethod,
    days_until_due: int | None = None, description: str | None = None,
) -> Invoice:
    """A draft invoice for the customer with one line: the product's one-time price.

    The currency is the customer's when it has one, else that of the product's newest
    active one-time price."""
    customer = get_customer(ctx, customer_id, param="customer")
    if not has_admin_contact(customer):
        raise RuleViolation(f"Customer {customer.public_id} has no admin contact; add one "
                            "before invoicing it.", param="customer",
                            code="customer_admin_missing")
    product = catalog.get_product(ctx, product_id, param="product")
    if not product.active:
        raise RuleViolation(f"Product {product.public_id} is archived.", param="product",
                            code="product_inactive")
    currency = normalize_currency(customer.currency) if customer.currency else None
    price = one_time_price(ctx, product, currency)
    if price is None:
        where = f" in {currency}" if currency else ""
        raise RuleViolation(f"Product {product.public_id} has no active one-time price{where}.",
                            param="product", code="product_one_time_price_missing")
    data = InvoiceCreate(customer=customer.public_id, currency=price.currency,
                         collection_method=collection_method, days_until_due=days_until_due,
                         description=description, lines=[LineCreate(price=price.public_id)])
    return invoices.create_invoice(ctx, data)


def create_one_time_product(ctx: Ctx, data: ProductCreate, *, currency: str, unit_amount: int,
                            tax_behavior: str = "unspecified") -> tuple[Product, Price]:
    """A product and its one-time price, in one unit of work."""
    product = catalog.create_product(ctx, data)
    price = catalog.create_price(ctx, PriceCreate.model_validate({
        "product": product.public_id, "currency": currency, "unit_amount": unit_amount,
        "type": "one_time", "tax_behavior": tax_behavior}))
    return product, price
