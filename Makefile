# The two set-up commands: `make run` (app + demo data) and `make test` (the suite).
SHELL := /bin/bash
# Python may keep its bytecode (__pycache__, git-ignored): with PYTHONDONTWRITEBYTECODE set in
# the environment every process compiles the project again — each test worker re-rewrote 425
# test modules' assertions (~6 s) and every gunicorn or job worker a test starts recompiled the
# app.
unexport PYTHONDONTWRITEBYTECODE
PORT ?= 5000
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DB_URL ?= postgresql+psycopg://nezarat:nezarat@127.0.0.1:5432/nezarat
TEST_DB_URL ?= postgresql+psycopg://nezarat:nezarat@127.0.0.1:5432/nezarat_test

# Backups: see the README's operations part. backup-setup is run by `make run`, never by `make test`.
.PHONY: backup-setup backup backups restore drill
.PHONY: run test packages lint-py lint-js eslint install frontend translations messages db testdb system-deps runtime-deps forms bench-ingest bench-data bench-map bench-pages bench-partner bench-engines bench-alerts bench-briefs bench-phone-kdf bench-backup bench-smoke clean

$(STAMP): pyproject.toml
	@echo "[setup] virtualenv and Python packages"
	@test -x $(BIN)/python || python3 -m venv $(VENV)
	@$(BIN)/pip install -q --disable-pip-version-check -e '.[dev]' > $(VENV)/pip.log 2>&1 || (cat $(VENV)/pip.log; exit 1)
	@touch $@

install: $(STAMP) frontend translations

# Browser libraries pinned in package.json + package-lock.json (npm ci), copied into static/vendor/
# for Flask-Assets to bundle (server/web/assets.py). Never a CDN.
frontend: $(STAMP) node_modules/.package-lock.json
	@$(BIN)/python scripts/vendor.py > /dev/null

node_modules/.package-lock.json: package.json package-lock.json
	@echo "[setup] browser libraries (npm ci)"
	@npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# JavaScript: ESLint (eslint.config.js) over our browser code and the unit tests of its pure
# modules (tests/js/*.test.mjs, node's own test runner). `make test` runs both beside pytest.
ESLINT := npx --no-install eslint static/js static/mobile tests/js eslint.config.js
JS_TESTS := node --test --test-reporter=dot tests/js/*.test.mjs
lint-js: eslint
	@$(JS_TESTS)

eslint: node_modules/.package-lock.json
	@$(ESLINT)

# Python: ruff (pyflakes, pycodestyle, import order; settings in pyproject.toml).
lint-py: $(STAMP)
	@$(BIN)/ruff check -q server tests bench scripts migrations

# Compile the message catalogues: server/translations/*/LC_MESSAGES/messages.po -> .mo
translations: $(STAMP)
	@$(BIN)/pybabel -q compile -d server/translations

# After changing UI text: re-extract it and merge it into every catalogue, then translate.
messages: $(STAMP)
	@$(BIN)/pybabel -q extract -F babel.cfg -k lazy_gettext -k _l --add-location=file --sort-output \
	  --project Nezarat --version 0.1 -o server/translations/messages.pot .
	@$(BIN)/pybabel -q update -i server/translations/messages.pot -d server/translations \
	  --width 100 --no-fuzzy-matching

db:
	@scripts/provision-db.sh nezarat

testdb:
	@scripts/provision-db.sh nezarat_test

system-deps:
	@scripts/system-deps.sh

runtime-deps:  # optional: without libturbojpeg the app still runs (JPEGs are re-encoded)
	-@scripts/system-deps.sh --runtime

run: install runtime-deps db backup-setup
	@export DATABASE_URL="$${DATABASE_URL:-$(DB_URL)}" DEMO_MODE="$${DEMO_MODE:-true}"; \
	 $(BIN)/flask --app server db upgrade && \
	 $(BIN)/flask --app server demo load && \
	 $(BIN)/flask --app server assets build && \
	 $(BIN)/flask --app server compress-static && \
	 echo "Nezarat listening on http://127.0.0.1:$(PORT)  (Ctrl-C stops it)" && \
	 { $(BIN)/flask --app server jobs worker & trap "kill $$! 2>/dev/null" EXIT; } && \
	 $(BIN)/gunicorn --config deploy/gunicorn.conf.py --bind 127.0.0.1:$(PORT) \
	      --workers 3 --threads 4 'server.wsgi:app'

# pgBackRest for the local Debian cluster (WAL archiving, encrypted repository, passphrase made
# once into var/backup-passphrase). Root only; a failure is shown, the app still starts.
PG_CLUSTER ?= main
backup-setup: install db
	@PG_CLUSTER=$(PG_CLUSTER) scripts/provision-backups.sh || \
	  echo "[backups] WARNING: backups are NOT set up (see above and the README, operations)" >&2

# `flask ops ...` with the repository's passphrase (never on a command line) and the app's database.
OPS := export DATABASE_URL="$${DATABASE_URL:-$(DB_URL)}"; \
	if [[ -z "$${PGBACKREST_REPO1_CIPHER_PASS:-}" && -r var/backup-passphrase ]]; then \
	  export PGBACKREST_REPO1_CIPHER_PASS="$$(cat var/backup-passphrase)"; fi; \
	$(BIN)/flask --app server ops

TYPE ?= diff
backup: install  ## make backup [TYPE=full|diff|incr]: photos, then the database
	@$(OPS) backup --type $(TYPE)

backups: install  ## the backups with time, size and audit head
	@$(OPS) backups

drill: install  ## restore into a scratch cluster and check it; production untouched
	@$(OPS) drill $(if $(TO),--to "$(TO)")

# make restore [TO="2026-12-01 14:00"]: stops the cluster (every database on it), restores the
# latest state or the state at TO, starts it again, then copies back the photos it names.
restore: install
	@pg_ctlcluster 15 $(PG_CLUSTER) stop
	@$(OPS) restore $(if $(TO),--to "$(TO)"); status=$$?; \
	 pg_ctlcluster 15 $(PG_CLUSTER) start; \
	 if [[ $$status -ne 0 ]]; then exit $$status; fi; \
	 for _ in $$(seq 1 120); do pg_isready -q -h 127.0.0.1 -p 5432 && \
	   [[ "$$(runuser -u postgres -- psql -XtAc 'select pg_is_in_recovery()')" == f ]] && break; sleep 1; done; \
	 $(OPS) restore-photos

# The suite in parallel (pytest-xdist): PYTEST_WORKERS processes, each with a database of its own
# (nezarat_test_gw0, ... copied from nezarat_test and migrated by the session itself), its own live
# server and its own Chromium; tests/conftest.py. PYTEST_WORKERS=0 runs it in this one process.
# ESLint and the JavaScript unit tests (the ODK conformance harness among them) run at the same
# time under `nice`: they take the CPU the suite leaves idle (its workers wait on PostgreSQL,
# Chromium and gunicorn), their output is shown after pytest's, and any of them failing fails
# `make test`. On a fresh clone pip and npm fetch their packages at the same time.
PYTEST_WORKERS ?= auto
test: packages install system-deps testdb lint-py
	@export TEST_DATABASE_URL="$${TEST_DATABASE_URL:-$(TEST_DB_URL)}"; \
	 js_log=$$(mktemp); \
	 setsid nice -n 10 bash -c '$(ESLINT); e=$$?; $(JS_TESTS); t=$$?; exit $$(( e || t ))' \
	   > "$$js_log" 2>&1 & js=$$!; \
	 trap 'kill -- -$$js 2>/dev/null; rm -f "$$js_log"' EXIT; trap 'exit 130' INT TERM; \
	 $(BIN)/pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS); status=$$?; \
	 wait $$js; js_status=$$?; echo "[lint-js] eslint; node --test tests/js/*.test.mjs"; \
	 cat "$$js_log"; if [[ $$js_status -ne 0 ]]; then echo "[lint-js] FAILED (above)" >&2; fi; \
	 exit $$(( status || js_status ))

# The Python and npm packages of a fresh clone, fetched side by side (each rule runs only when
# its lock file changed; `install` then finds both done).
packages:
	@$(MAKE) -s --no-print-directory -j2 $(STAMP) node_modules/.package-lock.json

forms: install
	@$(BIN)/flask --app server forms build

# Benchmarks: a separate database (nezarat_bench) with 1,000,000 incidents, generated once.
# Each provisions what it needs (its database through scripts/provision-db.sh, pygeoapi's
# virtualenv), so each works from a fresh clone. BENCH_ARGS="--smoke" runs any one of them at a
# tiny size in databases of their own (nezarat_bench_smoke*); `make bench-smoke` runs them all so.
BENCH_ARGS ?=
bench-data: install
	@$(BIN)/python -m bench.generate $(BENCH_ARGS)

bench-ingest: install runtime-deps
	@$(BIN)/python -m bench.ingest $(BENCH_ARGS)

bench-map: install
	@$(BIN)/python -m bench.map $(BENCH_ARGS)

# pygeoapi (the peer it is measured against) lives in a virtualenv of its own, never in the app's,
# pinned completely in bench/requirements-pygeoapi.txt (--no-deps, then pip check: nothing else).
PYGEOAPI_VENV := bench/.venv-pygeoapi
PYGEOAPI_STAMP := $(PYGEOAPI_VENV)/.installed
$(PYGEOAPI_STAMP): bench/requirements-pygeoapi.txt
	@echo "[setup] pygeoapi virtualenv for the benchmarks (bench/requirements-pygeoapi.txt)"
	@test -x $(PYGEOAPI_VENV)/bin/python || python3 -m venv $(PYGEOAPI_VENV)
	@$(PYGEOAPI_VENV)/bin/pip install -q --disable-pip-version-check --no-deps \
	  -r bench/requirements-pygeoapi.txt > $(PYGEOAPI_VENV)/pip.log 2>&1 \
	  || (cat $(PYGEOAPI_VENV)/pip.log; exit 1)
	@$(PYGEOAPI_VENV)/bin/pip check --disable-pip-version-check > /dev/null \
	  || ($(PYGEOAPI_VENV)/bin/pip check --disable-pip-version-check; exit 1)
	@touch $@

# Pages in headless Chromium on a weak link (1.6 Mbps, 150 ms, 4x CPU slowdown), cold and warm.
bench-pages: install
	@$(BIN)/python -m bench.pages $(BENCH_ARGS)

bench-partner: install $(PYGEOAPI_STAMP)
	@$(BIN)/python -m bench.partner $(BENCH_ARGS)

# Form engines for the phone app (issue 14): gzipped size and time to a ready visit form, 4x CPU.
bench-engines: install
	@$(BIN)/python -m bench.engines $(BENCH_ARGS)

# Alerts and webhooks under 100 submissions/s (issue 20): LISTEN/NOTIFY against a polling worker,
# SMTP to an aiosmtpd sink and webhooks to a receiver, both on 127.0.0.1 (own database).
bench-alerts: install
	@$(BIN)/python -m bench.alerts $(BENCH_ARGS)

# A quarterly brief of every facility over the 1,000,000-incident database (issue 20).
bench-briefs: install
	@$(BIN)/python -m bench.briefs $(BENCH_ARGS)

# One guess at the phone's storage key (issue 17): Argon2id and the PBKDF2 baseline, the app's own
# code in headless Chromium, unthrottled and at 4x CPU slowdown.
bench-phone-kdf: install
	@$(BIN)/python -m bench.phone_kdf $(BENCH_ARGS)

# Backup and restore figures (issue 13): full/diff backup time and size against pg_dump, restore
# time (RTO) into a scratch cluster, RPO, on `make run`'s cluster (set up by backup-setup: run
# `make bench-data` first for the 1,000,000-incident database); the passphrase from
# var/backup-passphrase. BENCH_ARGS="--smoke": a scratch cluster of its own instead.
bench-backup: install
	@if [[ -z "$${PGBACKREST_REPO1_CIPHER_PASS:-}" && -r var/backup-passphrase ]]; then \
	  export PGBACKREST_REPO1_CIPHER_PASS="$$(cat var/backup-passphrase)"; fi; \
	 $(BIN)/python -m bench.backup $(BENCH_ARGS)

# Every benchmark at a tiny size (about a minute in all): CI runs it after `make test`, so a
# broken benchmark is caught. Measures nothing; fails when a request or a check fails.
bench-smoke: install runtime-deps $(PYGEOAPI_STAMP)
	@$(BIN)/python -m bench.generate --smoke
	@$(BIN)/python -m bench.map --smoke
	@$(BIN)/python -m bench.partner --smoke
	@$(BIN)/python -m bench.ingest --smoke
	@$(BIN)/python -m bench.briefs --smoke
	@$(BIN)/python -m bench.alerts --smoke
	@$(BIN)/python -m bench.pages --smoke
	@$(BIN)/python -m bench.engines --smoke
	@$(BIN)/python -m bench.phone_kdf --smoke
	@$(BIN)/python -m bench.backup --smoke 2> >(grep -v " LOG: " >&2)

clean:
	rm -rf $(VENV) var .pytest_cache
