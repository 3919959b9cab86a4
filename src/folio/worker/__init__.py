"""The worker: runs due jobs leased from the database and the periodic due-work tasks.
`folio worker` runs it as its own process; `folio serve` runs it in a background thread
unless FOLIO_WORKER=0. See docs/adr/0014-jobs-worker-and-email.md."""
