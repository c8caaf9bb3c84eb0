# Adviesspoor: `make run` loads the demo and shows it, `make test` checks everything. GNU make.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := run

PYTHON ?= python3
PORT ?= 8080
VENV := .venv
BIN := $(VENV)/bin
# Stamps record that the project is installed; pyproject.toml changing installs it again.
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
# Spectral (the OpenAPI lint of tests/e2e/test_openapi_lint.py) is an npm package, installed from
# its lock file into .spectral/; npm's own record of the install is the stamp.
SPECTRAL_STAMP := .spectral/node_modules/.package-lock.json
# The page tests' npm tools (axe-core, html-validate, and the NL Design System CSS they compare).
PAGES_NPM_STAMP := api/pages/npm/node_modules/.package-lock.json

.PHONY: run serve test lint spectral pages-npm clean crash-test bench

run: $(RUN_STAMP)
	$(BIN)/adviesspoor demo
	@$(MAKE) --no-print-directory serve

# The one place that says what `make run` offers once the demo is loaded: a fresh token for every
# role, printed with how to use it (the pages' address first), then the pages and the HTTP API on
# http://127.0.0.1:$(PORT) (Ctrl-C stops it). `make run PORT=9000` serves on another port.
serve: $(RUN_STAMP)
	$(BIN)/adviesspoor demo-tokens --adres http://127.0.0.1:$(PORT)
	exec $(BIN)/adviesspoor serve --host 127.0.0.1 --port $(PORT)

# pytest is the last command, so its summary is the last line; its exit code 5 ("no tests ran")
# fails `make test` like any other failure.
test: lint spectral pages-npm
	$(BIN)/pytest

# The kill -9 loop of issue 7 (tests/faults/crash_loop.py, docs/reliability.md): `adviesspoor serve`
# killed at random moments under 16 writers, restarted, and checked after every restart. 20 cycles;
# RUNS=200 for the full loop; STORE=postgresql on ADVIESSPOOR_TEST_POSTGRES_URL's server, with
# `adviesspoor project` beside the server. Its last line: RESULT runs= acknowledged= lost= duplicated=
RUNS ?= 20
STORE ?= sqlite
crash-test: $(TEST_STAMP)
	$(BIN)/python -m tests.faults.crash_loop --runs $(RUNS) --store $(STORE)

# Every benchmark (bench/all.py): about 15 minutes at full size, one summary table, the results
# with the machine's details in bench/out/, and as the last line
# RESULT writes_vs_raw= rebuild_vs_raw= reads_vs_hello= command_cpu_us=. `make bench QUICK=1` runs
# every benchmark at its smoke size (what the test suite does).
bench: $(TEST_STAMP)
	$(BIN)/python -m bench.all $(if $(QUICK),--quick)

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

spectral: $(SPECTRAL_STAMP)

# Without npm the lint test is skipped (and fails with CI set; .ci/run installs node and npm).
$(SPECTRAL_STAMP): .spectral/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix .spectral --no-audit --no-fund; \
	else \
		echo "!!! npm ontbreekt: Spectral niet geïnstalleerd, de OpenAPI-lint wordt overgeslagen" \
			"(apt-get install nodejs npm)" >&2; \
	fi

pages-npm: $(PAGES_NPM_STAMP)

# Without npm the page tests that need it skip (and fail with CI set).
$(PAGES_NPM_STAMP): api/pages/npm/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix api/pages/npm --no-audit --no-fund; \
	else \
		echo "!!! npm ontbreekt: axe-core en html-validate niet geïnstalleerd" >&2; \
	fi

clean:
	rm -rf build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(RUN_STAMP)
