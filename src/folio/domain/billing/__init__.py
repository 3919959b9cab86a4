"""The pure billing domain: periods, charge models, usage aggregations, proration, and
the bill of one subscription period. No database, web or network imports."""

from folio.domain.billing.aggregation import Aggregation, UsagePoint, aggregate
from folio.domain.billing.bill import (
    Coverage,
    FeatureKind,
    LineKind,
    LineSpec,
    PlanFeature,
    PlanSpec,
    SubscriptionSnapshot,
    bill_period,
    coverage,
    to_invoice_input,
)
from folio.domain.billing.charges import (
    ChargeModel,
    ChargeResult,
    Graduated,
    Package,
    PerUnit,
    Tier,
    TierCharge,
    UsageCharge,
    Volume,
    price_usage,
)
from folio.domain.billing.periods import (
    BillingCycle,
    BillingTiming,
    Interval,
    Period,
    trial_end,
)
from folio.domain.billing.proration import (
    Proration,
    ProrationLine,
    prorate_cancellation,
    prorate_change,
)

__all__ = [
    "Aggregation", "BillingCycle", "BillingTiming", "ChargeModel", "ChargeResult", "Coverage",
    "FeatureKind", "Graduated", "Interval", "LineKind", "LineSpec", "Package", "PerUnit",
    "Period", "PlanFeature", "PlanSpec", "Proration", "ProrationLine", "SubscriptionSnapshot",
    "Tier", "TierCharge", "UsageCharge", "UsagePoint", "Volume", "aggregate", "bill_period",
    "coverage", "price_usage", "prorate_cancellation", "prorate_change", "to_invoice_input",
    "trial_end",
]
