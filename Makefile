# hotline — two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE := hotline.settings

.PHONY: run test lint venv migrate demo messages bench clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found; set PYTHON=/path/to/python3.11"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

lint: venv
	$(VENV)/bin/ruff check .

# The whole suite, after the linter. Services (PostgreSQL, Redis, Chromium) are used when
# DATABASE_URL / REDIS_URL are set and the programs exist; tests that need one skip otherwise
# (and fail under CI=true).
test: venv lint
	$(PY) -m pytest $(PYTEST_ARGS)

# Demo: SQLite file and filesystem broker under var/, web server + Celery worker with beat.
# hotline/devserver.py runs the servers: one Ctrl-C stops them all and `make run` exits 0.
run: export DEBUG ?= 1
run: venv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py loaddemo --if-empty
	@echo ""
	@echo "  hotline is running at http://$(HOST):$(PORT)/"
	@$(PY) manage.py loaddemo --print-logins
	@echo "  Press Ctrl-C to stop the web server, the worker and beat."
	@echo ""
	@$(PY) -m hotline.devserver --host $(HOST) --port $(PORT)

messages: venv
	$(PY) manage.py compilemessages --ignore=.venv

# Every benchmark at 10,000 and 1,000,000 orders, side by side (PostgreSQL: set DATABASE_URL to
# any database of the server; each size gets a database of its own, hotline_bench_10k / _1m).
bench: venv
	$(PY) -m bench

clean:
	rm -rf var/ test-artifacts/ .pytest_cache .ruff_cache
