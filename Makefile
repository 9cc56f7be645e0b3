# The two set-up commands: `make run` (app + demo data) and `make test` (the suite).
SHELL := /bin/bash
PORT ?= 5000
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DB_URL ?= postgresql+psycopg://nezarat:nezarat@127.0.0.1:5432/nezarat
TEST_DB_URL ?= postgresql+psycopg://nezarat:nezarat@127.0.0.1:5432/nezarat_test

.PHONY: run test install db testdb system-deps forms bench-ingest bench-map bench-partner clean

$(STAMP): pyproject.toml
	@echo "[setup] virtualenv and Python packages"
	@test -x $(BIN)/python || python3 -m venv $(VENV)
	@$(BIN)/pip install -q --disable-pip-version-check -e '.[dev]' > $(VENV)/pip.log 2>&1 || (cat $(VENV)/pip.log; exit 1)
	@touch $@

install: $(STAMP)

db:
	@scripts/provision-db.sh nezarat

testdb:
	@scripts/provision-db.sh nezarat_test

system-deps:
	@scripts/system-deps.sh

run: install db
	@export DATABASE_URL="$${DATABASE_URL:-$(DB_URL)}" DEMO_MODE="$${DEMO_MODE:-true}"; \
	 $(BIN)/flask --app server db upgrade && \
	 $(BIN)/flask --app server demo load && \
	 echo "Nezarat listening on http://127.0.0.1:$(PORT)  (Ctrl-C stops it)" && \
	 exec $(BIN)/gunicorn --bind 127.0.0.1:$(PORT) --workers 3 --threads 4 \
	      --access-logfile - 'server.wsgi:app'

test: install system-deps testdb
	@export TEST_DATABASE_URL="$${TEST_DATABASE_URL:-$(TEST_DB_URL)}"; \
	 $(BIN)/pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache
