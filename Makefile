# Helpdesk: the two set-up commands are `make run` and `make test` (see README.md).
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgresql://postgres@127.0.0.1:5432/helpdesk
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
STAMP := $(VENV)/.installed
# Production settings (PostgreSQL, Redis) with test-only secrets, over plain http on loopback.
TEST_ENV := DATABASE_URL=$(PG_URL) REDIS_URL=$(TEST_REDIS_URL) SECRET_KEY=test-only-secret-key-not-for-production-0123456789 \
	STOREFRONT_IDENTITY_SECRET=test-storefront-secret SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0

# The front end's tools (eslint, tsc) come from npm at the versions package-lock.json pins.
NPM_STAMP := node_modules/.package-lock.json
NODE_BIN := node_modules/.bin

.PHONY: run test install services lint typecheck lint-js test-js widget vendor clean bench

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Embedded default: SQLite, in-memory channel layer, eager Celery; demo data; Daphne on :8000.
run: $(STAMP)
	env -u DATABASE_URL -u REDIS_URL $(BIN)/python manage.py migrate --noinput
	env -u DATABASE_URL -u REDIS_URL $(BIN)/python manage.py demo_data
	env -u DATABASE_URL -u REDIS_URL $(BIN)/python manage.py runserver 127.0.0.1:8000

services:
	@bash scripts/services.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	DATABASE_URL= REDIS_URL= $(BIN)/mypy .

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund

# The front end (static/): eslint, the JSDoc types of every script checked by tsc, no import
# circle among its modules, and the committed widget bundle being exactly what its sources build.
lint-js: $(NPM_STAMP)
	$(NODE_BIN)/eslint --max-warnings=0 .
	$(NODE_BIN)/tsc --noEmit -p jsconfig.json
	node scripts/import-circles.mjs
	node scripts/build-widget.mjs --check
	node scripts/vendor.mjs --check

# The storefront widget: static/widget/core/*.js bundled into static/widget/widget.js (the one
# file shops embed; committed, so `make run` and deployments need no node).
widget: $(NPM_STAMP)
	node scripts/build-widget.mjs

# Browser libraries served from static/vendor/ (ECharts for the report charts): copied from
# node_modules at the versions package.json pins; committed, like the widget bundle.
vendor: $(NPM_STAMP)
	node scripts/vendor.mjs

# Unit tests of the front end's logic (outbox, backoff, seq gaps, receipts, socket) in node.
test-js: $(NPM_STAMP)
	node --test tests/js/

# The whole suite on the real PostgreSQL and Redis, plus the embedded-default smoke test, on
# two pytest-xdist workers (720 s against ~900 s serially on the 2-core machine).
PYTEST_ARGS ?= -n 2
test: $(STAMP) services lint typecheck lint-js test-js
	$(TEST_ENV) $(BIN)/python manage.py makemigrations --check --dry-run
	$(TEST_ENV) $(BIN)/pytest $(PYTEST_ARGS)

# The message-path benchmark on its own database (docs/performance.md has the other benches).
bench: $(STAMP) services
	HELPDESK_DB=helpdesk_bench bash scripts/services.sh >/dev/null
	$(TEST_ENV) DATABASE_URL=postgresql://postgres@127.0.0.1:5432/helpdesk_bench \
		$(BIN)/python bench/load.py --conversations 200 --rate 100 --duration 30 --servers 2

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles media node_modules
