# openinno: `make run` serves the app on SQLite; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export OPENINNO_DATA_DIR ?= var

.DEFAULT_GOAL := help

.PHONY: help
help: ## list the tasks
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $(STAMP)

.PHONY: install
install: $(STAMP) ## create the virtual environment and install (editable, with dev tools)

.PHONY: migrate
migrate: $(STAMP) ## create event-store, ledger and read-model tables; the signing and write keys if none
	$(BIN)/openinno migrate
	$(BIN)/openinno keys generate --if-missing

.PHONY: demo
demo: migrate ## load demo data (idempotent)
	$(BIN)/openinno demo

.PHONY: run
run: demo web ## set up, migrate, load demo data, serve on http://127.0.0.1:8000 with projections following
	$(BIN)/openinno serve

.PHONY: lint
lint: $(STAMP) ## ruff (lint + format check) and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

.PHONY: format
format: $(STAMP) ## apply ruff's formatting and safe fixes
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

.PHONY: test
test: $(STAMP) lint web chromium ## set up and run every test (PostgreSQL and browser tests included)
	$(BIN)/pytest -q -n 4 --dist loadgroup --durations=40 tests
	$(BIN)/python -m tests.benchmarks --quick

.PHONY: bench
bench: $(STAMP) ## run the benchmarks (short: under 10 minutes; reads at 100,000 submissions) and print figures with ratios against baselines
	$(BIN)/python -m tests.benchmarks

.PHONY: bench-full
bench-full: $(STAMP) ## the benchmarks at the issue's full scale: reads at 1,000,000 submissions, longer load runs (estimated 30-35 minutes)
	BENCH_READS_SUBMISSIONS=1000000 BENCH_SQLITE_SUBMISSIONS=100000 \
		BENCH_READS_PACED_SECONDS=12 BENCH_READS_SATURATION_SECONDS=8 \
		BENCH_SIFTING_ENTRIES=1000000 BENCH_SIFTING_EXPORT=1000000 \
		$(BIN)/python -m tests.benchmarks

.PHONY: clean
clean: ## remove the virtual environment and local data
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache

# --- web pages: translations (Babel) and browser assets (npm) ---------------------------------
I18N_PO := $(wildcard web/i18n/*/LC_MESSAGES/messages.po)
I18N_MO := $(I18N_PO:.po=.mo)
HTMX := web/static/vendor/htmx.min.js
# The API reference at /schema (web/api/reference.py): Scalar's self-contained browser build.
SCALAR := web/static/vendor/scalar/standalone.js

web/i18n/%/LC_MESSAGES/messages.mo: web/i18n/%/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile -i $< -o $@ -l $* -D messages

.PHONY: translations
translations: $(I18N_MO) ## compile the pages' catalogues (web/i18n/*/messages.po -> .mo, not committed)

.PHONY: messages
messages: $(STAMP) ## extract every shown string (pages and domain messages: web/i18n/messages.pot) and update every catalogue
	$(BIN)/python -m web.i18n_catalogue web/i18n/messages.pot
	$(BIN)/pybabel update -i web/i18n/messages.pot -d web/i18n -D messages --no-fuzzy-matching -w 100

node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: apt-get install -y npm"; exit 1; }
	npm ci --no-audit --no-fund --ignore-scripts

$(HTMX): node_modules/.package-lock.json
	mkdir -p $(@D)
	cp node_modules/htmx.org/dist/htmx.min.js $@

$(SCALAR): node_modules/.package-lock.json
	mkdir -p $(@D)
	cp node_modules/@scalar/api-reference/dist/browser/standalone.js $@

.PHONY: assets
assets: $(HTMX) $(SCALAR) ## install browser assets from the npm registry (pinned in package-lock.json) into web/static/vendor

.PHONY: web
web: translations assets ## everything the pages need at run time: compiled catalogues and assets

# --- browser tests: Debian's chromium, driven by Playwright's Python package ------------------
# Never `playwright install`: the tests launch /usr/bin/chromium (executable_path).
.PHONY: chromium
chromium: ## install Debian's chromium for the browser tests (skipped when already there)
	@if [ -x /usr/bin/chromium ]; then echo "chromium: $$(/usr/bin/chromium --version 2>/dev/null | head -n1)"; \
	else command -v apt-get >/dev/null || { echo "chromium is missing: apt-get install -y chromium"; exit 1; }; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; fi
