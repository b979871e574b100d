# Two commands for a fresh machine: `make run` (serve) and `make test` (the suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test schema worker bench bench-smoke

$(BIN)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

install: $(BIN)/.installed

run: install
	HOST=$(HOST) PORT=$(PORT) ./scripts/run.sh

test: install
	$(BIN)/python -m pytest

schema: install
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file var/openapi.yaml

# Benchmarks (bench/run.py): need PostgreSQL and Redis (DATABASE_URL / REDIS_URL give the hosts).
# `bench` runs every benchmark (about 12 minutes on 2 cores) and rewrites docs/benchmarks.md;
# `bench-smoke` runs each at a tiny size and fails only if one crashes (CI).
bench: install
	$(BIN)/python -m bench.run

bench-smoke: install
	$(BIN)/python -m bench.run --smoke
