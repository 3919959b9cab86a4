"""Test clocks: frozen time for test-mode customers and their subscriptions."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.concurrency import run_in_threadpool

from folio.api.deps import CallDep
from folio.api.routes.common import ERRORS, CreatedDep, PageDep, listing
from folio.api.schemas.common import ListOf
from folio.api.schemas.subscriptions import DeletedOut, TestClockOut
from folio.domain.errors import Conflict, InvalidInput
from folio.jobs.billing_run import BillingSummary, advance_clock
from folio.services import test_clocks
from folio.services.context import Ctx
from folio.services.test_clocks import TestClockAdvance, TestClockCreate, test_clock_view

router = APIRouter(prefix="/v1/test_clocks", tags=["test_clocks"], responses=ERRORS)


@router.post("", response_model=TestClockOut, summary="Create a test clock (test mode)")
def create_clock(body: TestClockCreate, call: CallDep) -> Response:
    return call.write(lambda ctx: test_clock_view(test_clocks.create_test_clock(ctx, body)),
                      body)


@router.get("/{clock_id}", response_model=TestClockOut, summary="Retrieve a test clock")
def get_clock(clock_id: str, call: CallDep) -> Response:
    return call.read(lambda ctx: test_clock_view(test_clocks.get_test_clock(ctx, clock_id)))


@router.get("", response_model=ListOf[TestClockOut], summary="List test clocks")
def list_clocks(call: CallDep, page: PageDep, created: CreatedDep) -> Response:
    return call.read(lambda ctx: listing(test_clocks.list_test_clocks(ctx, page, created),
                                         test_clock_view, "/v1/test_clocks"))


@router.delete("/{clock_id}", response_model=DeletedOut,
               summary="Delete a test clock (its subscriptions end)")
def delete_clock(clock_id: str, call: CallDep) -> Response:
    return call.write(lambda ctx: test_clocks.delete_test_clock(ctx, clock_id))


@router.post("/{clock_id}/advance", response_model=TestClockOut,
             summary="Advance a test clock, billing every period boundary in between")
async def advance_clock_route(clock_id: str, body: TestClockAdvance, call: CallDep
                              ) -> Response:
    """Billing runs first, one boundary at a time in time order, each subscription in its
    own transaction; the clock moves only once all of it succeeded. If a subscription
    fails, what was billed stays billed, the clock stays where it was (409), and
    advancing again retries from there."""

    def run() -> Response:
        def check(ctx: Ctx) -> int:
            return test_clocks.check_advance(ctx, clock_id, body.frozen_time).id

        try:
            with call.app.db.transaction(write=False) as session:
                clock_pk = check(call._ctx(session))
        except InvalidInput as exc:
            # a replay of an advance that succeeded: the write below answers it (the
            # stored response, or the same error without an Idempotency-Key)
            if exc.code != "test_clock_backwards" or not call.idempotency_key:
                raise
        else:
            summary = advance_clock(call.app.db, call.principal.account_id, clock_pk,
                                    body.frozen_time)
            _raise_for(summary)
        return call.write(lambda ctx: test_clock_view(
            test_clocks.finish_advance(ctx, clock_id, body.frozen_time)), body)

    return await run_in_threadpool(run)


def _raise_for(summary: BillingSummary) -> None:
    if summary.failures:
        first = summary.failures[0]
        raise Conflict(f"Billing {first.subscription} failed: {first.reason}",
                       code="test_clock_advance_failed")
