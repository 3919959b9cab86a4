"""The set-based billing run against the per-subscription one: the same subscriptions
billed both ways give the same invoices (numbers aside) and the same events; racing
set-based runs create one invoice per subscription and period."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from functools import partial
from typing import Any

from sqlalchemy import delete, select

from folio.db.engine import Database
from folio.db.models import BillingPeriod, Event, Invoice, Subscription
from folio.jobs.billing_run import run_billing
from folio.services.billing_chunk_usage import chunk_usage
from folio.services.context import Ctx
from folio.services.numbering import take_number, take_numbers
from folio.services.subscription_billing import metered_usage, usage_period_of
from tests.conftest import Tenant, make_tenant
from tests.integration.test_billing_run import invoice_counts, subscriptions
from tests.integration.test_concurrency import race
from tests.subscription_helpers import DAY, metered_plan, now, usage

INVOICE_KEYS = ("status", "currency", "collection_method", "subtotal", "total", "tax",
                "total_taxes", "total_excluding_tax", "amount_due", "amount_paid",
                "credit_applied", "period_start", "period_end", "plan_name", "invoice_type",
                "payment_state", "default_tax_rates", "discounts", "days_until_due",
                "apply_credit_balance", "total_discount_amount", "customer_details")
LINE_DROP = {"id", "uuid", "invoice"}


def build(t: Tenant, start: int) -> list[dict[str, Any]]:
    """A mix of subscriptions: both timings, seats, usage crossing the tiers, a tax rate,
    a free plan (a zero total: paid at once), and the cases of the per-subscription lane
    (send_invoice, a discount, a credit grant)."""
    arrears = metered_plan(t, timing="in_arrears", name="Arrears")
    advance = metered_plan(t, timing="in_advance", name="Advance")
    free = metered_plan(t, timing="in_arrears", name="Free", base=0)
    rate = t.ok("POST", "/v1/tax_rates", {"display_name": "VAT", "percentage": "19",
                                          "inclusive": False})["id"]
    variants: list[tuple[dict[str, Any], dict[str, Any]]] = [
        (arrears, {}), (arrears, {"seats": 4}), (advance, {}), (advance, {"seats": 3}),
        (arrears, {"default_tax_rates": [rate]}), (advance, {"default_tax_rates": [rate]}),
        (arrears, {"collection_method": "send_invoice", "days_until_due": 14}),
        (advance, {"discounts": [{"percent_off": "10"}]}),
        (arrears, {}),  # gets a credit grant
        (arrears, {"seats": 2}),  # no usage
        (free, {}),  # no usage: nothing due
    ]
    subs = []
    for i, (plan, fields) in enumerate(variants):
        cus = t.ok("POST", "/v1/customers", {"name": f"C{i}"})["id"]
        subs.append(t.ok("POST", "/v1/subscriptions", {"customer": cus, "plan": plan["id"],
                                                       "start_date": start, **fields}))
        if i < 9:
            usage(t, cus, [(f"e{i}-{j}", start + DAY * (j + 1), str(300 * (i + j + 1)))
                           for j in range(4)])
    t.ok("POST", f"/v1/customers/{subs[8]['customer']}/credit_grants",
         {"amount": 1500, "currency": "eur"})
    return subs


def scrub(value: Any) -> Any:
    """The tenant's own ids (tax rates) replaced by their kind."""
    if isinstance(value, dict):
        return {k: scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    if isinstance(value, str) and value.startswith("txr_"):
        return "txr"
    return value


OWN_ID = re.compile(r"^([a-z]+)_[A-Za-z0-9]{16,}$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def anonymous(value: Any, key: str = "") -> Any:
    """A whole payload with what differs between two tenants billed the same way
    replaced by its kind: generated ids and uuids, invoice numbers (each tenant's
    series, issued in another order), hosted page tokens, creation instants of the
    objects set up through the API."""
    if isinstance(value, dict):
        return {k: anonymous(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [anonymous(v) for v in value]
    if key == "number":
        return value is not None
    if key in ("created", "start_date", "billing_cycle_anchor") and isinstance(value, int):
        return "instant"
    if isinstance(value, str):
        if m := OWN_ID.match(value):
            return m.group(1)
        if UUID.match(value):
            return "uuid"
        if "/i/" in value:
            return value.split("/i/")[0] + "/i/token"
    return value


def invoice_shape(inv: dict[str, Any]) -> dict[str, Any]:
    shape = {k: inv.get(k) for k in INVOICE_KEYS}
    shape["lines"] = [{k: v for k, v in line.items() if k not in LINE_DROP}
                      for line in inv["lines"]["data"]]
    return scrub(shape)


def invoices_of(db: Database, t: Tenant, sub: str) -> list[dict[str, Any]]:
    """The subscription's invoices, oldest first."""
    with db.transaction(write=False) as session:
        ids = session.scalars(select(Invoice.public_id).where(
            Invoice.account_id == t.keys.account.id, Invoice.subscription_ref == sub)
            .order_by(Invoice.id)).all()
    return [t.ok("GET", f"/v1/invoices/{i}") for i in ids]


def event_types(db: Database, t: Tenant, subs: list[dict[str, Any]]) -> list[list[str]]:
    """Per subscription: the types of its events and its invoices' events, in order."""
    return [[typ for typ, _ in events] for events in event_payloads(db, t, subs)]


def event_payloads(db: Database, t: Tenant, subs: list[dict[str, Any]], since: int = 0
                   ) -> list[list[tuple[str, Any]]]:
    """Per subscription: its events and its invoices' events (created at `since` or
    later), in order, as (type, object)."""
    with db.transaction(write=False) as session:
        rows = session.execute(select(Event.type, Event.object_id, Event.data)
                               .where(Event.account_id == t.keys.account.id,
                                      Event.created >= since)
                               .order_by(Event.id)).all()
    out = []
    for sub in subs:
        invoices = {i["id"] for i in invoices_of(db, t, sub["id"])}
        out.append([(typ, data["object"]) for typ, obj, data in rows
                    if obj == sub["id"] or obj in invoices])
    assert all(data["object"]["id"] == obj for _, obj, data in rows)
    return out


def test_the_set_based_run_bills_exactly_as_the_per_subscription_run(
        db: Database, client: Any) -> None:
    start = now() - 20 * DAY
    one, two = make_tenant(db, client, "One"), make_tenant(db, client, "Two")
    subs_one, subs_two = build(one, start), build(two, start)
    at = subs_one[0]["current_period_end"]
    assert at == subs_two[0]["current_period_end"]
    old = run_billing(db, at, accounts=[one.keys.account.id], set_based=False)
    # small chunks billed by two workers at once (PostgreSQL; SQLite bills one at a time)
    new = run_billing(db, at, accounts=[two.keys.account.id], set_based=True, chunk_size=3,
                      workers=2)
    assert (old.failures, new.failures) == ([], [])
    assert (new.invoices, new.subscriptions) == (old.invoices, old.subscriptions) == (11, 11)
    assert dict(new.amounts) == dict(old.amounts)
    # all but send_invoice, the discount and the credit grant took the fast lane
    assert (old.fast_lane, new.fast_lane) == (0, 8)
    for a, b in zip(subs_one, subs_two, strict=True):
        inv_a, inv_b = invoices_of(db, one, a["id"]), invoices_of(db, two, b["id"])
        assert len(inv_a) == len(inv_b)
        for x, y in zip(inv_a, inv_b, strict=True):
            sx, sy = invoice_shape(x), invoice_shape(y)
            assert sx == sy, {k: (sx[k], sy[k]) for k in sx if sx[k] != sy[k]}
            if x["created"] != at:
                continue  # the first invoice, made when the subscription was created
            ax, ay = anonymous(x), anonymous(y)  # every field of the run's invoices
            assert ax == ay, {k: (ax[k], ay.get(k)) for k in ax if ax[k] != ay.get(k)}
        assert all(i["number"] for i in inv_b)
        after_a = one.ok("GET", f"/v1/subscriptions/{a['id']}")
        after_b = two.ok("GET", f"/v1/subscriptions/{b['id']}")
        for key in ("status", "next_billing_at", "current_period_start",
                    "current_period_end", "discounts"):
            assert after_a[key] == after_b[key], key
    assert event_types(db, one, subs_one) == event_types(db, two, subs_two)
    assert event_types(db, two, subs_two)[-1][-2:] == ["invoice.paid",
                                                       "customer.subscription.updated"]
    # and the same payloads: the set-based path's invoice views are invoice_view's
    for evs_a, evs_b in zip(event_payloads(db, one, subs_one, at),
                            event_payloads(db, two, subs_two, at), strict=True):
        assert evs_a
        for (typ, a), (_, b) in zip(evs_a, evs_b, strict=True):
            ax, bx = anonymous(a), anonymous(b)
            assert ax == bx, (typ, {k: (ax[k], bx.get(k)) for k in ax if ax[k] != bx.get(k)})
    # numbers of one series stay unique and gapless, the chunks' blocks included
    numbers = [i["number"] for s in subs_two for i in invoices_of(db, two, s["id"])]
    assert len(set(numbers)) == len(numbers)
    assert_gapless(numbers)


def assert_gapless(numbers: list[str]) -> None:
    """Each series (INV-{YYYY}-{SEQ:6}) runs from 1 without a gap."""
    series: dict[str, list[int]] = {}
    for number in numbers:
        prefix, _, seq = number.rpartition("-")
        series.setdefault(prefix, []).append(int(seq))
    for values in series.values():
        assert sorted(values) == list(range(1, len(values) + 1)), series


def test_racing_set_based_runs_create_one_invoice_per_subscription_and_period(
        tenant: Tenant, db: Database) -> None:
    subs = subscriptions(tenant, 12, now() - 20 * DAY)
    at = subs[0]["current_period_end"]
    account = tenant.keys.account.id
    results = race([partial(run_billing, db, at, accounts=[account], set_based=True,
                            chunk_size=5, workers=2) for _ in range(4)])
    summaries = [r for r in results if not isinstance(r, BaseException)]
    assert len(summaries) == 4
    assert all(s.failures == [] for s in summaries)
    assert sum(s.invoices for s in summaries) == 12
    assert sum(s.fast_lane for s in summaries) >= 5
    counts = dict(invoice_counts(db, account))
    assert set(counts) == {s["id"] for s in subs}
    assert set(counts.values()) == {2}  # the first invoice + one for the boundary
    again = run_billing(db, at, accounts=[account], set_based=True)
    assert (again.invoices, again.failures) == (0, [])
    with db.transaction(write=False) as session:
        assert_gapless(list(session.scalars(select(Invoice.number).where(
            Invoice.account_id == account, Invoice.number.is_not(None)))))


def test_a_block_of_numbers_continues_the_series_without_gaps(tenant: Tenant,
                                                              db: Database) -> None:
    pattern = "INV-{YYYY}-{SEQ:6}"
    with db.transaction() as session:
        ctx = Ctx(session, account_id=tenant.keys.account.id, livemode=False,
                  clock=lambda: 1_767_225_600)  # 2026-01-01
        block = take_numbers(ctx, pattern, 3, customer_prefix="")
        after = take_number(ctx, pattern, customer_prefix="")
        assert take_numbers(ctx, pattern, 0, customer_prefix="") == []
    assert [*block, after] == [f"INV-2026-{n:06d}" for n in range(1, 5)]


def test_the_chunk_aggregates_usage_exactly_as_the_per_subscription_path(
        tenant: Tenant, db: Database) -> None:
    """Every aggregation (PostgreSQL: sum, count and max in SQL over numeric) gives the
    Decimal the per-subscription path's `aggregate` gives, fractions and big values
    included, and 0 without events."""
    t = tenant
    features = []
    for kind in ("sum", "count", "max", "latest", "unique_count"):
        extra = {"property": "user"} if kind == "unique_count" else {}
        t.ok("POST", "/v1/meters", {"code": f"m_{kind}", "name": kind,
                                    "aggregation": kind, **extra})
        features.append({"code": f"m_{kind}", "name": kind, "kind": "metered",
                         "included": "0", "charge": {"model": "per_unit",
                                                     "unit_amount_decimal": "1"}})
    plan = t.ok("POST", "/v1/plans", {"name": "All", "currency": "eur", "base_amount": 100,
                                      "billing_timing": "in_arrears",
                                      "features": features})
    start = now() - 20 * DAY
    values = ["0.1", "0.2", "123456789012.000000000001", "7", "0.30"]
    customers = []
    for i in range(3):
        cus = t.ok("POST", "/v1/customers", {"name": f"U{i}"})["id"]
        customers.append(cus)
        t.ok("POST", "/v1/subscriptions", {"customer": cus, "plan": plan["id"],
                                           "start_date": start})
        if i == 2:
            continue  # no usage
        for kind in ("sum", "count", "max", "latest", "unique_count"):
            t.ok("POST", "/v1/usage_events", {"events": [
                {"event_id": f"{kind}-{i}-{j}", "customer": cus, "feature": f"m_{kind}",
                 "timestamp": start + DAY * (j + 1), "value": v,
                 "properties": {"user": f"u{j % 2}"}}
                for j, v in enumerate(values[i:])]})
    with db.transaction(write=False) as session:
        ctx = Ctx(session, account_id=t.keys.account.id, livemode=False,
                  clock=lambda: start + 40 * DAY)
        subs = list(session.scalars(select(Subscription).where(
            Subscription.account_id == t.keys.account.id).order_by(Subscription.id)))
        bulk = chunk_usage(ctx, subs)
        for sub in subs:
            window = usage_period_of(sub, sub.next_boundary)
            assert window is not None
            one_by_one = {f"m_{kind}": metered_usage(ctx, f"m_{kind}", sub.customer_id,
                                                     window.start, window.end)
                          for kind in ("sum", "count", "max", "latest", "unique_count")}
            assert bulk[sub.id] == one_by_one
        first, second, third = (bulk[s.id] for s in subs)
    assert first["m_sum"] == Decimal("123456789019.600000000001")
    assert first["m_count"] == 5
    assert second["m_max"] == Decimal("123456789012.000000000001")
    assert set(third.values()) == {0}


@contextmanager
def planted_claim(db: Database, subscription: str) -> Iterator[None]:
    """A claim on the subscription's next boundary written by hand, as a writer that
    bypassed the lock would, for the block; then removed, so that later tests billing
    every account never meet it."""
    with db.transaction() as session:
        taken = session.scalars(select(Subscription).where(
            Subscription.public_id == subscription)).one()
        session.add(BillingPeriod(subscription_id=taken.id, boundary=taken.next_boundary,
                                  billed_at=0))
    try:
        yield
    finally:
        with db.transaction() as session:
            session.execute(delete(BillingPeriod).where(
                BillingPeriod.subscription_id == taken.id, BillingPeriod.billed_at == 0))


def test_a_claim_already_written_rolls_the_chunk_back_and_bills_nothing_twice(
        tenant: Tenant, db: Database) -> None:
    """A writer that bypassed the lock claimed one boundary: the chunk's bulk write of
    the claims (COPY on PostgreSQL) hits the unique constraint, the whole chunk rolls
    back, and the per-subscription path bills the others; the claimed one gets no
    second invoice."""
    subs = subscriptions(tenant, 3, now() - 20 * DAY)
    at = subs[0]["current_period_end"]
    with planted_claim(db, subs[1]["id"]):
        summary = run_billing(db, at, accounts=[tenant.keys.account.id], set_based=True)
    assert summary.fast_lane == 0  # the chunk was rolled back
    assert summary.invoices == 2
    assert [f.subscription for f in summary.failures] == [subs[1]["id"]]
    counts = dict(invoice_counts(db, tenant.keys.account.id))
    assert counts == {subs[0]["id"]: 2, subs[1]["id"]: 1, subs[2]["id"]: 2}


def test_a_failing_subscription_in_a_pipelined_run_stops_nothing_and_leaves_no_gap(
        tenant: Tenant, db: Database) -> None:
    """Two workers bill chunks of two at once; one chunk meets a claim written by hand
    and rolls back (its block of numbers with it), the others commit: every other
    subscription is billed, the failing one is reported, the series has no gap."""
    subs = subscriptions(tenant, 7, now() - 20 * DAY)
    at = subs[0]["current_period_end"]
    account = tenant.keys.account.id
    seen: list[tuple[int, int]] = []
    with planted_claim(db, subs[2]["id"]):
        summary = run_billing(db, at, accounts=[account], set_based=True, chunk_size=2,
                              workers=2,
                              progress=lambda done, found: seen.append((done, found)))
    assert [f.subscription for f in summary.failures] == [subs[2]["id"]]
    # the progress bar moves forward only, chunk by chunk, to the end
    assert seen == sorted(seen)
    assert seen[-1] == (7, 7)
    assert len(seen) == 4
    assert (summary.invoices, summary.subscriptions) == (6, 7)
    assert summary.fast_lane == 5  # all but the rolled-back chunk of two
    counts = dict(invoice_counts(db, account))
    assert counts == {s["id"]: 1 if s is subs[2] else 2 for s in subs}
    with db.transaction(write=False) as session:
        assert_gapless(list(session.scalars(select(Invoice.number).where(
            Invoice.account_id == account, Invoice.number.is_not(None)))))
