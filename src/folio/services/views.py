"""Canonical representations of every object: the /v1 response bodies and event payloads."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from folio.db.models import (
    Account,
    Coupon,
    CreditApplication,
    CreditGrant,
    CreditNote,
    Customer,
    CustomerContact,
    Event,
    Invoice,
    InvoiceLine,
    Payment,
    Price,
    Product,
    TaxRate,
)
from folio.domain.credit_balance import Grant
from folio.domain.dunning import DEFAULT_FINAL_ACTION, DEFAULT_RETRY_DAYS
from folio.domain.money import format_decimal
from folio.domain.reminders import DEFAULT_REMINDER_OFFSETS
from folio.domain.states import InvoiceStatus, payment_state
from folio.services.links import hosted_invoice_url

View = dict[str, Any]


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else format_decimal(value)


def _base(obj: Any, object_name: str) -> View:
    return {"id": obj.public_id, "object": object_name, "uuid": obj.uuid,
            "livemode": obj.livemode, "created": obj.created}


def account_view(account: Account, livemode: bool) -> View:
    return {
        "id": account.public_id, "object": "account", "uuid": account.uuid,
        "livemode": livemode, "created": account.created, "name": account.name,
        "email": account.email, "country": account.country,
        "default_currency": account.default_currency,
        "numbering_scope": account.numbering_scope,
        "invoice_number_pattern": account.invoice_number_pattern,
        "legal_name": account.legal_name, "address": account.address,
        "vat_id": account.vat_id, "tax_registration_id": account.tax_registration_id,
        "legal_registration_id": account.legal_registration_id,
        "einvoice_address": account.einvoice_address, "iban": account.iban,
        "bic": account.bic, "payment_terms": account.payment_terms,
        "einvoice_required": bool(account.einvoice_required),
        "dunning_retry_days": list(DEFAULT_RETRY_DAYS if account.dunning_retry_days is None
                                   else account.dunning_retry_days),
        "dunning_final_action": account.dunning_final_action or DEFAULT_FINAL_ACTION.value,
        "subscription_dunning_action": account.subscription_dunning_action
        or "leave_past_due",
        "metadata": account.metadata_ or {},
        "logo": {"media_type": account.logo_media_type, "size": len(account.logo)}
        if account.logo else None,
        "brand_color": account.brand_color,
        "smtp": smtp_view(account), "reminder_offsets": reminder_offsets(account),
    }


def smtp_view(account: Account) -> View | None:
    """The account's SMTP server, without its password (only whether one is set)."""
    if not account.smtp_host:
        return None
    return {"host": account.smtp_host, "port": account.smtp_port, "tls": account.smtp_tls,
            "username": account.smtp_username, "password_set": bool(account.smtp_password),
            "from_email": account.smtp_from_email, "from_name": account.smtp_from_name}


def reminder_offsets(account: Account) -> list[int]:
    """The account's reminder days relative to the due date (Dolfin's set by default)."""
    if account.reminder_offsets is None:
        return list(DEFAULT_REMINDER_OFFSETS)
    return [int(x) for x in account.reminder_offsets]


def contact_view(contact: CustomerContact) -> View:
    return {
        "id": contact.public_id, "object": "contact", "name": contact.name,
        "email": contact.email, "phone": contact.phone, "roles": list(contact.roles or []),
        "login_id": contact.login_id,
    }


def customer_view(c: Customer, *, credit_balance: Mapping[str, int]) -> View:
    """`credit_balance`: the credit the customer may use now, per currency (see
    services.balances)."""
    return {
        **_base(c, "customer"), "name": c.name, "email": c.email, "phone": c.phone,
        "description": c.description, "address": c.address, "tax_id": c.tax_id,
        "tax_exempt": c.tax_exempt, "locale": c.locale, "currency": c.currency,
        "invoice_prefix": c.invoice_prefix, "external_id": c.external_id,
        "timezone": c.timezone, "relationship_type": c.relationship_type,
        "einvoice_address": c.einvoice_address,
        "contacts": [contact_view(x) for x in c.contacts],
        "credit_balance": dict(sorted(credit_balance.items())),
        "default_payment_method": c.default_payment_method,
        "test_clock": _test_clock_ref(c.test_clock_id, c),
        "metadata": c.metadata_ or {},
    }


def _test_clock_ref(clock_id: int | None, owner: Any) -> str | None:
    """The public id of the test clock an object lives on (None for most objects)."""
    if clock_id is None:
        return None
    from sqlalchemy.orm import object_session

    from folio.db.models import TestClock

    session = object_session(owner)
    clock = session.get(TestClock, clock_id) if session is not None else None
    return clock.public_id if clock is not None else None


def product_view(p: Product) -> View:
    return {
        **_base(p, "product"), "name": p.name, "description": p.description,
        "active": p.active, "unit_label": p.unit_label, "unit_code": p.unit_code,
        "product_type": p.product_type,
        "updated": p.updated or p.created, "metadata": p.metadata_ or {},
    }


def price_view(p: Price) -> View:
    unit_amount = p.unit_amount_decimal
    recurring = None
    if p.type == "recurring":
        recurring = {"interval": p.recurring_interval,
                     "interval_count": p.recurring_interval_count}
    return {
        **_base(p, "price"), "product": p.product.public_id, "currency": p.currency,
        "unit_amount": int(unit_amount) if unit_amount == unit_amount.to_integral_value()
        else None,
        "unit_amount_decimal": format_decimal(unit_amount), "type": p.type,
        "recurring": recurring, "tax_behavior": p.tax_behavior, "nickname": p.nickname,
        "active": p.active, "metadata": p.metadata_ or {},
    }


def tax_rate_view(t: TaxRate) -> View:
    return {
        **_base(t, "tax_rate"), "display_name": t.display_name, "description": t.description,
        "percentage": format_decimal(t.percentage), "inclusive": t.inclusive,
        "country": t.country, "state": t.state, "jurisdiction": t.jurisdiction,
        "tax_type": t.tax_type, "category": t.category,
        "exemption_reason": t.exemption_reason,
        "exemption_reason_code": t.exemption_reason_code,
        "code": t.code, "active": t.active, "metadata": t.metadata_ or {},
    }


def coupon_view(c: Coupon) -> View:
    return {
        **_base(c, "coupon"), "name": c.name, "percent_off": _dec(c.percent_off),
        "amount_off": c.amount_off, "currency": c.currency, "duration": c.duration,
        "duration_in_months": c.duration_in_months, "max_redemptions": c.max_redemptions,
        "times_redeemed": c.times_redeemed, "valid": c.valid, "metadata": c.metadata_ or {},
    }


def line_view(line: InvoiceLine) -> View:
    unit = line.unit_amount_decimal
    return {
        "id": line.public_id, "object": "line_item", "type": line.type,
        "description": line.description,
        "product": line.product_ref, "price": line.price_ref,
        "quantity": format_decimal(line.quantity),
        "unit_amount": int(unit) if unit == unit.to_integral_value() else None,
        "unit_amount_decimal": format_decimal(unit), "unit_code": line.unit_code,
        "amount": line.amount, "discount_amount": line.discount_amount,
        "credit_amount": line.credit_amount, "tax_amount": line.tax_amount,
        "taxes": list(line.taxes or []),
        "tax_rates": list(line.tax_rate_ids or []), "discounts": list(line.line_discounts or []),
        "feature_name": line.feature_name,
        "period": {"start": line.period_start, "end": line.period_end},
        "included_quantity": _dec(line.included_quantity),
        "used_quantity": _dec(line.used_quantity),
        "overage_quantity": _dec(line.overage_quantity),
        "tiers": line.tiers,
        "metadata": line.metadata_ or {},
    }


def invoice_view(inv: Invoice) -> View:
    lines = [line_view(x) for x in inv.lines]
    customer = inv.customer
    details = inv.customer_snapshot or customer_snapshot(customer)
    return {
        **_base(inv, "invoice"), "customer": customer.public_id,
        "customer_details": details,
        "status": inv.status,
        "payment_state": payment_state(inv.total, inv.amount_paid, inv.amount_credited).value
        if inv.status != InvoiceStatus.DRAFT.value else None,
        "number": inv.number, "currency": inv.currency,
        "collection_method": inv.collection_method, "days_until_due": inv.days_until_due,
        "due_date": inv.due_date, "rounding_mode": inv.rounding_mode,
        "description": inv.description, "memo": inv.memo, "footer": inv.footer,
        "po_number": inv.po_number, "reference": inv.reference,
        "period_start": inv.period_start, "period_end": inv.period_end,
        "plan_name": inv.plan_name, "subscription": inv.subscription_ref,
        "recurring_schedule": inv.recurring_schedule_ref,
        "recurring_occurrence": inv.recurring_occurrence,
        "invoice_type": inv.invoice_type, "fee_bearer": inv.fee_bearer,
        "as_payment_link": inv.as_payment_link,
        "apply_credit_balance": inv.apply_credit_balance,
        "default_tax_rates": list(inv.default_tax_rates or []),
        "discounts": list(inv.discounts or []),
        "subtotal": inv.subtotal, "total_discount_amount": inv.discount_total,
        "credit_applied": inv.credit_applied,
        "tax": inv.tax_total, "total": inv.total,
        "total_excluding_tax": inv.total - inv.tax_total,
        "total_taxes": list(inv.tax_breakdown or []),
        "amount_paid": inv.amount_paid, "amount_credited": inv.amount_credited,
        "post_payment_credit_notes_amount": inv.post_payment_credited,
        "credit_granted": inv.credit_granted,
        "amount_due": inv.amount_due, "amount_remaining": inv.amount_due,
        "hosted_invoice_url": hosted_invoice_url(inv.hosted_token),
        "finalized_at": inv.finalized_at, "sent_at": inv.sent_at, "paid_at": inv.paid_at,
        "voided_at": inv.voided_at, "marked_uncollectible_at": inv.marked_uncollectible_at,
        "attempt_count": inv.attempt_count or 0, "attempted": bool(inv.attempt_count),
        "next_payment_attempt": inv.next_payment_attempt
        if inv.status == InvoiceStatus.OPEN.value else None,
        "lines": {"object": "list", "data": lines, "has_more": False,
                  "total_count": len(lines)},
        "metadata": inv.metadata_ or {},
    }


def customer_snapshot(c: Customer) -> View:
    return {"name": c.name, "email": c.email, "phone": c.phone, "address": c.address,
            "tax_id": c.tax_id, "tax_exempt": c.tax_exempt,
            "einvoice_address": c.einvoice_address}


def payment_view(p: Payment) -> View:
    return {
        **_base(p, "payment"), "invoice": p.invoice.public_id,
        "customer": p.invoice.customer.public_id, "amount": p.amount, "currency": p.currency,
        "status": p.status, "method": p.method, "reference": p.reference,
        "paid_at": p.paid_at, "metadata": p.metadata_ or {},
    }


def credit_note_view(cn: CreditNote) -> View:
    return {
        **_base(cn, "credit_note"), "invoice": cn.invoice.public_id,
        "customer": cn.invoice.customer.public_id, "number": cn.number, "status": cn.status,
        "type": cn.type, "currency": cn.currency, "amount": cn.amount,
        "subtotal": cn.amount - cn.tax_amount, "tax_amount": cn.tax_amount,
        "reason": cn.reason, "memo": cn.memo, "lines": list(cn.lines or []),
        "issued_at": cn.issued_at, "voided_at": cn.voided_at, "metadata": cn.metadata_ or {},
    }


def grant_model(g: CreditGrant) -> Grant:
    """The stored grant as the domain sees it (FIFO order: created, then row id)."""
    return Grant(id=g.public_id, currency=g.currency, amount=g.amount, remaining=g.remaining,
                 created=g.created, sequence=g.id, expires_at=g.expires_at,
                 revoked=g.revoked_at is not None)


def credit_application_view(a: CreditApplication) -> View:
    return {"id": a.public_id, "object": "credit_application",
            "invoice": a.invoice.public_id, "amount": a.amount, "created": a.created}


def credit_grant_view(g: CreditGrant, now: int) -> View:
    """`now` decides whether the grant has expired (its status is derived on read)."""
    applied = g.amount - g.remaining - g.revoked_amount
    return {
        **_base(g, "credit_grant"), "customer": g.customer.public_id,
        "currency": g.currency, "amount": g.amount, "remaining": g.remaining,
        "applied": applied, "revoked_amount": g.revoked_amount,
        "status": grant_model(g).status(now).value, "reason": g.reason,
        "expires_at": g.expires_at, "revoked_at": g.revoked_at,
        "source_invoice": g.source_invoice.public_id if g.source_invoice else None,
        "applications": [credit_application_view(a) for a in g.applications],
        "metadata": g.metadata_ or {},
    }


def event_view(e: Event) -> View:
    return {
        "id": e.public_id, "object": "event", "type": e.type, "livemode": e.livemode,
        "created": e.created, "data": e.data,
        "request": {"id": e.request_id, "idempotency_key": e.idempotency_key},
    }
