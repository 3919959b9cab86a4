"""Test clocks: a frozen time, in test mode, that attached customers and their
subscriptions live on. Advancing one bills every boundary in between, in time order
(the job `folio.jobs.billing_run.advance_clock` does the billing, one transaction per
subscription; this module validates and records)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import StringConstraints

from folio.db.models import Subscription, TestClock
from folio.db.repository import Page, created_filter, get_by_public_id, page, scoped
from folio.domain.errors import InvalidInput, NotFound
from folio.domain.subscriptions import SubscriptionAction, SubscriptionStatus, can
from folio.services import events
from folio.services.billing_run import set_status
from folio.services.context import Ctx
from folio.services.inputs.common import Timestamp, WithMetadata
from folio.services.subscription_views import subscription_view

# an advance may cover at most this much time (five years of monthly billing)
MAX_ADVANCE_SECONDS = 5 * 366 * 86_400


class TestClockCreate(WithMetadata):
    __test__ = False
    frozen_time: Timestamp
    name: Annotated[str, StringConstraints(max_length=200)] | None = None


class TestClockAdvance(WithMetadata):
    __test__ = False
    frozen_time: Timestamp


def test_clock_view(c: TestClock) -> dict[str, Any]:
    return {"id": c.public_id, "object": "test_clock", "uuid": c.uuid, "livemode": False,
            "created": c.created, "name": c.name, "frozen_time": c.frozen_time,
            "status": c.status, "metadata": c.metadata_ or {}}


def _test_mode_only(ctx: Ctx) -> None:
    if ctx.livemode:
        raise InvalidInput("Test clocks exist in test mode only.", code="test_clock_livemode")


def create_test_clock(ctx: Ctx, data: TestClockCreate) -> TestClock:
    _test_mode_only(ctx)
    clock = TestClock(**ctx.owned(), name=data.name, frozen_time=data.frozen_time,
                      status="ready", deleted=False, metadata_=data.metadata or {})
    ctx.session.add(clock)
    ctx.session.flush()
    events.record(ctx, "test_clock.created", test_clock_view(clock))
    return clock


def get_test_clock(ctx: Ctx, clock_id: str, *, param: str = "id",
                   for_update: bool = False) -> TestClock:
    clock = get_by_public_id(ctx.session, TestClock, ctx.scope, clock_id, param=param,
                             for_update=for_update)
    if clock.deleted:
        raise NotFound(f"No such test clock: '{clock_id}'.", param=param)
    return clock


def list_test_clocks(ctx: Ctx, p: Page, created: dict[str, int] | None = None
                     ) -> tuple[list[TestClock], bool]:
    stmt = created_filter(scoped(TestClock, ctx.scope), TestClock, created)
    return page(ctx.session, stmt.where(TestClock.deleted.is_(False)), TestClock,
                ctx.scope, p)


def check_advance(ctx: Ctx, clock_id: str, frozen_time: int) -> TestClock:
    clock = get_test_clock(ctx, clock_id)
    if frozen_time <= clock.frozen_time:
        raise InvalidInput("A test clock only moves forward: frozen_time must be after "
                           f"{clock.frozen_time}.", param="frozen_time",
                           code="test_clock_backwards")
    if frozen_time - clock.frozen_time > MAX_ADVANCE_SECONDS:
        raise InvalidInput("A test clock advances at most five years at a time.",
                           param="frozen_time", code="test_clock_advance_too_far")
    return clock


def finish_advance(ctx: Ctx, clock_id: str, frozen_time: int) -> TestClock:
    """Moves the clock once everything due up to `frozen_time` is billed."""
    clock = check_advance(ctx, clock_id, frozen_time)
    clock.frozen_time = frozen_time
    ctx.session.flush()
    events.record(ctx, "test_clock.advanced", test_clock_view(clock))
    return clock


def delete_test_clock(ctx: Ctx, clock_id: str) -> dict[str, Any]:
    """Deletes the clock; its subscriptions end (canceled at the clock's time) and its
    customers stay, detached from any clock's billing."""
    clock = get_test_clock(ctx, clock_id, for_update=True)
    subs = ctx.session.scalars(scoped(Subscription, ctx.scope).where(
        Subscription.test_clock_id == clock.id))
    for sub in subs:
        if can(SubscriptionStatus(sub.status), SubscriptionAction.CANCEL):
            set_status(ctx, sub, SubscriptionAction.CANCEL)
            sub.canceled_at = sub.ended_at = clock.frozen_time
            sub.next_billing_at = None
            events.record(ctx, "customer.subscription.deleted", subscription_view(sub))
    clock.deleted = True
    ctx.session.flush()
    events.record(ctx, "test_clock.deleted", test_clock_view(clock))
    return {"id": clock.public_id, "object": "test_clock", "deleted": True}
