"""ChatDash's routes, relative to its base (`https://api.chat-dash.com/v1/public` there,
`/compat/chatdash` here). Translation only: every rule lives in folio.services."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from folio.api.routes.common import MAX_TIME
from folio.db.repository import Page
from folio.domain.errors import InvalidInput
from folio.faces.chatdash import mapping as m
from folio.faces.chatdash.auth import AccountCall, OwnCall
from folio.faces.chatdash.schemas import (
    ClientCreateBody,
    ClientOut,
    ClientUpdateBody,
    ErrorOut,
    InvoiceCreateBody,
    InvoiceOut,
    MemberFields,
    MemberOut,
    MemberUpdateBody,
    Message,
    ProductCreateBody,
    ProductEnvelope,
    ProductList,
    ProductOut,
    ProductUpdateBody,
    TransactionList,
)
from folio.services import catalog, customers, invoices, payments, product_invoices
from folio.services.context import Ctx
from folio.services.inputs.catalog import ProductCreate, ProductUpdate
from folio.services.inputs.customers import ContactInput, CustomerCreate, CustomerUpdate

ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut, "description": text}
    for status, text in [(400, "Invalid request, or a rule refuses it"),
                         (401, "Missing or invalid API key"),
                         (404, "No such object (or account) for this key and mode"),
                         (409, "The object's state refuses the action"),
                         (500, "Internal Server Error")]
}
router = APIRouter(responses=ERRORS)
ACCOUNT = "/stripe/connect/accounts/{accountId}"
Cursor = Annotated[str | None, Query(max_length=40)]
Time = Annotated[int | None, Query(ge=0, le=MAX_TIME)]


# invoices (seeds 000 and 001)

@router.post(ACCOUNT + "/invoices", response_model=InvoiceOut, tags=["Stripe Connect"],
             summary="Create Invoice")
def create_invoice(call: AccountCall, body: InvoiceCreateBody) -> Response:
    data = body.data
    return call.write(lambda ctx: m.invoice_view(product_invoices.create_invoice_for_product(
        ctx, data.clientId, data.productId, collection_method=data.collection_method,
        days_until_due=data.days_until_due)), body)


@router.get(ACCOUNT + "/invoices/{invoiceId}", response_model=InvoiceOut,
            tags=["Stripe Connect"], summary="Get Invoice")
def get_invoice(call: AccountCall, invoiceId: str) -> Response:  # noqa: N803
    return call.read(lambda ctx: m.invoice_view(
        invoices.get_invoice(ctx, invoiceId, param="invoiceId")))


# transactions (payments)

@router.get(ACCOUNT + "/transactions", response_model=TransactionList,
            tags=["Stripe Connect"], summary="List Transactions")
def list_transactions(call: AccountCall,
                      limit: Annotated[int, Query(ge=1, le=100)] = 50,
                      starting_after: Cursor = None,
                      customer: Cursor = None,
                      created_start: Time = None, created_end: Time = None) -> Response:

    def run(ctx: Ctx) -> dict[str, Any]:
        rows, more = payments.list_payments(
            ctx, Page(limit=limit, starting_after=starting_after), customer=customer,
            created=m.created_range(created_start, created_end))
        return m.page_view([m.transaction_view(p) for p in rows], more, "id")

    return call.read(run)


# products

def _product(ctx: Ctx, product_id: str) -> dict[str, Any]:
    product = catalog.get_product(ctx, product_id, param="productId")
    return m.product_view(product, product_invoices.active_prices(ctx, [product])[product.id])


@router.get(ACCOUNT + "/products", response_model=ProductList, tags=["Products"],
            summary="List Products")
def list_products(call: AccountCall,
                  status: Annotated[str, Query(pattern="^(active|archived|all)$")] = "active",
                  limit: Annotated[int, Query(ge=1, le=100)] = 100,
                  starting_after: Cursor = None,
                  created_start: Time = None, created_end: Time = None) -> Response:

    def run(ctx: Ctx) -> dict[str, Any]:
        rows, more = catalog.list_products(
            ctx, Page(limit=limit, starting_after=starting_after),
            active=m.product_status(status), created=m.created_range(created_start, created_end))
        prices = product_invoices.active_prices(ctx, rows)
        return m.page_view([m.product_view(p, prices[p.id]) for p in rows], more, "productId")

    return call.read(run)


@router.get(ACCOUNT + "/products/{productId}", response_model=ProductOut, tags=["Products"],
            summary="Get Product")
def get_product(call: AccountCall, productId: str) -> Response:  # noqa: N803
    return call.read(lambda ctx: _product(ctx, productId))


@router.post(ACCOUNT + "/products", response_model=ProductOut, tags=["Products"],
             summary="Create Product")
def create_product(call: AccountCall, body: ProductCreateBody) -> Response:
    data = body.data
    if data.pricing_model != "oneTime":
        raise InvalidInput(f"pricing_model '{data.pricing_model}' is not supported yet: "
                           "recurring and usage pricing come with subscriptions. Use "
                           "'oneTime'.", param="data.pricing_model")
    if data.amount is None:
        raise InvalidInput("Missing required parameter: data.amount.", param="data.amount")
    amount = int(data.amount)
    if amount > 10**12:
        raise InvalidInput("Invalid value for data.amount: at most 1000000000000.",
                           param="data.amount")

    def run(ctx: Ctx) -> dict[str, Any]:
        product, price = product_invoices.create_one_time_product(
            ctx, ProductCreate(name=data.name, description=data.description),
            currency=data.currency, unit_amount=amount, tax_behavior=data.tax_behavior)
        return m.product_view(product, [price])

    return call.write(run, body)


@router.put(ACCOUNT + "/products/{productId}", response_model=ProductEnvelope,
            tags=["Products"], summary="Update Product")
def update_product(call: AccountCall, productId: str,  # noqa: N803
                   body: ProductUpdateBody) -> Response:
    changes = ProductUpdate(**{k: getattr(body.data, k) for k in body.data.model_fields_set})

    def run(ctx: Ctx) -> dict[str, Any]:
        catalog.update_product(ctx, productId, changes)
        return {"product": _product(ctx, productId)}

    return call.write(run, body)


# clients (Folio customers) and members (their contacts), on the key's own account

@router.get("/clients", response_model=list[ClientOut], tags=["Clients"],
            summary="List Clients")
def list_clients(call: OwnCall) -> Response:
    """Every client of the account, newest first."""

    def run(ctx: Ctx) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        cursor = None
        while True:
            rows, more = customers.list_customers(ctx, Page(limit=100, starting_after=cursor))
            out.extend(m.client_view(c) for c in rows)
            if not more:
                return out
            cursor = rows[-1].public_id

    return call.read(run)


@router.get("/clients/{clientId}", response_model=ClientOut, tags=["Clients"],
            summary="Get Client")
def get_client(call: OwnCall, clientId: str) -> Response:  # noqa: N803
    return call.read(lambda ctx: m.client_view(
        customers.get_customer(ctx, clientId, param="clientId")))


def _contact(member: MemberFields) -> ContactInput:
    return ContactInput(name=member.name, email=member.email, login_id=member.loginId,
                        roles=m.roles_with_admin([], bool(member.isAdmin)))


@router.post("/clients", response_model=Message, tags=["Clients"], summary="Create Client")
def create_client(call: OwnCall, body: ClientCreateBody) -> Response:
    """The member sent with the client becomes its admin member (and its e-mail the
    client's billing e-mail)."""
    member = body.member
    contacts = []
    if member is not None:
        contacts = [_contact(member.model_copy(update={"isAdmin": True}))]
    data = CustomerCreate(name=body.client.name, locale=body.client.language,
                          email=member.email if member else None, contacts=contacts)

    def run(ctx: Ctx) -> dict[str, Any]:
        customers.create_customer(ctx, data)
        return {"message": "Client created successfully"}

    return call.write(run, body)


@router.put("/clients/{clientId}", response_model=Message, tags=["Clients"],
            summary="Update Client")
def update_client(call: OwnCall, clientId: str,  # noqa: N803
                  body: ClientUpdateBody) -> Response:
    fields: dict[str, Any] = {k: getattr(body, k) for k in ("name", "language", "email")
                              if k in body.model_fields_set}
    if body.client is not None:
        fields.update({k: getattr(body.client, k) for k in body.client.model_fields_set})
    if "language" in fields:
        fields["locale"] = fields.pop("language")
    changes = CustomerUpdate(**{k: v for k, v in fields.items()
                                if v is not None or k == "email"})

    def run(ctx: Ctx) -> dict[str, Any]:
        customers.update_customer(ctx, clientId, changes)
        return {"message": "Client updated successfully"}

    return call.write(run, body)


@router.get("/clients/{clientId}/members", response_model=list[MemberOut],
            tags=["Clients"], summary="List Client Members")
def list_members(call: OwnCall, clientId: str) -> Response:  # noqa: N803
    return call.read(lambda ctx: [
        m.member_view(c)
        for c in customers.get_customer(ctx, clientId, param="clientId").contacts])


@router.post("/clients/{clientId}/members", response_model=Message, tags=["Clients"],
             summary="Add Client Member")
def add_member(call: OwnCall, clientId: str, body: MemberFields) -> Response:  # noqa: N803
    contact = _contact(body)

    def run(ctx: Ctx) -> dict[str, Any]:
        customers.add_contact(ctx, clientId, contact)
        return {"message": "Member added successfully"}

    return call.write(run, body)


@router.put("/clients/{clientId}/members/{memberId}", response_model=Message,
            tags=["Clients"], summary="Update Client Member")
def update_member(call: OwnCall, clientId: str, memberId: str,  # noqa: N803
                  body: MemberUpdateBody) -> Response:
    sent = body.model_fields_set

    def run(ctx: Ctx) -> dict[str, Any]:
        current = customers.get_contact(ctx, clientId, memberId)
        fields: dict[str, Any] = {}
        if "name" in sent and body.name is not None:
            fields["name"] = body.name
        if "email" in sent:
            fields["email"] = body.email
        if "loginId" in sent and body.loginId is not None:
            fields["login_id"] = body.loginId
        if "isAdmin" in sent and body.isAdmin is not None:
            fields["roles"] = m.roles_with_admin(current.roles or [], body.isAdmin)
        customers.update_contact(ctx, clientId, memberId, ContactInput(**fields))
        return {"message": "Member updated successfully"}

    return call.write(run, body)
