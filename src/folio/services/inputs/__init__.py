"""Validated inputs of the use cases, one module per subject (common, customers, catalog,
account, invoices, payments, collection). The canonical API uses them as request bodies;
the vendor faces build them from their own shapes. Import each name from its module.

The three names below are re-exported only for code written before the split (the fast
invoice write path, changed on a parallel branch); new code imports from the modules
(docs/adr/0001, "Module size")."""

from folio.services.inputs.common import merge_metadata
from folio.services.inputs.invoices import InvoiceCreate, LineCreate

__all__ = ["InvoiceCreate", "LineCreate", "merge_metadata"]
