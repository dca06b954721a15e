# caseapp: `make run` serves the app on SQLite; `make test` runs lint and the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
FLASK := $(BIN)/flask --app wsgi

.PHONY: run test lint setup venv translations system-packages extract-messages clean bench bench-full bench-twonode

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
	$(BIN)/ruff format --check caseapp tests bench config.py wsgi.py
	$(BIN)/lint-imports
	$(BIN)/mypy

# Debian packages the suite drives: Chromium for the browser journeys; wrk and nginx for the load runner
# (and its own test); ClamAV's daemon for the malware-scan test (started by the test itself, with its own
# signature database) and libmagic, which decides an attachment's type.
# Installed only where missing and we are root.
system-packages:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	command -v wrk >/dev/null 2>&1 || missing="$$missing wrk"; \
	[ -x /usr/sbin/nginx ] || missing="$$missing nginx-light"; \
	[ -x /usr/sbin/clamd ] || missing="$$missing clamav-daemon"; \
	ls /usr/lib/*/libmagic.so.1 >/dev/null 2>&1 || missing="$$missing libmagic1"; \
	if [ -n "$$missing" ] && [ "$$(id -u)" = "0" ]; then \
		echo "Installing Debian's$$missing"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) \
		|| echo "could not install$$missing: the tests that need it will skip (or fail with CI=true)"; \
	fi

test: venv translations lint system-packages
	$(BIN)/python -m pytest $(PYTEST_ARGS)

extract-messages: venv
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -o caseapp/translations/messages.pot .
	$(BIN)/pybabel -q update -i caseapp/translations/messages.pot -d caseapp/translations

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache

# Benchmarks (by hand; figures go to docs/BENCHMARKS.md). BENCH_PG is a PostgreSQL server URL without a database.
BENCH_PG ?= postgresql+psycopg://postgres@127.0.0.1:5432
BENCH_SECONDS ?= 20
BENCH_CLIENTS ?= 50
# Client models: a closed loop, and clients pausing 0-4 s (mean 2 s) between requests.
BENCH_THINK ?= --think-ms 0 --think-ms 2000
# And an open loop: requests at a fixed rate per page, latency from each one's intended send time.
BENCH_OPEN ?= --open-loop-rate 20
PSQL_ADMIN = psql "$$(echo $(BENCH_PG)/postgres | sed 's/+psycopg//')" -q

# $(1) label, $(2) database URL, $(3) cases: migrate, fill (resumable), time `audit verify` and `keys rotate`.
define bench_data
	DATABASE_URL=$(2) $(FLASK) db upgrade
	DATABASE_URL=$(2) $(BIN)/python -m bench.generate --cases $(3)
	DATABASE_URL=$(2) $(FLASK) search reindex
	DATABASE_URL=$(2) $(BIN)/python -m bench.throughput --label $(1) $(4)
endef

LOAD = $(BIN)/python -m bench.load --duration $(BENCH_SECONDS) --clients $(BENCH_CLIENTS) $(BENCH_THINK) $(BENCH_OPEN)

# A small version in minutes: 10,000 cases on each database; prints the figures.
bench: BENCH_SECONDS = 10
bench: setup system-packages
	$(PSQL_ADMIN) -c "CREATE DATABASE caseapp_bench_10k" 2>/dev/null || true
	$(call bench_data,sqlite-10k,sqlite:///$(CURDIR)/instance/bench_10k.db,10000)
	$(call bench_data,pg-10k,$(BENCH_PG)/caseapp_bench_10k,10000)
	$(LOAD) --target sqlite-10k=sqlite:///$(CURDIR)/instance/bench_10k.db \
		--target pg-10k=$(BENCH_PG)/caseapp_bench_10k

# The whole thing (about an hour on 2 cores): 100,000 cases on SQLite, 10,000 and 1,000,000 on PostgreSQL,
# side by side; writes the figures into docs/BENCHMARKS.md.
bench-full: setup system-packages
	$(PSQL_ADMIN) -c "CREATE DATABASE caseapp_bench_10k" 2>/dev/null || true
	$(PSQL_ADMIN) -c "CREATE DATABASE caseapp_bench_1m" 2>/dev/null || true
	$(call bench_data,sqlite-100k,sqlite:///$(CURDIR)/instance/bench_100k.db,100000,--write-doc)
	$(call bench_data,pg-10k,$(BENCH_PG)/caseapp_bench_10k,10000,--write-doc)
	$(call bench_data,pg-1m,$(BENCH_PG)/caseapp_bench_1m,1000000,--write-doc)
	$(LOAD) --write-doc --target sqlite-100k=sqlite:///$(CURDIR)/instance/bench_100k.db \
		--target pg-10k=$(BENCH_PG)/caseapp_bench_10k --target pg-1m=$(BENCH_PG)/caseapp_bench_1m

# Two nodes (two gunicorn groups, one database, one Redis) behind one nginx, on 10,000 cases on PostgreSQL:
# checks sessions, rate limits, the report cache and the audit chain across them; prints one node vs two.
bench-twonode: setup system-packages
	$(PSQL_ADMIN) -c "CREATE DATABASE caseapp_bench_10k" 2>/dev/null || true
	DATABASE_URL=$(BENCH_PG)/caseapp_bench_10k $(FLASK) db upgrade
	DATABASE_URL=$(BENCH_PG)/caseapp_bench_10k $(BIN)/python -m bench.generate --cases 10000
	DATABASE_URL=$(BENCH_PG)/caseapp_bench_10k $(FLASK) search reindex
	$(BIN)/python -m bench.twonode --database $(BENCH_PG)/caseapp_bench_10k --duration $(BENCH_SECONDS) \
		--clients $(BENCH_CLIENTS)
