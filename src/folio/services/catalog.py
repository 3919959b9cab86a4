"""Products, prices, tax rates and coupons."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, TypeVar

from folio.db.base import TenantOwned
from folio.db.models import Coupon, Price, Product, TaxRate
from folio.db.repository import Page, created_filter, get_by_public_id, page, scoped
from folio.documents.categories import check_tax_rate_category
from folio.domain.errors import InvalidInput
from folio.domain.money import normalize_currency
from folio.services import events
from folio.services.context import Ctx
from folio.services.inputs.catalog import (
    CouponCreate,
    CouponUpdate,
    PriceCreate,
    PriceUpdate,
    ProductCreate,
    ProductUpdate,
    TaxRateCreate,
    TaxRateUpdate,
)
from folio.services.inputs.common import merge_metadata, provided
from folio.services.views import coupon_view, price_view, product_view, tax_rate_view

T = TypeVar("T", bound=TenantOwned)


def _apply(obj: T, changes: dict[str, Any]) -> T:
    if "metadata" in changes:
        obj.metadata_ = merge_metadata(obj.metadata_, changes.pop("metadata"))
    for key, value in changes.items():
        if value is None and key in ("active", "name", "display_name"):
            continue  # these cannot be unset
        setattr(obj, key, value)
    return obj


def _list(ctx: Ctx, model: type[T], p: Page, created: dict[str, int] | None,
          **filters: Any) -> tuple[list[T], bool]:
    stmt = created_filter(scoped(model, ctx.scope), model, created)
    for column, value in filters.items():
        if value is not None:
            stmt = stmt.where(getattr(model, column) == value)
    return page(ctx.session, stmt, model, ctx.scope, p)


# products

def create_product(ctx: Ctx, data: ProductCreate) -> Product:
    product = Product(**ctx.owned(), name=data.name, description=data.description,
                      active=data.active, unit_label=data.unit_label, unit_code=data.unit_code,
                      product_type=data.product_type, metadata_=data.metadata or {})
    ctx.session.add(product)
    ctx.session.flush()
    events.record(ctx, "product.created", product_view(product))
    return product


def get_product(ctx: Ctx, product_id: str, param: str = "id") -> Product:
    return get_by_public_id(ctx.session, Product, ctx.scope, product_id, param=param)


def update_product(ctx: Ctx, product_id: str, data: ProductUpdate) -> Product:
    product = _apply(get_product(ctx, product_id), provided(data))
    product.updated = ctx.now()
    ctx.session.flush()
    events.record(ctx, "product.updated", product_view(product))
    return product


def list_products(ctx: Ctx, p: Page, active: bool | None = None,
                  created: dict[str, int] | None = None) -> tuple[list[Product], bool]:
    return _list(ctx, Product, p, created, active=active)


# prices

def create_price(ctx: Ctx, data: PriceCreate) -> Price:
    product = get_product(ctx, data.product, param="product")
    if (data.unit_amount is None) == (data.unit_amount_decimal is None):
        raise InvalidInput("Give exactly one of unit_amount or unit_amount_decimal.",
                           param="unit_amount")
    amount = Decimal(data.unit_amount) if data.unit_amount is not None else data.unit_amount_decimal
    assert amount is not None
    if amount < 0:
        raise InvalidInput("A price cannot be negative.", param="unit_amount_decimal")
    kind = data.type or ("recurring" if data.recurring else "one_time")
    if (kind == "recurring") != (data.recurring is not None):
        raise InvalidInput("A recurring price needs 'recurring'; a one-time price has none.",
                           param="recurring")
    price = Price(
        **ctx.owned(), product_id=product.id, currency=normalize_currency(data.currency),
        unit_amount_decimal=amount, type=kind,
        recurring_interval=data.recurring.interval if data.recurring else None,
        recurring_interval_count=data.recurring.interval_count if data.recurring else None,
        tax_behavior=data.tax_behavior, nickname=data.nickname, active=data.active,
        metadata_=data.metadata or {},
    )
    price.product = product
    ctx.session.add(price)
    ctx.session.flush()
    events.record(ctx, "price.created", price_view(price))
    return price


def get_price(ctx: Ctx, price_id: str, param: str = "id") -> Price:
    return get_by_public_id(ctx.session, Price, ctx.scope, price_id, param=param)


def update_price(ctx: Ctx, price_id: str, data: PriceUpdate) -> Price:
    price = _apply(get_price(ctx, price_id), provided(data))
    ctx.session.flush()
    events.record(ctx, "price.updated", price_view(price))
    return price


def list_prices(ctx: Ctx, p: Page, product: str | None = None, active: bool | None = None,
                type_: str | None = None, created: dict[str, int] | None = None,
                ) -> tuple[list[Price], bool]:
    product_id = get_product(ctx, product, param="product").id if product else None
    return _list(ctx, Price, p, created, product_id=product_id, active=active, type=type_)


# tax rates

def create_tax_rate(ctx: Ctx, data: TaxRateCreate) -> TaxRate:
    check_tax_rate_category(data.category, data.percentage, data.exemption_reason,
                            data.exemption_reason_code)
    rate = TaxRate(**ctx.owned(), display_name=data.display_name, description=data.description,
                   percentage=data.percentage, inclusive=data.inclusive,
                   country=data.country.upper() if data.country else None, state=data.state,
                   jurisdiction=data.jurisdiction, tax_type=data.tax_type,
                   category=data.category, exemption_reason=data.exemption_reason,
                   exemption_reason_code=data.exemption_reason_code, code=data.code,
                   active=data.active, metadata_=data.metadata or {})
    ctx.session.add(rate)
    ctx.session.flush()
    events.record(ctx, "tax_rate.created", tax_rate_view(rate))
    return rate


def get_tax_rate(ctx: Ctx, rate_id: str, param: str = "id") -> TaxRate:
    return get_by_public_id(ctx.session, TaxRate, ctx.scope, rate_id, param=param)


def update_tax_rate(ctx: Ctx, rate_id: str, data: TaxRateUpdate) -> TaxRate:
    """Percentage and inclusivity never change: issued invoices hold snapshots, drafts
    would silently change. Create a new rate instead. The VAT category and exemption
    reason change no amount and may be corrected (drafts pick them up at finalize)."""
    rate = get_tax_rate(ctx, rate_id)
    changes = provided(data)
    if changes.get("category") is None:
        changes.pop("category", None)  # the category cannot be unset
    check_tax_rate_category(changes.get("category", rate.category), rate.percentage,
                            changes.get("exemption_reason", rate.exemption_reason),
                            changes.get("exemption_reason_code", rate.exemption_reason_code))
    rate = _apply(rate, changes)
    ctx.session.flush()
    events.record(ctx, "tax_rate.updated", tax_rate_view(rate))
    return rate


def list_tax_rates(ctx: Ctx, p: Page, active: bool | None = None,
                   inclusive: bool | None = None, created: dict[str, int] | None = None,
                   code: str | None = None) -> tuple[list[TaxRate], bool]:
    return _list(ctx, TaxRate, p, created, active=active, inclusive=inclusive, code=code)


# coupons

def create_coupon(ctx: Ctx, data: CouponCreate) -> Coupon:
    if (data.percent_off is None) == (data.amount_off is None):
        raise InvalidInput("Give exactly one of percent_off or amount_off.", param="percent_off")
    if data.amount_off is not None and not data.currency:
        raise InvalidInput("amount_off needs a currency.", param="currency")
    if (data.duration == "repeating") != (data.duration_in_months is not None):
        raise InvalidInput("duration_in_months is required with, and only with, 'repeating'.",
                           param="duration_in_months")
    coupon = Coupon(**ctx.owned(), name=data.name, percent_off=data.percent_off,
                    amount_off=data.amount_off,
                    currency=normalize_currency(data.currency) if data.currency else None,
                    duration=data.duration, duration_in_months=data.duration_in_months,
                    max_redemptions=data.max_redemptions, times_redeemed=0, valid=True,
                    metadata_=data.metadata or {})
    ctx.session.add(coupon)
    ctx.session.flush()
    events.record(ctx, "coupon.created", coupon_view(coupon))
    return coupon


def get_coupon(ctx: Ctx, coupon_id: str, param: str = "id") -> Coupon:
    return get_by_public_id(ctx.session, Coupon, ctx.scope, coupon_id, param=param)


def update_coupon(ctx: Ctx, coupon_id: str, data: CouponUpdate) -> Coupon:
    coupon = _apply(get_coupon(ctx, coupon_id), provided(data))
    ctx.session.flush()
    events.record(ctx, "coupon.updated", coupon_view(coupon))
    return coupon


def list_coupons(ctx: Ctx, p: Page, created: dict[str, int] | None = None
                 ) -> tuple[list[Coupon], bool]:
    return _list(ctx, Coupon, p, created)
