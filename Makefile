# Folio — self-documenting Makefile: `make help`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
DEMO_DB ?= sqlite:///./demo.db

.PHONY: help install browser wrk run test lint typecheck contracts migrations-check test-sqlite test-postgres bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

# htmx for the hosted invoice page (progressive enhancement: the page works without it).
# Fetched from the npm registry at a pinned version and checked against its digest; not
# committed (it is a dependency, not our code).
HTMX_VERSION := 2.0.11
HTMX_SHA256  := d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717
HTMX         := src/folio/web/static/htmx-$(HTMX_VERSION).min.js

$(HTMX):
	@mkdir -p $(dir $@)
	@tmp=$$(mktemp -d) && cd $$tmp && npm pack --silent htmx.org@$(HTMX_VERSION) >/dev/null \
	  && tar xzf htmx.org-$(HTMX_VERSION).tgz package/dist/htmx.min.js \
	  && echo "$(HTMX_SHA256)  package/dist/htmx.min.js" | sha256sum --check --quiet \
	  && cp package/dist/htmx.min.js $(CURDIR)/$@ && rm -rf $$tmp

$(BIN)/folio: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

install: $(BIN)/folio $(HTMX) ## Create .venv and install Folio with its test tools

browser: ## Debian's chromium for the browser tests (Playwright drives it; never `playwright install`)
	@command -v chromium >/dev/null || (apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)
	@command -v chromium >/dev/null || (echo "chromium is missing: the browser tests cannot run" && false)

wrk: ## Debian's wrk for `make bench` (the bench falls back to Python clients without it)
	@command -v wrk >/dev/null || (apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null) || true
	@command -v wrk >/dev/null || echo "wrk is missing: the API bench loads reads with httpx"

run: install ## Start the API on SQLite (./demo.db, recreated) with demo data
	rm -f demo.db demo.db-wal demo.db-shm
	FOLIO_DATABASE_URL=$(DEMO_DB) $(BIN)/folio demo
	FOLIO_DATABASE_URL=$(DEMO_DB) $(BIN)/folio serve

lint: install ## ruff
	$(BIN)/ruff check src tests bench

typecheck: install ## mypy (strict on domain/ and services/)
	$(BIN)/mypy

contracts: install ## import contracts: domain/ stays pure, services/ knows no HTTP
	$(BIN)/lint-imports

migrations-check: install ## alembic check: models and migrations agree
	rm -f .alembic-check.db
	FOLIO_DATABASE_URL=sqlite:///./.alembic-check.db $(BIN)/alembic upgrade head
	FOLIO_DATABASE_URL=sqlite:///./.alembic-check.db $(BIN)/alembic check
	rm -f .alembic-check.db
	$(BIN)/python -m folio.db.pg_check "$(PG_TEST_URL)" --reset
	FOLIO_DATABASE_URL=$(PG_TEST_URL) $(BIN)/alembic upgrade head
	FOLIO_DATABASE_URL=$(PG_TEST_URL) $(BIN)/alembic check

test-sqlite: install browser ## pytest on SQLite
	$(BIN)/pytest

test-postgres: install browser ## pytest on PostgreSQL (fails loudly if it is unreachable)
	$(BIN)/python -m folio.db.pg_check "$(PG_TEST_URL)"
	FOLIO_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest

test: lint typecheck contracts migrations-check test-sqlite test-postgres ## Everything CI runs

bench: install wrk ## Benchmarks (ratios against floors measured in the same run)
	$(BIN)/python bench/api_bench.py $(BENCH_ARGS)
	$(BIN)/python bench/usage_bench.py
	$(BIN)/python bench/pdf_bench.py
	$(BIN)/python bench/billing_bench.py

clean: ## Remove the venv and local databases
	rm -rf $(VENV) demo.db* folio.db* .alembic-check.db
