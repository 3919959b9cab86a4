from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from folio.api.deps import CallDep
from folio.api.routes.common import ERRORS, CreatedDep, PageDep, listing
from folio.api.schemas.catalog import CouponOut, PriceOut, ProductOut, TaxRateOut
from folio.api.schemas.common import ListOf
from folio.services import catalog
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
from folio.services.views import coupon_view, price_view, product_view, tax_rate_view

router = APIRouter(prefix="/v1", responses=ERRORS)


@router.post("/products", response_model=ProductOut, tags=["products"])
def create_product(body: ProductCreate, call: CallDep) -> Response:
    return call.write(lambda ctx: product_view(catalog.create_product(ctx, body)), body)


@router.get("/products/{product_id}", response_model=ProductOut, tags=["products"])
def get_product(product_id: str, call: CallDep) -> Response:
    return call.read(lambda ctx: product_view(catalog.get_product(ctx, product_id)))


@router.post("/products/{product_id}", response_model=ProductOut, tags=["products"])
def update_product(product_id: str, body: ProductUpdate, call: CallDep) -> Response:
    return call.write(
        lambda ctx: product_view(catalog.update_product(ctx, product_id, body)), body)


@router.get("/products", response_model=ListOf[ProductOut], tags=["products"])
def list_products(call: CallDep, page: PageDep, created: CreatedDep,
                  active: bool | None = None) -> Response:
    return call.read(lambda ctx: listing(
        catalog.list_products(ctx, page, active=active, created=created), product_view,
        "/v1/products"))


@router.post("/prices", response_model=PriceOut, tags=["prices"])
def create_price(body: PriceCreate, call: CallDep) -> Response:
    return call.write(lambda ctx: price_view(catalog.create_price(ctx, body)), body)


@router.get("/prices/{price_id}", response_model=PriceOut, tags=["prices"])
def get_price(price_id: str, call: CallDep) -> Response:
    return call.read(lambda ctx: price_view(catalog.get_price(ctx, price_id)))


@router.post("/prices/{price_id}", response_model=PriceOut, tags=["prices"])
def update_price(price_id: str, body: PriceUpdate, call: CallDep) -> Response:
    return call.write(lambda ctx: price_view(catalog.update_price(ctx, price_id, body)), body)


@router.get("/prices", response_model=ListOf[PriceOut], tags=["prices"])
def list_prices(call: CallDep, page: PageDep, created: CreatedDep,
                product: Annotated[str | None, Query(max_length=40)] = None,
                active: bool | None = None,
                type: Literal["one_time", "recurring"] | None = None) -> Response:
    return call.read(lambda ctx: listing(
        catalog.list_prices(ctx, page, product=product, active=active, type_=type,
                            created=created), price_view, "/v1/prices"))


@router.post("/tax_rates", response_model=TaxRateOut, tags=["tax_rates"])
def create_tax_rate(body: TaxRateCreate, call: CallDep) -> Response:
    return call.write(lambda ctx: tax_rate_view(catalog.create_tax_rate(ctx, body)), body)


@router.get("/tax_rates/{tax_rate_id}", response_model=TaxRateOut, tags=["tax_rates"])
def get_tax_rate(tax_rate_id: str, call: CallDep) -> Response:
    return call.read(lambda ctx: tax_rate_view(catalog.get_tax_rate(ctx, tax_rate_id)))


@router.post("/tax_rates/{tax_rate_id}", response_model=TaxRateOut, tags=["tax_rates"])
def update_tax_rate(tax_rate_id: str, body: TaxRateUpdate, call: CallDep) -> Response:
    return call.write(
        lambda ctx: tax_rate_view(catalog.update_tax_rate(ctx, tax_rate_id, body)), body)


@router.get("/tax_rates", response_model=ListOf[TaxRateOut], tags=["tax_rates"])
def list_tax_rates(call: CallDep, page: PageDep, created: CreatedDep,
                   active: bool | None = None, inclusive: bool | None = None) -> Response:
    return call.read(lambda ctx: listing(
        catalog.list_tax_rates(ctx, page, active=active, inclusive=inclusive, created=created),
        tax_rate_view, "/v1/tax_rates"))


@router.post("/coupons", response_model=CouponOut, tags=["coupons"])
def create_coupon(body: CouponCreate, call: CallDep) -> Response:
    return call.write(lambda ctx: coupon_view(catalog.create_coupon(ctx, body)), body)


@router.get("/coupons/{coupon_id}", response_model=CouponOut, tags=["coupons"])
def get_coupon(coupon_id: str, call: CallDep) -> Response:
    return call.read(lambda ctx: coupon_view(catalog.get_coupon(ctx, coupon_id)))


@router.post("/coupons/{coupon_id}", response_model=CouponOut, tags=["coupons"])
def update_coupon(coupon_id: str, body: CouponUpdate, call: CallDep) -> Response:
    return call.write(
        lambda ctx: coupon_view(catalog.update_coupon(ctx, coupon_id, body)), body)


@router.get("/coupons", response_model=ListOf[CouponOut], tags=["coupons"])
def list_coupons(call: CallDep, page: PageDep, created: CreatedDep) -> Response:
    return call.read(lambda ctx: listing(catalog.list_coupons(ctx, page, created=created),
                                         coupon_view, "/v1/coupons"))
