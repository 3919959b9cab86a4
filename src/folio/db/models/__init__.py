"""All tables. Import from here so Alembic sees every model."""

from folio.db.base import Base
from folio.db.models.accounts import Account, ApiKey, ClientCredential
from folio.db.models.catalog import (
    Coupon,
    Customer,
    CustomerContact,
    Price,
    Product,
    TaxRate,
)
from folio.db.models.collection import (
    PaymentMethod,
    RecurringOccurrence,
    RecurringSchedule,
)
from folio.db.models.credits import CreditApplication, CreditGrant
from folio.db.models.infra import Event, IdempotencyKey, NumberSeries
from folio.db.models.invoices import Invoice, InvoiceLine
from folio.db.models.jobs import EmailDelivery, Job
from folio.db.models.ledger import ChargeAttempt, CreditNote, Payment
from folio.db.models.subscriptions import BillingPeriod, Plan, Subscription, TestClock
from folio.db.models.usage import Meter, UsageEvent

__all__ = [
    "Account", "ApiKey", "Base", "BillingPeriod", "ChargeAttempt", "ClientCredential",
    "Coupon", "CreditApplication", "CreditGrant", "CreditNote", "Customer", "CustomerContact",
    "EmailDelivery", "Event", "IdempotencyKey", "Invoice", "InvoiceLine", "Job", "Meter",
    "NumberSeries", "Payment", "PaymentMethod", "Plan", "Price", "Product",
    "RecurringOccurrence", "RecurringSchedule", "Subscription", "TaxRate", "TestClock",
    "UsageEvent",
]
