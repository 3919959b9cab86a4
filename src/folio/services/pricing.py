"""Bridges stored drafts and the pure calculation: resolves tax rates and discounts,
runs domain.calculation.calculate and writes its results back. Preview, every draft edit
and finalize go through `apply_totals`."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any, cast

from folio.db.models import Coupon, Invoice, TaxRate
from folio.db.repository import scoped
from folio.domain.calculation import (
    DiscountSpec,
    InvoiceInput,
    InvoiceTotals,
    LineInput,
    TaxRateSpec,
    calculate,
)
from folio.domain.errors import InvalidInput, NotFound
from folio.domain.money import RoundingMode, format_decimal
from folio.services.context import Ctx
from folio.services.inputs.invoices import DiscountInput

_SEEN_TAX_RATES = "folio.tax_rates_seen"


def tax_rates_by_id(ctx: Ctx, ids: Iterable[str], param: str = "tax_rates",
                    ) -> dict[str, TaxRate]:
    wanted = set(ids)
    if not wanted:
        return {}
    # the rates this transaction has already read (a draft's create checks its rates,
    # then totals it): the same identity-mapped objects, without a second SELECT
    seen: dict[tuple[int, bool, str], TaxRate] = ctx.session.info.setdefault(
        _SEEN_TAX_RATES, {})
    hits = {i: seen.get((ctx.account_id, ctx.livemode, i)) for i in wanted}
    if all(rate is not None and rate in ctx.session for rate in hits.values()):
        return cast(dict[str, TaxRate], hits)
    # no autoflush: tax rates are flushed when created, and flushing the caller's pending
    # invoice changes here would only cost an extra UPDATE before the caller's own flush
    found = {r.public_id: r for r in ctx.session.scalars(
        scoped(TaxRate, ctx.scope).where(TaxRate.public_id.in_(wanted))
        .execution_options(autoflush=False))}
    for public_id, rate in found.items():
        seen[(ctx.account_id, ctx.livemode, public_id)] = rate
    missing = wanted - found.keys()
    if missing:
        raise NotFound(f"No such tax rate: '{sorted(missing)[0]}'.", param=param)
    return found


def check_tax_rates(ctx: Ctx, ids: list[str], param: str) -> list[str]:
    rates = tax_rates_by_id(ctx, ids, param)
    for rate in rates.values():
        if not rate.active:
            raise InvalidInput(f"Tax rate '{rate.public_id}' is inactive.", param=param,
                               code="tax_rate_inactive")
    if len(set(ids)) != len(ids):
        raise InvalidInput("A tax rate is listed twice.", param=param)
    return list(ids)


def resolve_discounts(ctx: Ctx, discounts: list[DiscountInput], currency: str, param: str,
                      ) -> list[dict[str, Any]]:
    """Discount inputs become stored snapshots: the coupon's values at the time of use."""
    resolved: list[dict[str, Any]] = []
    for d in discounts:
        given = [x for x in (d.coupon, d.percent_off, d.amount_off) if x is not None]
        if len(given) != 1:
            raise InvalidInput("A discount needs exactly one of coupon, percent_off or "
                               "amount_off.", param=param)
        if d.coupon:
            coupon = ctx.session.scalars(
                scoped(Coupon, ctx.scope).where(Coupon.public_id == d.coupon)).first()
            if coupon is None:
                raise NotFound(f"No such coupon: '{d.coupon}'.", param=param)
            if not coupon.valid:
                raise InvalidInput(f"Coupon '{d.coupon}' is no longer valid.", param=param,
                                   code="coupon_expired")
            if coupon.amount_off is not None and coupon.currency != currency:
                raise InvalidInput(f"Coupon '{d.coupon}' is in {coupon.currency}, the invoice "
                                   f"in {currency}.", param=param, code="currency_mismatch")
            resolved.append({"coupon": coupon.public_id,
                             "percent_off": format_decimal(coupon.percent_off)
                             if coupon.percent_off is not None else None,
                             "amount_off": coupon.amount_off})
        else:
            resolved.append({"coupon": None,
                             "percent_off": format_decimal(d.percent_off)
                             if d.percent_off is not None else None,
                             "amount_off": d.amount_off})
    return resolved


def discount_specs(stored: list[Any]) -> tuple[DiscountSpec, ...]:
    return tuple(
        DiscountSpec(percent_off=Decimal(d["percent_off"]) if d.get("percent_off") else None,
                     amount_off=d.get("amount_off"), coupon=d.get("coupon"))
        for d in stored
    )


def rate_spec(rate: TaxRate) -> TaxRateSpec:
    return TaxRateSpec(id=rate.public_id, percentage=rate.percentage, inclusive=rate.inclusive,
                       display_name=rate.display_name, category=rate.category,
                       country=rate.country, exemption_reason=rate.exemption_reason,
                       exemption_reason_code=rate.exemption_reason_code)


def tax_json(rate: TaxRateSpec, taxable: int, amount: int) -> dict[str, Any]:
    """A tax as stored on a line and in an invoice's breakdown."""
    return {"tax_rate": rate.id, "display_name": rate.display_name,
            "percentage": format_decimal(rate.percentage), "inclusive": rate.inclusive,
            "category": rate.category, "country": rate.country,
            "exemption_reason": rate.exemption_reason,
            "exemption_reason_code": rate.exemption_reason_code,
            "taxable_amount": taxable, "amount": amount}


StoredLine = tuple[Decimal, Decimal, list[Any] | None, list[Any] | None]


def invoice_input(currency: str, rounding_mode: str, lines: Iterable[StoredLine],
                  discounts: list[Any] | None, default_tax_rates: list[Any] | None,
                  rates: dict[str, TaxRate], credit_balance: int = 0) -> InvoiceInput:
    """The pure calculation's input from a draft's stored values; `lines`: (quantity,
    unit amount, tax rate ids, line discounts) of each line. Shared by `apply_totals`
    and the set-based billing run's plain drafts (services/billing_chunk_draft.py)."""
    return InvoiceInput(
        currency=currency,
        rounding=RoundingMode(rounding_mode),
        lines=tuple(
            LineInput(quantity=quantity, unit_amount=unit,
                      tax_rates=tuple(rate_spec(rates[i]) for i in tax_ids or []),
                      discounts=discount_specs(line_discounts or []))
            for quantity, unit, tax_ids, line_discounts in lines
        ),
        discounts=discount_specs(discounts or []),
        default_tax_rates=tuple(rate_spec(rates[i]) for i in default_tax_rates or []),
        credit_balance=credit_balance,
    )


def apply_totals(ctx: Ctx, invoice: Invoice, rates: dict[str, TaxRate] | None = None,
                 *, credit_balance: int = 0) -> InvoiceTotals:
    """Recalculate a draft (or a preview) and store amounts and tax snapshots on it.
    `credit_balance` is the customer credit that may be applied (only at finalization;
    drafts and previews apply none)."""
    if rates is None:
        ids = set(invoice.default_tax_rates or [])
        for line in invoice.lines:
            ids.update(line.tax_rate_ids or [])
        rates = tax_rates_by_id(ctx, ids)
    totals = calculate(invoice_input(
        invoice.currency, invoice.rounding_mode,
        [(line.quantity, line.unit_amount_decimal, line.tax_rate_ids, line.line_discounts)
         for line in invoice.lines],
        invoice.discounts, invoice.default_tax_rates, rates, credit_balance))
    for line, result in zip(invoice.lines, totals.lines, strict=True):
        line.amount = result.amount
        line.discount_amount = result.discount_amount
        line.credit_amount = result.credit_amount
        line.tax_amount = result.tax_amount
        line.taxes = [tax_json(t.rate, t.taxable_amount, t.amount) for t in result.taxes]
    invoice.subtotal = totals.subtotal
    invoice.discount_total = totals.discount_total
    invoice.credit_applied = totals.credit_applied
    invoice.tax_total = totals.tax_total
    invoice.total = totals.total
    invoice.tax_breakdown = [tax_json(g.rate, g.taxable_amount, g.amount)
                             for g in totals.tax_groups]
    return totals


__all__ = ["apply_totals", "check_tax_rates", "discount_specs", "invoice_input",
           "rate_spec", "resolve_discounts", "tax_json", "tax_rates_by_id"]
