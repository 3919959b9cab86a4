"""The billing run on a real database: one invoice per subscription and boundary however
many runs race, the unique constraint behind it, and a failing subscription that never
stops the run."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from folio.db.engine import Database
from folio.db.models import BillingPeriod, Invoice, Subscription
from folio.jobs.billing_run import run_billing
from tests.conftest import Tenant, make_tenant
from tests.integration.test_concurrency import race
from tests.subscription_helpers import DAY, metered_plan, now


def subscriptions(t: Tenant, count: int, start: int, **fields: Any) -> list[dict[str, Any]]:
    plan = metered_plan(t)
    out = []
    for i in range(count):
        cus = t.ok("POST", "/v1/customers", {"name": f"C{i}"})["id"]
        out.append(t.ok("POST", "/v1/subscriptions", {"customer": cus, "plan": plan["id"],
                                                      "start_date": start, **fields}))
    return out


def invoice_counts(db: Database, account_id: int) -> list[tuple[str | None, int]]:
    with db.transaction(write=False) as session:
        return [(r[0], r[1]) for r in session.execute(
            select(Invoice.subscription_ref, func.count()).where(
                Invoice.account_id == account_id).group_by(Invoice.subscription_ref))]


@pytest.mark.parametrize("commit_every", [1, 4])
def test_racing_runs_create_one_invoice_per_subscription_and_period(
        tenant: Tenant, db: Database, commit_every: int) -> None:
    start = now() - 20 * DAY
    subs = subscriptions(tenant, 6, start)
    # three boundaries due: the runs catch up period after period
    at = subs[0]["current_period_end"] + 62 * DAY
    account = tenant.keys.account.id
    results = race([partial(run_billing, db, at, accounts=[account],
                            commit_every=commit_every) for _ in range(4)])
    summaries = [r for r in results if not isinstance(r, BaseException)]
    assert len(summaries) == 4
    assert all(s.failures == [] for s in summaries)
    counts = dict(invoice_counts(db, account))
    assert set(counts) == {s["id"] for s in subs}
    # the first invoice (at creation) + one per boundary up to `at`
    assert set(counts.values()) == {4}
    assert sum(s.invoices for s in summaries) == 6 * 3
    with db.transaction(write=False) as session:
        periods = session.execute(select(BillingPeriod.subscription_id, BillingPeriod.boundary)
                                  .join(Subscription, Subscription.id ==
                                        BillingPeriod.subscription_id)
                                  .where(Subscription.account_id == account)).all()
    assert len(periods) == len(set(periods)) == 6 * 4
    again = run_billing(db, at, accounts=[account])
    assert (again.invoices, again.failures) == (0, [])


def test_the_constraint_refuses_a_second_invoice_for_a_period(tenant: Tenant,
                                                              db: Database) -> None:
    (sub,) = subscriptions(tenant, 1, now() - DAY)
    with db.transaction(write=False) as session:
        sub_id = session.scalars(select(Subscription.id).where(
            Subscription.public_id == sub["id"])).one()

    def duplicate() -> None:
        with db.transaction() as session:
            session.add(BillingPeriod(subscription_id=sub_id, boundary=0, billed_at=0))

    with pytest.raises(IntegrityError):
        duplicate()


@pytest.mark.parametrize("commit_every", [1, 10])
def test_a_failing_subscription_never_stops_the_run(db: Database, client: Any,
                                                    commit_every: int) -> None:
    good, bad = make_tenant(db, client, "Good"), make_tenant(db, client, "Bad")
    start = now() - 5 * DAY
    good_subs = subscriptions(good, 1, start)
    bad_subs = subscriptions(bad, 1, start)
    good_subs += subscriptions(good, 1, start)  # the bad one sits between two good ones
    # the bad account now requires e-invoices it cannot produce: finalizing fails
    bad.ok("POST", "/v1/account", {"einvoice_required": True})
    at = good_subs[0]["current_period_end"]
    summary = run_billing(db, at, accounts=[good.keys.account.id, bad.keys.account.id],
                          commit_every=commit_every)
    assert [f.subscription for f in summary.failures] == [bad_subs[0]["id"]]
    assert "einvoice" in summary.failures[0].reason
    assert summary.invoices == 2
    assert sorted(dict(invoice_counts(db, good.keys.account.id)).values()) == [2, 2]
    # the failed subscription changed nothing and stays due
    still = bad.ok("GET", f"/v1/subscriptions/{bad_subs[0]['id']}")
    assert still["next_billing_at"] == at
    assert dict(invoice_counts(db, bad.keys.account.id)) == {bad_subs[0]["id"]: 1}
