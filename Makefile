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
migrate: $(STAMP) ## create event-store and read-model tables
	$(BIN)/openinno migrate

.PHONY: demo
demo: migrate ## load demo data (idempotent)
	$(BIN)/openinno demo

.PHONY: run
run: demo ## set up, migrate, load demo data, serve on http://127.0.0.1:8000 with projections following
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
test: $(STAMP) lint ## set up and run every test (PostgreSQL tests included)
	$(BIN)/pytest -q tests
	$(BIN)/python -m tests.benchmarks --quick

.PHONY: bench
bench: $(STAMP) ## run the benchmarks and print figures with ratios against baselines
	$(BIN)/python -m tests.benchmarks

.PHONY: clean
clean: ## remove the virtual environment and local data
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
