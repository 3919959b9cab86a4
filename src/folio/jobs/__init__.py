"""Jobs: the edges that run use cases outside a request (one transaction per unit of
work, committed here). The worker and the CLI call them."""
