"""Commet <-> Folio translation of ids, statuses, types, dates and amounts.

Ids are Folio's public ids (`in_…`, `cus_…`) unchanged. Amounts are integers in the
currency's minor unit on both sides. Dates are ISO 8601 UTC strings built from Folio's
unix seconds.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from folio.db.models import CreditGrant, Customer, Invoice, InvoiceLine
from folio.services.pdf_links import PdfLink
from folio.services.views import grant_model

View = dict[str, Any]

# Folio status -> Commet status (and back, for list filters)
STATUS_TO_COMMET = {"draft": "draft", "open": "outstanding", "paid": "paid", "void": "void",
                    "uncollectible": "uncollectible"}
STATUS_FROM_COMMET = {v: k for k, v in STATUS_TO_COMMET.items()}

# Folio line type -> Commet lineType
LINE_TYPE = {"plan_base": "plan_base", "usage": "feature_overage",
             "overage": "feature_overage", "discount": "discount", "credit": "credit",
             "one_off": "addon_base", "feature_overage": "feature_overage",
             "feature_seats": "feature_seats", "proration": "plan_base"}

COMMET_INVOICE_TYPES = frozenset({"recurring", "overage", "plan_change", "adjustment",
                                  "credit_purchase", "balance_topup", "addon_activation"})


def unix(value: datetime) -> int:
    """A client's date-time -> Folio's unix seconds (a time without a zone is UTC)."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return int(aware.timestamp())


def iso(ts: int | None) -> str | None:
    """Unix seconds -> '2019-08-24T14:15:22Z' (None stays None)."""
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def whole(value: Decimal | None) -> int | None:
    """A Folio decimal (quantity, unit amount) -> Commet integer, rounded half up."""
    if value is None:
        return None
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def invoice_type(inv: Invoice) -> str:
    """Folio's invoice_type when it is a Commet type; otherwise 'recurring' for an
    invoice of a subscription and 'adjustment' for a hand-made one."""
    if inv.invoice_type in COMMET_INVOICE_TYPES:
        return inv.invoice_type
    return "recurring" if inv.subscription_ref else "adjustment"


def _discount(line: InvoiceLine) -> tuple[str | None, int | None, str | None]:
    discounts = line.line_discounts or []
    if not discounts:
        return None, None, None
    first = discounts[0]
    if first.get("percent_off") is not None:
        return "percentage", whole(Decimal(first["percent_off"])), first.get("coupon")
    return "amount", first.get("amount_off"), first.get("coupon")


def line_item(line: InvoiceLine) -> View:
    discount_type, discount_value, discount_name = _discount(line)
    return {
        "lineType": LINE_TYPE.get(line.type, "addon_base"),
        "featureName": line.feature_name,
        "description": line.description or "",
        "quantity": whole(line.quantity),
        "unitAmount": whole(line.unit_amount_decimal),
        "amount": line.amount,
        "includedAmount": whole(line.included_quantity),
        "usedAmount": whole(line.used_quantity),
        "overageAmount": whole(line.overage_quantity),
        "discountType": discount_type,
        "discountValue": discount_value,
        "discountName": discount_name,
        "chargeType": "standard",
    }


def _amounts(inv: Invoice) -> View:
    """subtotal excludes discount and credit lines; they are reported as discountAmount
    and creditApplied (with the customer credit Folio applied from the balance), so
    total = subtotal - discountAmount - creditApplied + exclusive tax (Folio's total)."""
    discount_lines = -sum(x.amount for x in inv.lines if x.type == "discount")
    credit_lines = -sum(x.amount for x in inv.lines if x.type == "credit")
    return {
        "subtotal": inv.subtotal + discount_lines + credit_lines,
        "discountAmount": inv.discount_total + discount_lines,
        "creditApplied": credit_lines + inv.credit_applied,
        "taxAmount": inv.tax_total,
        "total": inv.total,
    }


def invoice_view(inv: Invoice) -> View:
    amounts = _amounts(inv)
    return {
        "id": inv.public_id,
        "customerId": inv.customer.public_id,
        "subscriptionId": inv.subscription_ref,
        "invoiceNumber": inv.number,
        "status": STATUS_TO_COMMET[inv.status],
        "invoiceType": invoice_type(inv),
        "currency": inv.currency,
        **amounts,
        "periodStart": iso(inv.period_start),
        "periodEnd": iso(inv.period_end),
        "issueDate": iso(inv.finalized_at),
        "dueDate": iso(inv.due_date),
        "planName": inv.plan_name,
        "memo": inv.memo,
        "poNumber": inv.po_number,
        "reference": inv.reference,
        "metadata": dict(inv.metadata_ or {}),
        "createdAt": iso(inv.created),
        "updatedAt": iso(inv.updated or inv.created),
        "lineItems": [line_item(x) for x in inv.lines],
        "object": "invoice",
        "livemode": inv.livemode,
    }


CREATED_FIELDS = ("id", "customerId", "invoiceNumber", "status", "invoiceType", "currency",
                  "subtotal", "taxAmount", "total", "issueDate", "dueDate", "memo", "metadata",
                  "createdAt", "updatedAt", "object", "livemode")


def created_invoice_view(inv: Invoice) -> View:
    full = invoice_view(inv)
    return {k: full[k] for k in CREATED_FIELDS}


def status_view(inv: Invoice) -> View:
    return {"id": inv.public_id, "status": STATUS_TO_COMMET[inv.status],
            "updatedAt": iso(inv.updated or inv.created), "object": "invoice",
            "livemode": inv.livemode}


def sent_view(inv: Invoice) -> View:
    return {"sent": True, "sentAt": iso(inv.sent_at), "object": "invoice",
            "livemode": inv.livemode}


def customer_view(c: Customer) -> View:
    return {
        "id": c.public_id,
        "externalId": c.external_id,
        "fullName": c.name,
        "email": c.email,
        "timezone": c.timezone,
        "metadata": dict(c.metadata_ or {}),
        "createdAt": iso(c.created),
        # Folio keeps no update time on customers: the creation time stands in
        "updatedAt": iso(c.updated or c.created),
        "object": "customer",
        "livemode": c.livemode,
    }


def credit_view(g: CreditGrant, now: int) -> View:
    """Folio's credit grant as Commet's customer credit (`now` decides expiry)."""
    return {
        "id": g.public_id,
        "customerId": g.customer.public_id,
        "amount": g.amount,
        "remainingAmount": g.remaining,
        "appliedAmount": g.amount - g.remaining - g.revoked_amount,
        "currency": g.currency,
        "reason": g.reason,
        "status": grant_model(g).status(now).value,
        "expiresAt": iso(g.expires_at),
        "revokedAt": iso(g.revoked_at),
        "sourceInvoiceId": g.source_invoice.public_id if g.source_invoice else None,
        "createdAt": iso(g.created),
        "object": "customer_credit",
        "livemode": g.livemode,
    }


def revocation_view(g: CreditGrant) -> View:
    return {
        "id": g.public_id,
        "customerId": g.customer.public_id,
        "currency": g.currency,
        "revokedAmount": g.revoked_amount,
        "appliedAmount": g.amount - g.remaining - g.revoked_amount,
        "revokedAt": iso(g.revoked_at),
        "object": "customer_credit_revocation",
        "livemode": g.livemode,
    }


def envelope(data: Any) -> View:
    return {"success": True, "data": data}


def list_envelope(items: list[View], has_more: bool) -> View:
    return {"success": True, "data": items, "hasMore": has_more,
            "nextCursor": items[-1]["id"] if has_more and items else None}


def download_link_view(link: PdfLink) -> View:
    return {"url": link.url, "expiresAt": iso(link.expires_at), "object": "invoice",
            "livemode": link.livemode}
