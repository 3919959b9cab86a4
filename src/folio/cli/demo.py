"""Demo data for `folio demo`, built through the same services as the API."""

from __future__ import annotations

from decimal import Decimal

from rich.console import Console
from rich.progress import track

from folio.config import Settings
from folio.db.engine import Database
from folio.db.models import Account
from folio.services import (
    account_settings,
    catalog,
    credit_balance,
    credit_notes,
    customers,
    invoices,
    lifecycle,
    payments,
)
from folio.services.accounts import create_account
from folio.services.context import Ctx
from folio.services.inputs.account import AccountUpdate
from folio.services.inputs.catalog import PriceCreate, ProductCreate, Recurring, TaxRateCreate
from folio.services.inputs.common import Address
from folio.services.inputs.customers import ContactInput, CustomerCreate
from folio.services.inputs.invoices import InvoiceCreate, LineCreate
from folio.services.inputs.payments import CreditGrantCreate, CreditNoteCreate, PaymentCreate


def seed(db: Database, settings: Settings, console: Console) -> None:
    with db.transaction() as session:
        platform = create_account(session, settings.secret, name="Demo Agency",
                                  country="DE", default_currency="eur")
        connected = create_account(session, settings.secret, name="Demo Client Co",
                                   platform_public_id=platform.account.public_id,
                                   default_currency="eur", numbering_scope="customer")
        platform_id, connected_id = platform.account.id, connected.account.id
    opened: list[str] = []
    for account_id in track((platform_id, connected_id), description="Seeding demo data"):
        with db.transaction() as session:
            account = session.get(Account, account_id)
            assert account is not None
            opened.append(_seed_account(Ctx(session=session, account=account, livemode=False)))
    base = f"http://{settings.host}:{settings.port}"
    key = platform.test_key
    console.print(f"[bold]Platform[/bold] {platform.account.public_id}  test key: {key}")
    console.print(f"           live key: {platform.live_key}")
    console.print(f"[bold]Connected[/bold] {connected.account.public_id}  test key: "
                  f"{connected.test_key}")
    console.print("\nTry:")
    console.print(f'  curl -s {base}/v1/invoices -H "Authorization: Bearer {key}"')
    console.print(f'  curl -s {base}/v1/customers -H "Authorization: Bearer {key}"')
    console.print(f'  curl -s {base}/v1/invoices -H "Authorization: Bearer {key}" '
                  f'-H "Folio-Account: {connected.account.public_id}"')
    console.print(f'  curl -s "{base}/v1/invoices/{opened[0]}/einvoice?format=cii" '
                  f'-H "Authorization: Bearer {key}"')
    console.print(f"  curl -s {base}/v1/invoices/{opened[0]}/pdf "
                  f'-H "Authorization: Bearer {key}" -o invoice.pdf')
    console.print(f'  curl -s {base}/compat/commet/invoices -H "x-api-key: {key}"')
    console.print(f"  curl -s {base}/compat/dollr/v1/invoices/list "
                  f'-H "Authorization: Bearer {key}"')
    console.print(f'  curl -s {base}/compat/dolfin/invoices -H "x-dolfin-api-key: {key}" '
                  f'-H "x-dolfin-organisation-id: {platform.account.uuid}"')
    console.print(f'  curl -s {base}/compat/chatdash/stripe/connect/accounts/'
                  f'{connected.account.public_id}/transactions -H "Authorization: {key}"')
    console.print(f"  open {base}/docs")


def _seed_account(ctx: Ctx) -> str:
    """Seeds one account; returns the id of its open invoice."""
    account_settings.update_account(ctx, AccountUpdate(
        legal_name=f"{ctx.account.name} GmbH", vat_id="DE136695976",
        email="billing@demo.example", iban="DE89370400440532013000", bic="COBADEFFXXX",
        address=Address(line1="Demo Allee 1", city="Berlin", postal_code="10115",
                        country="DE")))
    vat = catalog.create_tax_rate(ctx, TaxRateCreate(
        display_name="VAT", percentage=Decimal("19"), inclusive=False, country="DE",
        tax_type="vat"))
    reduced = catalog.create_tax_rate(ctx, TaxRateCreate(
        display_name="VAT reduced", percentage=Decimal("7"), inclusive=False, country="DE",
        tax_type="vat"))
    consulting = catalog.create_product(ctx, ProductCreate(name="Consulting", unit_code="HUR",
                                                          unit_label="hour"))
    hour = catalog.create_price(ctx, PriceCreate(product=consulting.public_id, currency="eur",
                                                 unit_amount=12000))
    books = catalog.create_product(ctx, ProductCreate(name="Handbook", unit_code="C62"))
    book = catalog.create_price(ctx, PriceCreate(product=books.public_id, currency="eur",
                                                 unit_amount=2990))
    plan = catalog.create_product(ctx, ProductCreate(name="Pro plan"))
    catalog.create_price(ctx, PriceCreate(product=plan.public_id, currency="eur",
                                          unit_amount=4900, type="recurring",
                                          recurring=Recurring(interval="month")))
    people = [("Ada Lovelace", "ada@example.com", "GB"), ("Grace Hopper", "grace@example.com",
                                                          "US"),
              ("Katherine Johnson", "kj@example.com", "DE")]
    created = []
    for name, email, country in people:
        created.append(customers.create_customer(ctx, CustomerCreate(
            name=name, email=email, address=Address(line1="1 Demo Street", city="Berlin",
                                                    postal_code="10115", country=country),
            contacts=[ContactInput(name=name, email=email, roles=["admin", "billing"])])))
    states = ["draft", "open", "paid", "partially_paid", "void", "uncollectible", "credited"]
    opened = ""
    for i, state in enumerate(states):
        customer = created[i % len(created)]
        inv = invoices.create_invoice(ctx, InvoiceCreate(
            customer=customer.public_id, collection_method="send_invoice", days_until_due=30,
            default_tax_rates=[vat.public_id], memo=f"Demo invoice ({state})",
            reference=f"DEMO-{i + 1}",
            lines=[LineCreate(price=hour.public_id, quantity=Decimal(3 + i)),
                   LineCreate(price=book.public_id, quantity=Decimal(2),
                              tax_rates=[reduced.public_id])]))
        if state == "draft":
            continue
        lifecycle.send_invoice(ctx, inv.public_id)
        if state == "open":
            opened = inv.public_id
        elif state == "paid":
            lifecycle.pay_invoice(ctx, inv.public_id, method="bank_transfer")
        elif state == "partially_paid":
            payments.create_payment(ctx, PaymentCreate(invoice=inv.public_id, amount=10000))
        elif state == "void":
            lifecycle.void_invoice(ctx, inv.public_id)
        elif state == "uncollectible":
            lifecycle.mark_uncollectible(ctx, inv.public_id)
        elif state == "credited":
            credit_notes.create_credit_note(ctx, CreditNoteCreate(invoice=inv.public_id,
                                                                  amount=5000))
    # customer credit: a goodwill grant that a recurring-style invoice draws on before tax
    ada = created[0].public_id
    credit_balance.grant_credit(ctx, ada, CreditGrantCreate(amount=5000, currency="eur",
                                                            reason="Goodwill credit"))
    drawn = invoices.create_invoice(ctx, InvoiceCreate(
        customer=ada, collection_method="send_invoice", days_until_due=30,
        apply_credit_balance=True, default_tax_rates=[vat.public_id],
        memo="Demo invoice (credit applied)", lines=[LineCreate(price=hour.public_id)]))
    lifecycle.send_invoice(ctx, drawn.public_id)
    return opened
