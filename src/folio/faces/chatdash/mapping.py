"""Folio objects in ChatDash's shapes: ids, statuses, money and the response bodies.

- Ids are Folio's Stripe-style public ids, unchanged: `in_…`, `cus_…` (a ChatDash client
  `_id` and a Stripe customer id are the same Folio customer), `prod_…`, `ctc_…` (a member
  `_id`), `py_…` (a transaction), `acct_…` (the `accountId`).
- Statuses: Folio's invoice status is ChatDash's, word for word.
- Money: integers in the currency's minor unit on both sides; currency codes lower-case.
  `amount` is Stripe's `amount_due`: the total less credit notes issued before payment. It
  does not fall as payments arrive (a paid invoice still shows what was billed). A negative
  total went to the customer's credit balance at finalization, so it shows 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from folio.db.models import Customer, CustomerContact, Invoice, Payment, Price, Product

View = dict[str, Any]
PRICING_MODEL = {"one_time": "oneTime", "recurring": "base"}


def customer_ref(customer: Customer, snapshot: dict[str, Any] | None = None) -> View:
    """Stripe's customer {id, email, name}; a finalized invoice shows the details it froze.
    The vendor's schema has no null here: a missing name or e-mail is ''."""
    details = snapshot or {}
    return {"id": customer.public_id,
            "email": details.get("email") or customer.email or "",
            "name": details.get("name") or customer.name or ""}


def invoice_view(inv: Invoice) -> View:
    return {
        "id": inv.public_id,
        "amount": inv.total - inv.amount_credited + inv.credit_granted,
        "currency": inv.currency.lower(),
        "status": inv.status,
        "number": inv.number,
        "customer": customer_ref(inv.customer, inv.customer_snapshot),
        "description": inv.description or "",
        "created": inv.created,
    }


def pricing_view(price: Price | None) -> View | None:
    if price is None:
        return None
    unit = price.unit_amount_decimal
    amount = str(int(unit)) if unit == unit.to_integral_value() else format(unit, "f")
    return {
        "amount": amount,
        "billingCycle": price.recurring_interval,
        "currency": price.currency.lower(),
        "pricingModel": PRICING_MODEL[price.type],
        "metrics": None,
        "usageLimit": None,
        "overage": None,
    }


def shown_price(prices: Sequence[Price]) -> Price | None:
    """The price a product shows: its newest active one-time price, else its newest active
    price (prices come newest first)."""
    for price in prices:
        if price.type == "one_time":
            return price
    return prices[0] if prices else None


def product_view(product: Product, prices: Sequence[Price]) -> View:
    price = shown_price(prices)
    return {
        "productId": product.public_id,
        "productName": product.name,
        "description": product.description,
        "taxBehavior": price.tax_behavior if price else None,
        "pricing": pricing_view(price),
        "creationDate": product.created,
        "activeSubscriptionsCount": 0,
        "status": "active" if product.active else "archived",
    }


def product_status(status: str) -> bool | None:
    """ChatDash's `status` filter to Folio's `active` flag (`all` is no filter)."""
    return {"active": True, "archived": False}.get(status)


def client_view(customer: Customer) -> View:
    return {"_id": customer.public_id, "name": customer.name or "",
            "language": (customer.locale or "en")[:2], "isSaasClient": False}


def is_admin(contact: CustomerContact) -> bool:
    return "admin" in (contact.roles or [])


def roles_with_admin(roles: Sequence[str], admin: bool) -> list[str]:
    """`isAdmin` is Folio's contact role 'admin'; the contact's other roles stay."""
    kept = {r for r in roles if r != "admin"}
    return sorted(kept | {"admin"} if admin else kept)


def member_view(contact: CustomerContact) -> View:
    return {"_id": contact.public_id, "clientId": contact.customer.public_id,
            "isAdmin": is_admin(contact), "name": contact.name, "loginId": contact.login_id,
            "email": contact.email}


def transaction_view(payment: Payment) -> View:
    invoice = payment.invoice
    return {
        "id": payment.public_id,
        "amount": payment.amount,
        "currency": payment.currency.lower(),
        "status": payment.status,
        "description": f"Payment for invoice {invoice.number or invoice.public_id}",
        "customer": customer_ref(invoice.customer, invoice.customer_snapshot),
        "created": payment.created,
    }


def page_view(items: list[View], has_more: bool, cursor_key: str) -> View:
    return {"data": items, "has_more": has_more,
            "next_cursor": items[-1][cursor_key] if has_more and items else None}


def created_range(start: int | None, end: int | None) -> dict[str, int] | None:
    given = {k: v for k, v in (("gte", start), ("lte", end)) if v is not None}
    return given or None
