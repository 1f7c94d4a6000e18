# Duban task runner. `make run` and `make test` do all the set-up from a fresh clone.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
WEB_PORT ?= 8000
export WEB_PORT

.PHONY: help setup run test lint format demo schedule bench backup restore load clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

static/vendor/echarts/echarts.min.js: node_modules/.package-lock.json
	mkdir -p static/vendor/echarts
	cp node_modules/echarts/dist/echarts.min.js $@

locale/zh_Hans/LC_MESSAGES/django.mo: locale/zh_Hans/LC_MESSAGES/django.po $(VENV)/.installed
	$(MANAGE) compilemessages --locale zh_Hans --ignore '.venv' --ignore 'node_modules' --verbosity 0

setup: $(VENV)/.installed static/vendor/echarts/echarts.min.js locale/zh_Hans/LC_MESSAGES/django.mo  ## install Python and npm packages, compile translations

run: setup  ## migrate the SQLite database, load demo data, start web + worker + beat
	$(MANAGE) migrate --noinput --verbosity 0
	$(MANAGE) install_beat_schedule
	$(MANAGE) seed_demo && $(MANAGE) seed_demo_meetings && $(MANAGE) seed_demo_directives
	@echo ""
	@echo "  督办 is starting at http://127.0.0.1:$(WEB_PORT)/ (Ctrl-C stops web, worker and beat)"
	@echo ""
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start

test: setup  ## run the whole test suite (SQLite unless DATABASE_URL is set)
	$(BIN)/pytest

lint: setup  ## ruff lint and format check, migrations up to date
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(MANAGE) makemigrations --check --dry-run

format: setup  ## format the code with ruff
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

demo: setup  ## load the demo city into the local database (idempotent)
	$(MANAGE) migrate --noinput --verbosity 0
	$(MANAGE) seed_demo && $(MANAGE) seed_demo_meetings && $(MANAGE) seed_demo_directives

bench: setup  ## on PostgreSQL: sweep 1,000,000 open tasks, time the monthly bulletin, then the dashboard over 1,000,000 tasks (BENCH_DATABASE_URL, BENCH_TASKS)
	@db_url="$${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/duban_bench}"; \
	db_name="$${db_url##*/}"; server_url="$${db_url%/*}/postgres"; \
	psql "$$server_url" -tAc "SELECT 1 FROM pg_database WHERE datname = '$$db_name'" | grep -q 1 \
		|| psql "$$server_url" -c "CREATE DATABASE $$db_name"; \
	DATABASE_URL="$$db_url" $(MANAGE) migrate --noinput --verbosity 0 && \
	DATABASE_URL="$$db_url" $(MANAGE) bench_sweep --tasks $${BENCH_TASKS:-1000000} && \
	DATABASE_URL="$$db_url" $(MANAGE) bench_reports --tasks $${BENCH_TASKS:-1000000} && \
	DATABASE_URL="$$db_url" $(MANAGE) bench_dashboard --generate --tasks $${BENCH_TASKS:-1000000}

backup: setup  ## dump the database and uploaded files into var/backups/duban-<time>/ (or BACKUP=dir)
	$(MANAGE) dump_site $(if $(BACKUP),--output $(BACKUP))

restore: setup  ## replace the database and uploaded files with BACKUP=dir (asks to confirm)
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=var/backups/duban-…"; exit 2; }
	$(MANAGE) restore_site $(BACKUP)

load: setup  ## Locust, 50 users for 2 minutes, against gunicorn + PostgreSQL + Redis (LOAD_* variables)
	$(BIN)/python scripts/load.py

clean:  ## remove the virtualenv, npm packages and the local database
	rm -rf $(VENV) node_modules static/vendor var
