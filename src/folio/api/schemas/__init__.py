"""Response models of the canonical API, one module per subject (common, account,
customers, catalog, invoices, ledger, collection, subscriptions, usage). They document
/openapi.json exactly; import each name from its module."""
