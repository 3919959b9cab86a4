"""ChatDash's subscriptions (`/stripe/connect/accounts/{accountId}/subscriptions`) over
Folio subscriptions. Translation only: every rule lives in folio.services.

A ChatDash product names what is subscribed to: for a subscription, `productId` is a Folio
plan id (`plan_…`); the one-time products of POST /products (`prod_…`) are invoiced, not
subscribed to. See docs/faces/chatdash.md."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from folio.db.models import Subscription
from folio.db.repository import Page
from folio.domain.errors import InvalidInput, NotFound
from folio.faces.chatdash import mapping as m
from folio.faces.chatdash.auth import AccountCall
from folio.faces.chatdash.routes import ACCOUNT, ERRORS
from folio.faces.chatdash.subscription_schemas import (
    CanceledOut,
    StripeStatus,
    SubscriptionCreateBody,
    SubscriptionList,
    SubscriptionOut,
    SubscriptionUpdateBody,
    TaxSettings,
)
from folio.services import customers, subscriptions
from folio.services.context import Ctx
from folio.services.inputs.invoices import DiscountInput
from folio.services.plans import plan_spec
from folio.services.subscription_time import period_price

router = APIRouter(responses=ERRORS, tags=["Subscriptions"])
SUBS = ACCOUNT + "/subscriptions"
AGENTS = "chatdash_agent_ids"  # metadata key holding the agentIds, comma separated
# Stripe's status filter -> Folio's status (the others never arise in Folio: empty lists)
STATUS_FILTER = {"trialing": "trialing", "active": "active", "past_due": "past_due",
                 "paused": "paused", "canceled": "canceled"}
Cursor = Annotated[str | None, Query(max_length=40)]
View = dict[str, Any]


def subscription_view(s: Subscription) -> View:
    """Folio's statuses are Stripe's words; `amount` is one whole period's price (base and
    seats, before usage, discounts and tax), rounded half up to the minor unit."""
    price = period_price(plan_spec(s.plan), s.seats)
    coupons = [d["coupon"] for d in s.discounts or [] if d.get("coupon")]
    agents = (s.metadata_ or {}).get(AGENTS) or ""
    return {
        "id": s.public_id, "type": "subscription", "status": s.status,
        "customer": m.customer_ref(s.customer),
        "current_period_start": s.current_period_start,
        "current_period_end": s.current_period_end, "created": s.created,
        "collection_method": s.collection_method,
        "cancel_at_period_end": s.cancel_at_period_end, "canceled_at": s.canceled_at,
        "product": {"id": s.plan.public_id, "name": s.plan.name},
        "automatic_tax": {"enabled": False}, "coupon": coupons[0] if coupons else None,
        "agents": [a for a in agents.split(",") if a], "priceIds": [],
        "startDate": s.start_date,
        "amount": int(price.quantize(Decimal(1), rounding=ROUND_HALF_UP)),
        "currency": s.plan.currency.lower(),
    }


def _no_tax(settings: TaxSettings | None) -> None:
    if settings is not None and settings.enabled:
        raise InvalidInput("Automatic tax is not supported: set tax rates on the account "
                           "instead, and send taxSettings.enabled false.",
                           param="data.taxSettings.enabled")


@router.get(SUBS, response_model=SubscriptionList, summary="List Subscriptions")
def list_subscriptions(call: AccountCall, status: StripeStatus = "active",
                       limit: Annotated[int, Query(ge=1, le=100)] = 100,
                       starting_after: Cursor = None) -> Response:
    folio_status = STATUS_FILTER.get(status)

    def run(ctx: Ctx) -> View:
        if folio_status is None:
            return {"subscriptions": [], "has_more": False, "next_cursor": None}
        rows, more = subscriptions.list_subscriptions(
            ctx, Page(limit=limit, starting_after=starting_after), status=folio_status)
        items = [subscription_view(s) for s in rows]
        return {"subscriptions": items, "has_more": more,
                "next_cursor": items[-1]["id"] if more and items else None}

    return call.read(run)


@router.get(SUBS + "/by-customer", response_model=SubscriptionList,
            summary="Get Subscriptions by Customer")
def by_customer(call: AccountCall,
                customerId: Annotated[str | None, Query(max_length=40)] = None,  # noqa: N803
                email: Annotated[str | None, Query(max_length=320)] = None) -> Response:
    """Every subscription of the customer (a ChatDash client), newest first, whatever its
    status; by `customerId`, else by billing e-mail."""
    if not customerId and not email:
        raise InvalidInput("Send customerId or email.", param="customerId")

    def run(ctx: Ctx) -> View:
        if customerId:
            customer = customers.get_customer(ctx, customerId, param="customerId")
        else:
            found = customers.find_by_email(ctx, email or "")
            if found is None:
                raise NotFound(f"No such customer with email '{email}'.", param="email")
            customer = found
        items: list[View] = []
        cursor = None
        while True:
            rows, more = subscriptions.list_subscriptions(
                ctx, Page(limit=100, starting_after=cursor), customer=customer.public_id)
            items.extend(subscription_view(s) for s in rows)
            if not more or not rows:
                return {"subscriptions": items, "has_more": False, "next_cursor": None}
            cursor = rows[-1].public_id

    return call.read(run)


@router.get(SUBS + "/{subscriptionId}", response_model=SubscriptionOut,
            summary="Get Subscription")
def get_subscription(call: AccountCall, subscriptionId: str) -> Response:  # noqa: N803
    return call.read(lambda ctx: subscription_view(
        subscriptions.get_subscription(ctx, subscriptionId, param="subscriptionId")))


@router.post(SUBS, response_model=SubscriptionOut, summary="Create Subscription")
def create_subscription(call: AccountCall, body: SubscriptionCreateBody) -> Response:
    """`clientId` is the Folio customer (it needs an admin member), `selectedProduct.
    productId` the Folio plan, `couponId` a Folio coupon."""
    data = body.data
    _no_tax(data.taxSettings)
    metadata = {AGENTS: ",".join(data.agentIds)} if data.agentIds else None
    discounts = [DiscountInput(coupon=data.couponId)] if data.couponId else None

    def run(ctx: Ctx) -> View:
        customer = customers.require_admin_contact(ctx, data.clientId, "subscribing",
                                                   param="clientId")
        sub = subscriptions.create_subscription(ctx, subscriptions.SubscriptionCreate(
            customer=customer.public_id, plan=data.selectedProduct.productId,
            start_date=data.selectedProduct.startDate,
            collection_method=data.collection_method, days_until_due=data.days_until_due,
            discounts=discounts, metadata=metadata))
        return subscription_view(sub)

    return call.write(run, body)


@router.put(SUBS + "/{subscriptionId}", response_model=SubscriptionOut,
            summary="Update Subscription")
def update_subscription(call: AccountCall, subscriptionId: str,  # noqa: N803
                        body: SubscriptionUpdateBody) -> Response:
    """`productId` changes the plan (prorated), `cancelAtPeriodEnd` schedules or undoes the
    cancellation at the period's end."""
    data = body.data
    _no_tax(data.taxSettings)
    if data.startDate is not None:
        raise InvalidInput("A subscription's startDate cannot change; cancel it and "
                           "create a new one.", param="data.startDate")
    changes = subscriptions.SubscriptionUpdate(plan=data.productId,
                                               cancel_at_period_end=data.cancelAtPeriodEnd)

    def run(ctx: Ctx) -> View:
        subscriptions.get_subscription(ctx, subscriptionId, param="subscriptionId")
        return subscription_view(subscriptions.update_subscription(ctx, subscriptionId,
                                                                   changes))

    return call.write(run, body)


@router.delete(SUBS + "/{subscriptionId}", response_model=CanceledOut,
               summary="Delete Subscription")
def cancel_subscription(call: AccountCall, subscriptionId: str) -> Response:  # noqa: N803
    """Cancels now: the unused time is credited and a final invoice bills the period's
    usage so far."""
    def run(ctx: Ctx) -> View:
        subscriptions.get_subscription(ctx, subscriptionId, param="subscriptionId")
        sub = subscriptions.cancel_subscription(ctx, subscriptionId,
                                                subscriptions.SubscriptionCancel())
        return {"id": sub.public_id, "canceled": True}

    return call.write(run)
