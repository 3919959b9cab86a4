"""Plans and subscriptions (with their upcoming invoice)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from folio.api.deps import CallDep
from folio.api.routes.common import ERRORS, CreatedDep, PageDep, listing
from folio.api.schemas.common import ListOf
from folio.api.schemas.invoices import InvoiceOut
from folio.api.schemas.subscriptions import PlanOut, SubscriptionOut
from folio.services import plans, subscriptions
from folio.services.plans import PlanCreate, PlanUpdate, plan_view
from folio.services.subscription_views import subscription_view
from folio.services.subscriptions import (
    SubscriptionCancel,
    SubscriptionCreate,
    SubscriptionUpdate,
)

router = APIRouter(prefix="/v1", responses=ERRORS)
IdQuery = Annotated[str | None, Query(max_length=40)]
Status = Annotated[str | None, Query(pattern="^(trialing|active|past_due|paused|canceled)$")]


@router.post("/plans", response_model=PlanOut, tags=["plans"], summary="Create a plan")
def create_plan(body: PlanCreate, call: CallDep) -> Response:
    return call.write(lambda ctx: plan_view(plans.create_plan(ctx, body)), body)


@router.get("/plans/{plan_id}", response_model=PlanOut, tags=["plans"],
            summary="Retrieve a plan")
def get_plan(plan_id: str, call: CallDep) -> Response:
    return call.read(lambda ctx: plan_view(plans.get_plan(ctx, plan_id)))


@router.post("/plans/{plan_id}", response_model=PlanOut, tags=["plans"],
             summary="Update a plan's name, description, trial or active flag")
def update_plan(plan_id: str, body: PlanUpdate, call: CallDep) -> Response:
    return call.write(lambda ctx: plan_view(plans.update_plan(ctx, plan_id, body)), body)


@router.get("/plans", response_model=ListOf[PlanOut], tags=["plans"], summary="List plans")
def list_plans(call: CallDep, page: PageDep, created: CreatedDep,
               active: bool | None = None) -> Response:
    return call.read(lambda ctx: listing(
        plans.list_plans(ctx, page, active=active, created=created), plan_view, "/v1/plans"))


@router.post("/subscriptions", response_model=SubscriptionOut, tags=["subscriptions"],
             summary="Subscribe a customer to a plan (bills what is due at once)")
def create_subscription(body: SubscriptionCreate, call: CallDep) -> Response:
    return call.write(lambda ctx: subscription_view(
        subscriptions.create_subscription(ctx, body)), body)


@router.get("/subscriptions/{sub_id}", response_model=SubscriptionOut,
            tags=["subscriptions"], summary="Retrieve a subscription")
def get_subscription(sub_id: str, call: CallDep) -> Response:
    return call.read(lambda ctx: subscription_view(subscriptions.get_subscription(ctx, sub_id)))


@router.get("/subscriptions", response_model=ListOf[SubscriptionOut], tags=["subscriptions"],
            summary="List subscriptions")
def list_subscriptions(call: CallDep, page: PageDep, created: CreatedDep,
                       customer: IdQuery = None, plan: IdQuery = None,
                       status: Status = None) -> Response:
    return call.read(lambda ctx: listing(
        subscriptions.list_subscriptions(ctx, page, customer=customer, plan=plan,
                                         status=status, created=created),
        subscription_view, "/v1/subscriptions"))


@router.post("/subscriptions/{sub_id}", response_model=SubscriptionOut,
             tags=["subscriptions"],
             summary="Update a subscription: plan change and seats (prorated), "
                     "cancel at period end, collection")
def update_subscription(sub_id: str, body: SubscriptionUpdate, call: CallDep) -> Response:
    return call.write(lambda ctx: subscription_view(
        subscriptions.update_subscription(ctx, sub_id, body)), body)


@router.post("/subscriptions/{sub_id}/cancel", response_model=SubscriptionOut,
             tags=["subscriptions"], summary="Cancel now (final invoice) or at period end")
def cancel_subscription(sub_id: str, body: SubscriptionCancel, call: CallDep) -> Response:
    return call.write(lambda ctx: subscription_view(
        subscriptions.cancel_subscription(ctx, sub_id, body)), body)


@router.post("/subscriptions/{sub_id}/pause", response_model=SubscriptionOut,
             tags=["subscriptions"], summary="Pause a subscription")
def pause_subscription(sub_id: str, call: CallDep) -> Response:
    return call.write(lambda ctx: subscription_view(
        subscriptions.pause_subscription(ctx, sub_id)))


@router.post("/subscriptions/{sub_id}/resume", response_model=SubscriptionOut,
             tags=["subscriptions"], summary="Resume a paused subscription")
def resume_subscription(sub_id: str, call: CallDep) -> Response:
    return call.write(lambda ctx: subscription_view(
        subscriptions.resume_subscription(ctx, sub_id)))


@router.get("/subscriptions/{sub_id}/upcoming_invoice", response_model=InvoiceOut,
            tags=["subscriptions"],
            summary="The invoice the next period boundary will issue, computed now "
                    "(writes nothing)")
def upcoming_invoice(sub_id: str, call: CallDep) -> Response:
    return call.read(lambda ctx: subscriptions.upcoming_invoice(ctx, sub_id))
