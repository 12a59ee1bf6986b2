# The README's two commands: `make run` and `make test`. Each creates .venv and installs what is
# missing, so either works alone on a fresh clone with only Python 3.11 installed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test web bench bench-peers lint lock clean

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "JTS needs Python 3.11 or newer: set PYTHON=python3.11")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev]'
	@touch $(STAMP)

# The dashboard (web/): built to web/out when Node.js is installed and the build is stale;
# without Node.js the gateway serves the API alone and the browser tests say why they skip.
WEB_MODULES := web/node_modules/.installed
WEB_OUT := web/out/index.html
WEB_SRC := $(shell find web/app web/components web/lib web/public -type f ! -name 'sw.js*' ! -name 'swe-worker*' 2>/dev/null) web/next.config.mjs web/tsconfig.json

$(WEB_MODULES): web/package.json web/package-lock.json
	@if command -v npm >/dev/null 2>&1; then cd web && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.installed; \
	else echo "Node.js not found: the dashboard is not built (the API still runs)"; fi

$(WEB_OUT): $(WEB_MODULES) $(WEB_SRC)
	@if command -v npm >/dev/null 2>&1; then cd web && npx next build; fi

web: $(WEB_OUT)

run: $(STAMP) web
	$(BIN)/jts run

test: $(STAMP) web
	@if command -v npm >/dev/null 2>&1; then cd web && npx tsc --noEmit && npx vitest run; fi
	$(BIN)/pytest

# Benchmarks at moderate sizes; bench/RESULTS.md records full-size runs and their commands.
bench: $(STAMP)
	$(BIN)/python bench/bus_inproc.py
	$(BIN)/python bench/marketdata_synth.py --symbols 2600 --days 20
	$(BIN)/python bench/marketdata_store.py --symbols 500 --days 60
	$(BIN)/python bench/strategy_indicators.py
	$(BIN)/python bench/strategy_sma_cross.py --symbols 100 --days 20
	$(BIN)/python bench/backtest_sma_cross.py --symbols 100 --days 20 --sweep 8
	$(BIN)/python bench/oms_risk.py
	$(BIN)/python bench/sim_book.py
	$(BIN)/python bench/sim_exchange.py --events 100000
	$(BIN)/python bench/sim_day.py --symbols 500
	$(BIN)/python bench/oms_durable.py
	$(BIN)/python bench/tick_to_order.py --minutes 1
	$(BIN)/python bench/gateway_ratelimit.py
	$(BIN)/python bench/gateway_ws.py --seconds 10
	$(BIN)/python bench/web_bundle.py
	$(BIN)/python bench/kis_scheduler.py --model-hours 1 --server-minutes 2 --speed 2

# JTS beside vectorbt, backtrader and Backtesting.py on the benchmark workload
# (bench/peers/README.md). The peers live in their own venv, never in requirements.lock.
PEERS_VENV := .venv-peers
PEERS_STAMP := $(PEERS_VENV)/.installed

$(PEERS_STAMP): bench/peers/requirements.txt
	@test -x $(PEERS_VENV)/bin/python || $(PYTHON) -m venv $(PEERS_VENV)
	$(PEERS_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r bench/peers/requirements.txt
	@touch $(PEERS_STAMP)

bench-peers: $(STAMP) $(PEERS_STAMP)
	$(BIN)/python bench/peers/compare.py --symbols 100 --days 250

lint: $(STAMP)
	$(BIN)/ruff format --check src tests bench examples
	$(BIN)/ruff check src tests bench examples
	$(BIN)/mypy src/jts

# Re-pin requirements.lock from pyproject.toml in a scratch environment (no URLs are written).
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --disable-pip-version-check '.[dev]'
	.venv-lock/bin/python -m pip freeze --exclude-editable --exclude jts > requirements.lock
	rm -rf .venv-lock

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis web/node_modules web/.next web/out
