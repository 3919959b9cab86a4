"""The Core read path renders exactly what the ORM path renders."""

from __future__ import annotations

from folio.db.engine import Database
from folio.services import invoice_reads, invoices
from folio.services.context import Ctx
from folio.services.views import invoice_view
from tests import factories as f
from tests.conftest import Tenant


def test_fast_view_equals_orm_view(tenant: Tenant, db: Database) -> None:
    rate = f.tax_rate(tenant, "19")
    coupon = tenant.ok("POST", "/v1/coupons", {"amount_off": 150, "currency": "eur"})
    draft = f.draft(tenant, default_tax_rates=[rate["id"]], discounts=[{"coupon": coupon["id"]}],
                    metadata={"k": "v"}, lines=[
                        {"description": f"L{i}", "quantity": "1.5", "unit_amount": 1000 + i,
                         "metadata": {"i": str(i)}} for i in range(10)])
    opened = f.open_invoice(tenant)
    tenant.ok("POST", "/v1/payments", {"invoice": opened["id"], "amount": 100})
    empty = f.draft(tenant, lines=[])  # PostgreSQL's json_agg of no lines is NULL
    for public_id in (draft["id"], opened["id"], empty["id"]):
        with db.transaction(write=False) as session:
            ctx = Ctx(session, account_id=tenant.keys.account.id, livemode=False)
            fast = invoice_reads.invoice_view_by_public_id(ctx, public_id)
            slow = invoice_view(invoices.get_invoice(ctx, public_id))
        raw = invoice_reads.read_invoice_view_raw(db.engine, tenant.keys.account.id, False,
                                                  public_id)
        assert fast == slow == raw
        assert tenant.ok("GET", f"/v1/invoices/{public_id}") == fast
