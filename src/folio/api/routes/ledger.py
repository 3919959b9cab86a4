"""Payments, credit notes and events."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from folio.api.deps import CallDep
from folio.api.routes.common import ERRORS, CreatedDep, PageDep, listing
from folio.api.schemas.common import ListOf
from folio.api.schemas.ledger import CreditNoteOut, EventOut, PaymentOut
from folio.services import credit_notes, events, payments
from folio.services.inputs.payments import CreditNoteCreate, PaymentCreate
from folio.services.views import credit_note_view, event_view, payment_view

router = APIRouter(prefix="/v1", responses=ERRORS)
InvoiceFilter = Annotated[str | None, Query(max_length=40)]


@router.post("/payments", response_model=PaymentOut, tags=["payments"])
def create_payment(body: PaymentCreate, call: CallDep) -> Response:
    return call.write(lambda ctx: payment_view(payments.create_payment(ctx, body)), body)


@router.get("/payments/{payment_id}", response_model=PaymentOut, tags=["payments"])
def get_payment(payment_id: str, call: CallDep) -> Response:
    return call.read(lambda ctx: payment_view(payments.get_payment(ctx, payment_id)))


@router.get("/payments", response_model=ListOf[PaymentOut], tags=["payments"])
def list_payments(call: CallDep, page: PageDep, created: CreatedDep,
                  invoice: InvoiceFilter = None) -> Response:
    return call.read(lambda ctx: listing(
        payments.list_payments(ctx, page, invoice=invoice, created=created), payment_view,
        "/v1/payments"))


@router.post("/credit_notes", response_model=CreditNoteOut, tags=["credit_notes"])
def create_credit_note(body: CreditNoteCreate, call: CallDep) -> Response:
    return call.write(
        lambda ctx: credit_note_view(credit_notes.create_credit_note(ctx, body)), body)


@router.get("/credit_notes/{credit_note_id}", response_model=CreditNoteOut,
            tags=["credit_notes"])
def get_credit_note(credit_note_id: str, call: CallDep) -> Response:
    return call.read(
        lambda ctx: credit_note_view(credit_notes.get_credit_note(ctx, credit_note_id)))


@router.post("/credit_notes/{credit_note_id}/void", response_model=CreditNoteOut,
             tags=["credit_notes"])
def void_credit_note(credit_note_id: str, call: CallDep) -> Response:
    return call.write(
        lambda ctx: credit_note_view(credit_notes.void_credit_note(ctx, credit_note_id)))


@router.get("/credit_notes", response_model=ListOf[CreditNoteOut], tags=["credit_notes"])
def list_credit_notes(call: CallDep, page: PageDep, created: CreatedDep,
                      invoice: InvoiceFilter = None) -> Response:
    return call.read(lambda ctx: listing(
        credit_notes.list_credit_notes(ctx, page, invoice=invoice, created=created),
        credit_note_view, "/v1/credit_notes"))


@router.get("/events/{event_id}", response_model=EventOut, tags=["events"])
def get_event(event_id: str, call: CallDep) -> Response:
    return call.read(lambda ctx: event_view(events.get_event(ctx, event_id)))


@router.get("/events", response_model=ListOf[EventOut], tags=["events"])
def list_events(call: CallDep, page: PageDep,
                type: Annotated[str | None, Query(max_length=64)] = None,
                object_id: Annotated[str | None, Query(max_length=40)] = None) -> Response:
    return call.read(lambda ctx: listing(
        events.list_events(ctx, page, type_=type, object_id=object_id), event_view,
        "/v1/events"))
