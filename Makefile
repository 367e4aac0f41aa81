# Opora — two commands do all set-up on a fresh Debian machine:
#   make run   — the portal with demo data at http://127.0.0.1:8000 (SQLite, Celery eager)
#   make test  — ruff, migrations check, compose check and the whole suite on PostgreSQL + Redis
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PIP_DISABLE_PIP_VERSION_CHECK := 1

PG_URL ?= postgres://postgres@127.0.0.1:5432/opora
REDIS_TEST_URL ?= redis://127.0.0.1:6379/15

.PHONY: run test setup venv static messages system-packages services lint migrations-check compose-check pytest bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

venv: $(VENV)/.installed

# Debian packages the portal and its tests use (idempotent; skipped when present).
system-packages:
	@missing=""; \
	for pair in msgfmt:gettext pdftotext:poppler-utils chromium:chromium docker-compose:docker-compose node:nodejs npm:npm; do \
	  cmd=$${pair%%:*}; pkg=$${pair##*:}; command -v $$cmd >/dev/null 2>&1 || missing="$$missing $$pkg"; \
	done; \
	fc-list 2>/dev/null | grep -qi dejavu || missing="$$missing fonts-dejavu-core"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi; \
	fi

# Front-end assets from the npm registry, copied into static/vendor (never a CDN at run time).
static/vendor/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	scripts/vendor_static.sh

static: static/vendor/.installed

messages:
	scripts/compilemessages.sh

setup: system-packages venv static messages

run: setup
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:8000

# PostgreSQL and Redis must answer; start them where they are installed but stopped.
services:
	@pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null || { \
	  echo "PostgreSQL is not answering on 127.0.0.1:5432 — trying to start it"; \
	  pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql 2>/dev/null | head -1) main start 2>/dev/null; sleep 2; \
	  pg_isready -h 127.0.0.1 -p 5432 -q || { echo "ERROR: PostgreSQL is missing: install postgresql and run it on 127.0.0.1:5432 with trust auth for user postgres."; exit 1; }; }
	@(exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null || { \
	  echo "Redis is not answering on 127.0.0.1:6379 — trying to start it"; \
	  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null 2>&1; sleep 1; \
	  (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null || { echo "ERROR: Redis is missing: install redis-server and run it on 127.0.0.1:6379."; exit 1; }; }
	@echo "PostgreSQL and Redis are up."

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

migrations-check: venv
	$(BIN)/python manage.py makemigrations --check --dry-run

compose-check:
	SECRET_KEY=compose-check POSTGRES_PASSWORD=compose-check docker-compose -f docker-compose.yml config -q

pytest: venv services
	DATABASE_URL=$(PG_URL) REDIS_URL=$(REDIS_TEST_URL) $(BIN)/pytest --create-db -n 2 --dist loadgroup -p no:cacheprovider

test: setup lint migrations-check compose-check pytest

# Benchmarks (not part of make test), each in its own database; see bench/README.md.
bench: setup services
	@command -v wrk >/dev/null 2>&1 || { echo "Installing Debian package: wrk"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get install -y -qq wrk >/dev/null; else sudo apt-get install -y -qq wrk >/dev/null; fi; }
	[ ! -f bench/requirements.txt ] || $(BIN)/pip install -q -r bench/requirements.txt
	$(BIN)/python bench/run.py $(BENCH)

clean:
	rm -rf $(VENV) node_modules static/vendor staticfiles
