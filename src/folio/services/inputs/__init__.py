"""Validated inputs of the use cases, one module per subject (common, customers, catalog,
account, invoices, payments, collection). The canonical API uses them as request bodies;
the vendor faces build them from their own shapes. Import each name from its module
(docs/adr/0001, "Module size")."""
