"""Dolfin's paymentUrl is the hosted invoice page's URL: null on a draft, set once sent."""

from __future__ import annotations

from tests import factories as f
from tests.conftest import Tenant
from tests.faces.dolfin.helpers import Dolfin, assert_seed


def test_payment_url_is_the_hosted_page(tenant: Tenant) -> None:
    dolfin = Dolfin(tenant)
    draft = f.draft(tenant)
    assert dolfin.ok("GET", f"/invoices/{draft['uuid']}")["paymentUrl"] is None
    opened = tenant.ok("POST", f"/v1/invoices/{draft['id']}/finalize")
    body = dolfin.ok("GET", f"/invoices/{draft['uuid']}")
    assert_seed("InvoiceResponse", body)
    assert body["paymentUrl"] == opened["hosted_invoice_url"]
    assert "/i/" in body["paymentUrl"]
