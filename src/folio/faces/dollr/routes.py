"""Dollr's paths, each one translated to a Folio use case. All paths start with
`/{version}`, and `version` must be `v1` (else FastAPI's own 422)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import JSONResponse

from folio.api.deps import state
from folio.domain.errors import InvalidInput, InvalidState
from folio.domain.money import normalize_currency
from folio.faces.dollr import mapping as m
from folio.faces.dollr import schemas as s
from folio.faces.dollr import views as v
from folio.faces.dollr.auth import CallDep
from folio.services import customers, invoices, lifecycle
from folio.services.accounts import exchange_client_credentials
from folio.services.context import Ctx
from folio.services.inputs.common import Address
from folio.services.inputs.customers import CustomerCreate, CustomerUpdate
from folio.services.inputs.invoices import InvoiceCreate, InvoiceUpdate, LineCreate, LineUpdate
from folio.services.links import hosted_invoice_url

router = APIRouter()

Version = Annotated[Literal["v1"], Path(title="API version")]
ObjectId = Annotated[int, Path(title="Object ID", ge=1, le=2**63 - 1)]
NoNul = r"^[^\x00]*$"
Number = Annotated[str, Path(title="Invoice number", max_length=64, pattern=NoNul)]
Fullname = Annotated[str | None, Query(max_length=200, pattern=NoNul)]
ERRORS: dict[int | str, dict[str, Any]] = {
    422: {"model": s.HTTPValidationErrorOut}, 401: {"model": s.Detail},
    404: {"model": s.Detail}}


# --- auth ------------------------------------------------------------------------------

@router.post("/{version}/jwt/client/obtain/token", response_model=s.TokenOut, tags=["auth"],
             responses={422: {"model": s.HTTPValidationErrorOut}, 401: {"model": s.Detail}})
def obtain_token(version: Version, body: s.TokenRequest, request: Request) -> Response:
    app = state(request)
    with app.db.transaction(write=False) as session:
        token = exchange_client_credentials(session, app.settings.secret, body.client_id,
                                            body.client_secret, app.clock())
    return JSONResponse({"access_token": token.access_token, "token_type": "bearer",
                         "expires_in": token.expires_in_minutes})


# --- parties and counterparties (both are Folio customers) ------------------------------

@router.post("/{version}/parties/create", response_model=s.PartyOut, tags=["parties"],
             responses=ERRORS)
def create_party(version: Version, body: s.PartyCreate, call: CallDep) -> Response:
    data = CustomerCreate(
        name=body.fullname, phone=body.phone, email=body.email,
        address=Address(country=body.country_code.upper()) if body.country_code else None)
    return call.write(lambda ctx: v.party_view(customers.create_customer(ctx, data)))


@router.get("/{version}/parties/list", response_model=list[s.PartyOut], tags=["parties"],
            responses=ERRORS)
def list_parties(version: Version, call: CallDep, fullname: Fullname = None) -> Response:
    return call.read(lambda ctx: [v.party_view(c) for c in m.list_customers(ctx, fullname)])


@router.get("/{version}/parties/retrieve/{id}", response_model=s.PartyOut, tags=["parties"],
            responses=ERRORS)
def retrieve_party(version: Version, id: ObjectId, call: CallDep) -> Response:
    return call.read(lambda ctx: v.party_view(m.customer_by_id(ctx, id, "Party")))


def _set_relationship(ctx: Ctx, public_id: str, relationship_type: str) -> Any:
    return customers.update_customer(
        ctx, public_id, CustomerUpdate(relationship_type=relationship_type.lower()))


@router.post("/{version}/counterparties/create", response_model=s.CounterpartyOut,
             tags=["counterparties"], responses=ERRORS)
def create_counterparty(version: Version, body: s.CounterpartyCreate,
                        call: CallDep) -> Response:
    def run(ctx: Ctx) -> Any:
        if body.party_id is None:
            raise InvalidInput("party_id is required: a Folio counterparty is its party's "
                               "customer record.", param="party_id", code="parameter_missing")
        party = m.customer_by_id(ctx, body.party_id, "Party", body_param="party_id")
        if party.relationship_type is not None:
            raise InvalidInput(f"Party {party.id} already has a counterparty (id {party.id}); "
                               "in Folio a party has at most one.", param="party_id",
                               code="counterparty_exists")
        return v.counterparty_view(_set_relationship(ctx, party.public_id,
                                                     body.relationship_type))
    return call.write(run)


@router.get("/{version}/counterparties/list", response_model=list[s.CounterpartyWithPartyOut],
            tags=["counterparties"], responses=ERRORS)
def list_counterparties(version: Version, call: CallDep, fullname: Fullname = None,
                        relationship_type: s.RelationshipType | None = None) -> Response:
    return call.read(lambda ctx: [v.counterparty_with_party_view(c) for c in
                                  m.list_customers(ctx, fullname, relationship_type)])


@router.get("/{version}/counterparties/retrieve/{id}", response_model=s.CounterpartyWithPartyOut,
            tags=["counterparties"], responses=ERRORS)
def retrieve_counterparty(version: Version, id: ObjectId, call: CallDep) -> Response:
    return call.read(lambda ctx: v.counterparty_with_party_view(
        m.customer_by_id(ctx, id, "Counterparty")))


@router.put("/{version}/counterparties/update/{id}", response_model=s.CounterpartyOut,
            tags=["counterparties"], responses=ERRORS)
def update_counterparty(version: Version, id: ObjectId, body: s.CounterpartyUpdate,
                        call: CallDep) -> Response:
    def run(ctx: Ctx) -> Any:
        counterparty = m.customer_by_id(ctx, id, "Counterparty")
        if body.party_id is not None and body.party_id != counterparty.id:
            raise InvalidInput("A Folio counterparty cannot move to another party; create a "
                               "counterparty on that party instead.", param="party_id",
                               code="counterparty_party_fixed")
        if body.relationship_type is not None:
            counterparty = _set_relationship(ctx, counterparty.public_id,
                                             body.relationship_type)
        return v.counterparty_view(counterparty)
    return call.write(run)


# --- invoices --------------------------------------------------------------------------

@router.post("/{version}/invoices/create", response_model=s.InvoiceOut, tags=["invoices"],
             responses=ERRORS)
def create_invoice(version: Version, body: s.InvoiceCreate, call: CallDep) -> Response:
    def run(ctx: Ctx) -> Any:
        customer = m.customer_by_id(ctx, body.counterparty_id, "Counterparty",
                                    body_param="counterparty_id")
        due: dict[str, int] = ({"due_date": m.timestamp(body.due_date)} if body.due_date
                               else {"days_until_due": 0})
        data = InvoiceCreate(
            customer=customer.public_id, currency=body.currency, memo=body.note,
            fee_bearer=body.fee_bearer.lower(),
            as_payment_link=body.as_payment_link, reference=body.reference_id,
            collection_method="send_invoice", **due)
        return v.invoice_view(invoices.create_invoice(ctx, data))
    return call.write(run)


@router.get("/{version}/invoices/list", response_model=list[s.InvoiceOut], tags=["invoices"],
            responses=ERRORS)
def list_invoices(
    version: Version, call: CallDep,
    currency: Annotated[str | None, Query(min_length=3, max_length=3,
                                          pattern=r"^[A-Z]{3}$")] = None,
    status: s.InvoiceStatus | None = None,
) -> Response:
    return call.read(lambda ctx: [v.invoice_view(x) for x in
                                  m.list_invoices(ctx, currency, status)])


@router.get("/{version}/invoices/retrieve/number/{invoice_number}",
            response_model=s.InvoiceDetailOut, tags=["invoices"], responses=ERRORS)
def retrieve_invoice_by_number(version: Version, invoice_number: Number,
                               call: CallDep) -> Response:
    return call.read(lambda ctx: v.invoice_detail_view(m.invoice_by_number(ctx, invoice_number)))


@router.get("/{version}/invoices/retrieve/{id}", response_model=s.InvoiceDetailOut,
            tags=["invoices"], summary="Retrieve Invoice By Id", responses=ERRORS)
def retrieve_invoice_by_id(version: Version, id: ObjectId, call: CallDep) -> Response:
    return call.read(lambda ctx: v.invoice_detail_view(m.invoice_by_id(ctx, id)))


@router.put("/{version}/invoices/update/{id}", response_model=s.InvoiceOut, tags=["invoices"],
            responses=ERRORS)
def update_invoice(version: Version, id: ObjectId, body: s.InvoiceUpdate,
                   call: CallDep) -> Response:
    def run(ctx: Ctx) -> Any:
        invoice = m.invoice_by_id(ctx, id)
        fields: dict[str, Any] = {}  # a null field is left as it is
        if body.reference_id is not None:
            fields["reference"] = body.reference_id
        if body.note is not None:
            fields["memo"] = body.note
        if body.fee_bearer is not None:
            fields["fee_bearer"] = body.fee_bearer.lower()
        if body.due_date is not None:
            fields.update(due_date=m.timestamp(body.due_date), collection_method="send_invoice")
        updated = invoices.update_invoice(ctx, invoice.public_id, InvoiceUpdate(**fields))
        return v.invoice_view(updated)
    return call.write(run)


def _currency_of_item(currency: str, invoice_currency: str) -> None:
    if normalize_currency(currency) != invoice_currency:
        raise InvalidInput(f"The item currency {currency.upper()} is not the invoice's "
                           f"({invoice_currency.upper()}).", param="currency",
                           code="currency_mismatch")


@router.post("/{version}/invoices/{invoice_id}/items/add", response_model=s.ItemOut,
             tags=["invoice items"], responses=ERRORS)
def add_item(version: Version, invoice_id: ObjectId, body: s.ItemAdd,
             call: CallDep) -> Response:
    def run(ctx: Ctx) -> Any:
        invoice = m.invoice_by_id(ctx, invoice_id)
        _currency_of_item(body.currency, invoice.currency)
        line = LineCreate(description=body.name, quantity=Decimal(body.qty),
                             unit_amount=m.minor(body.amount, invoice.currency))
        invoice = invoices.add_lines(ctx, invoice.public_id, [line])
        added = max(invoice.lines, key=lambda x: x.position)
        return v.item_view(added, invoice)
    return call.write(run)


@router.put("/{version}/invoices/{invoice_id}/items/{id}/update", response_model=s.ItemOut,
            tags=["invoice items"], responses=ERRORS)
def update_item(version: Version, invoice_id: ObjectId, id: ObjectId, body: s.ItemUpdate,
                call: CallDep) -> Response:
    def run(ctx: Ctx) -> Any:
        invoice = m.invoice_by_id(ctx, invoice_id)
        line = m.item_by_id(ctx, invoice, id)
        fields: dict[str, Any] = {}  # a null field is left as it is
        if body.name is not None:
            fields["description"] = body.name
        if body.qty is not None:
            fields["quantity"] = Decimal(body.qty)
        if body.amount is not None:
            fields["unit_amount"] = m.minor(body.amount, invoice.currency)
        invoice = invoices.update_line(ctx, invoice.public_id, line.public_id,
                                       LineUpdate(**fields))
        return v.item_view(line, invoice)
    return call.write(run)


@router.delete("/{version}/invoices/{invoice_id}/items/{id}/remove", response_model=s.Empty,
               tags=["invoice items"], responses=ERRORS)
def remove_item(version: Version, invoice_id: ObjectId, id: ObjectId,
                call: CallDep) -> Response:
    def run(ctx: Ctx) -> Any:
        invoice = m.invoice_by_id(ctx, invoice_id)
        line = m.item_by_id(ctx, invoice, id)
        invoices.remove_line(ctx, invoice.public_id, line.public_id)
        return {}
    return call.write(run)


@router.put("/{version}/invoices/publish/{id}", response_model=s.InvoiceOut,
            tags=["invoices"], responses=ERRORS)
def publish_invoice(version: Version, id: ObjectId, call: CallDep) -> Response:
    return call.write(lambda ctx: v.invoice_view(
        lifecycle.finalize_invoice(ctx, m.invoice_by_id(ctx, id).public_id)))


@router.delete("/{version}/invoices/cancel/{id}", response_model=s.InvoiceOut,
               tags=["invoices"], responses=ERRORS)
def cancel_invoice(version: Version, id: ObjectId, call: CallDep) -> Response:
    return call.write(lambda ctx: v.invoice_view(lifecycle.void_invoice(
        ctx, m.invoice_by_id(ctx, id).public_id, allow_draft=True)))


def _receipt(ctx: Ctx, invoice: Any) -> Any:
    if invoice.status != "paid":
        raise InvalidState(f"Invoice {invoice.id} is {m.STATUS[invoice.status]}; a receipt "
                           "exists only once it is PAID.", code="invoice_not_paid")
    return v.receipt_view(ctx, invoice)


@router.get("/{version}/invoices/receipt/number/{invoice_number}", response_model=s.ReceiptOut,
            tags=["invoices"], responses=ERRORS)
def receipt_by_number(version: Version, invoice_number: Number, call: CallDep) -> Response:
    return call.read(lambda ctx: _receipt(ctx, m.invoice_by_number(ctx, invoice_number)))


@router.get("/{version}/invoices/receipt/{id}", response_model=s.ReceiptOut,
            tags=["invoices"], responses=ERRORS)
def receipt_by_id(version: Version, id: ObjectId, call: CallDep) -> Response:
    return call.read(lambda ctx: _receipt(ctx, m.invoice_by_id(ctx, id)))


# --- payment links -----------------------------------------------------------------------

SourceType = Annotated[Literal["INVOICE"], Query(description="Only INVOICE is supported")]
SourceNumber = Annotated[str, Query(max_length=64, pattern=NoNul)]


def _link(ctx: Ctx, number: str, *, receipt: bool) -> dict[str, str]:
    invoice = m.invoice_by_number(ctx, number)
    if receipt and invoice.status != "paid":
        raise InvalidState(f"Invoice {invoice.id} is {m.STATUS[invoice.status]}; a receipt "
                           "link exists only once it is PAID.", code="invoice_not_paid")
    url = hosted_invoice_url(invoice.hosted_token)
    if url is None or invoice.status == "void":
        raise InvalidState(f"Invoice {invoice.id} is {m.STATUS[invoice.status]}; a payment "
                           "link needs a published invoice.", code="invoice_not_payable")
    return {"url": url}


@router.get("/{version}/links/pay", response_model=s.LinkOut, tags=["links"],
            responses=ERRORS, summary="The hosted payment page of an invoice")
def pay_link(version: Version, source_type: SourceType, source_number: SourceNumber,
             call: CallDep) -> Response:
    return call.read(lambda ctx: _link(ctx, source_number, receipt=False))


@router.get("/{version}/links/receipt", response_model=s.LinkOut, tags=["links"],
            responses=ERRORS, summary="The hosted page of a paid invoice, its receipt")
def receipt_link(version: Version, source_type: SourceType, source_number: SourceNumber,
                 call: CallDep) -> Response:
    return call.read(lambda ctx: _link(ctx, source_number, receipt=True))
