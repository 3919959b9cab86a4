"""The hosted invoice page: `GET /i/{token}` shows a finalized invoice to whoever holds
its link; `POST /i/{token}/pay` pays it by card through the payment gateway.

Works without JavaScript: the form posts, the server answers 303 back to the page with the
outcome (post/redirect/get), so a reload never re-submits a payment. Each rendering of the
form carries a fresh attempt key, and the gateway is called at most once per key.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from folio.api.deps import AppState, state
from folio.db.models import Account
from folio.domain.errors import DomainError
from folio.services import hosted, pdfs
from folio.services.context import Ctx
from folio.services.gateway import TEST_CARDS, PaymentGateway, SandboxGateway, parse_card
from folio.services.views import invoice_view
from folio.web.formatting import day, money
from folio.web.static_files import HTMX_URL

TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                        autoescape=select_autoescape(["html"]))
STATUS_LABELS = {"open": "Open", "paid": "Paid", "void": "Void",
                 "uncollectible": "Uncollectible"}
DECLINE_TEXT = {code: message for _, code, message in TEST_CARDS.values() if code}
ERROR_TEXT = {
    "invalid_card_number": "The card number is not valid.",
    "invalid_expiry": "The expiry date is not valid (MM/YY, not in the past).",
    "invalid_cvc": "The security code must be 3 or 4 digits.",
    "test_card_required": "This is a test invoice: pay it with a test card such as "
                          "4242 4242 4242 4242.",
    "invoice_not_payable": "This invoice can no longer be paid.",
}
SECURITY_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer",
                    "X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff"}

router = APIRouter(include_in_schema=False)


def gateway_of(app: AppState) -> PaymentGateway:
    """The built-in sandbox; live gateways plug in behind the same interface."""
    return SandboxGateway()


def page(name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    html = TEMPLATES.get_template(name).render(htmx=HTMX_URL, **context)
    return HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)


def _notice(params: dict[str, str]) -> dict[str, str] | None:
    outcome, code = params.get("payment"), params.get("code", "")
    if outcome == "succeeded":
        return {"kind": "ok", "text": "Thank you: your payment succeeded."}
    if outcome in ("declined", "requires_action"):
        return {"kind": "bad", "text": DECLINE_TEXT.get(code, "Your payment did not go "
                                                              "through.")}
    if outcome == "error":  # texts come from codes: the URL cannot put words on the page
        return {"kind": "bad", "text": ERROR_TEXT.get(code, "Your payment could not be "
                                                             "processed.")}
    return None


def _render_invoice(app: AppState, token: str, params: dict[str, str]) -> Response:
    with app.db.transaction(write=False) as session:
        invoice = hosted.invoice_for_token(session, token)
        if invoice is None:
            return page("missing.html", status_code=404)
        view = invoice_view(invoice)
        seller = session.get(Account, invoice.account_id)
        seller_name = seller.name if seller else ""
        livemode = invoice.livemode
        payable = hosted.is_payable(invoice)
    currency = view["currency"]
    buyer = view["customer_details"] or {}
    address = buyer.get("address") or {}
    address_parts = [p for p in (address.get("line1"), address.get("line2"),
                                 " ".join(x for x in (address.get("postal_code"),
                                                      address.get("city")) if x),
                                 address.get("country")) if p]
    return page(
        "invoice.html", inv=view, seller=seller_name, buyer=buyer, address=address_parts,
        status_label=STATUS_LABELS.get(view["status"], view["status"]),
        payable=payable, pdf_url=f"/i/{quote(token)}/pdf",
        attempt=secrets.token_urlsafe(16), pay_action=f"/i/{quote(token)}/pay",
        sandbox=not livemode, notice=_notice(params),
        money=lambda amount: money(amount, currency), day=day)


@router.get("/i/{token}/pdf")
def hosted_invoice_pdf(token: str, request: Request) -> Response:
    """The invoice's PDF for whoever holds the page's link."""
    with state(request).db.transaction(write=False) as session:
        invoice = hosted.invoice_for_token(session, token)
        seller = session.get(Account, invoice.account_id) if invoice is not None else None
        if invoice is None or seller is None:
            return page("missing.html", status_code=404)
        content = pdfs.render_invoice(seller, invoice)
        name = pdfs.filename(invoice.number, invoice.public_id)
    return Response(content, media_type=pdfs.PDF, headers={
        **SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/i/{token}")
def hosted_invoice_page(token: str, request: Request) -> Response:
    params = dict(request.query_params.items())
    return _render_invoice(state(request), token, params)


def _pay(app: AppState, token: str, form: dict[str, str], request_id: str) -> str:
    """Pays and returns the query string the page is redirected to."""
    with app.db.transaction(write=True) as session:
        invoice = hosted.invoice_for_token(session, token)
        if invoice is None:
            return "missing"
        now = datetime.fromtimestamp(app.clock(), UTC)
        card = parse_card(form.get("card_number", ""), form.get("card_exp", ""),
                          form.get("card_cvc", ""), today=(now.year, now.month))
        attempt_key = form.get("attempt", "")[:64] or secrets.token_urlsafe(16)
        ctx = Ctx(session, account_id=invoice.account_id, livemode=invoice.livemode,
                  clock=app.clock, request_id=request_id)
        attempt = hosted.pay_by_card(ctx, invoice.public_id, card,
                                     attempt_key=f"hosted:{attempt_key}",
                                     gateway=gateway_of(app))
    code = f"&code={quote(attempt.decline_code)}" if attempt.decline_code else ""
    return f"payment={attempt.outcome}{code}"


@router.post("/i/{token}/pay")
async def hosted_invoice_pay(token: str, request: Request) -> Response:
    body = await request.body()
    form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")[:10_000]).items()}
    app = state(request)
    try:
        query = await run_in_threadpool(_pay, app, token, form,
                                        request.scope.get("folio.request_id", ""))
    except DomainError as exc:  # bad card input or an unpayable invoice: nothing written
        query = f"payment=error&code={quote(exc.code)}"
    if query == "missing":
        return page("missing.html", status_code=404)
    return RedirectResponse(f"/i/{quote(token)}?{query}", status_code=303,
                            headers=SECURITY_HEADERS)
