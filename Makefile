# caseapp: `make run` serves the app on SQLite; `make test` runs lint and the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
FLASK := $(BIN)/flask --app wsgi

.PHONY: run test lint setup venv translations chromium extract-messages clean bench bench-full

$(BIN)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

venv: $(BIN)/.installed

translations: venv
	$(BIN)/pybabel -q compile -d caseapp/translations

setup: venv translations
	$(BIN)/python -m caseapp.instance
	$(FLASK) setup

run: setup
	$(FLASK) run --host $(HOST) --port $(PORT)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check caseapp tests config.py wsgi.py
	$(BIN)/mypy

# Debian's Chromium for the browser journeys; installed only where missing and we are root.
chromium:
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = "0" ]; then \
		echo "Installing Debian's chromium for the browser tests"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
		|| echo "chromium could not be installed: browser tests will skip (or fail with CI=true)"; \
	fi

test: venv translations lint chromium
	$(BIN)/python -m pytest $(PYTEST_ARGS)

extract-messages: venv
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -o caseapp/translations/messages.pot .
	$(BIN)/pybabel -q update -i caseapp/translations/messages.pot -d caseapp/translations

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache

# Benchmarks (by hand; figures go to docs/BENCHMARKS.md). BENCH_PG is a PostgreSQL server URL without a database.
BENCH_PG ?= postgresql+psycopg://postgres@127.0.0.1:5432
BENCH_SQLITE := sqlite:///$(CURDIR)/instance/bench.db

define bench_on
	DATABASE_URL=$(1) $(FLASK) db upgrade
	DATABASE_URL=$(1) $(BIN)/python -m bench.generate --cases $(2)
	DATABASE_URL=$(1) $(BIN)/python -m bench.throughput
endef

bench: setup
	psql "$$(echo $(BENCH_PG)/postgres | sed 's/+psycopg//')" -qc "CREATE DATABASE caseapp_bench" 2>/dev/null || true
	$(call bench_on,$(BENCH_SQLITE),10000)
	$(call bench_on,$(BENCH_PG)/caseapp_bench,10000)

bench-full: setup
	psql "$$(echo $(BENCH_PG)/postgres | sed 's/+psycopg//')" -qc "CREATE DATABASE caseapp_bench" 2>/dev/null || true
	$(call bench_on,$(BENCH_SQLITE),100000)
	$(call bench_on,$(BENCH_PG)/caseapp_bench,1000000)
