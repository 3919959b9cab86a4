"""Plain factory functions over the API (no mocks: every call goes through /v1)."""

from __future__ import annotations

from typing import Any

from tests.conftest import Tenant


def customer(t: Tenant, **fields: Any) -> dict[str, Any]:
    body = {"name": "Ada Lovelace", "email": "ada@example.com",
            "contacts": [{"name": "Ada", "email": "ada@example.com", "roles": ["admin"]}],
            **fields}
    return t.ok("POST", "/v1/customers", body)


def tax_rate(t: Tenant, percentage: str = "19", inclusive: bool = False) -> dict[str, Any]:
    return t.ok("POST", "/v1/tax_rates", {"display_name": "VAT", "percentage": percentage,
                                          "inclusive": inclusive})


def product_price(t: Tenant, unit_amount: int = 1000, currency: str = "eur"
                  ) -> tuple[dict[str, Any], dict[str, Any]]:
    product = t.ok("POST", "/v1/products", {"name": "Widget"})
    price = t.ok("POST", "/v1/prices", {"product": product["id"], "currency": currency,
                                        "unit_amount": unit_amount})
    return product, price


def draft(t: Tenant, lines: list[dict[str, Any]] | None = None, **fields: Any
          ) -> dict[str, Any]:
    cus = fields.pop("customer", None) or customer(t)["id"]
    body = {"customer": cus, "currency": "eur",
            "lines": lines if lines is not None else [
                {"description": "Work", "quantity": "2", "unit_amount": 5000}],
            **fields}
    return t.ok("POST", "/v1/invoices", body)


def open_invoice(t: Tenant, **fields: Any) -> dict[str, Any]:
    inv = draft(t, **fields)
    return t.ok("POST", f"/v1/invoices/{inv['id']}/finalize")
