# The interface to the project: `make run`, `make test`, `make lint`, `make bench`, `make clean`.
# Every recipe is one bash script (.ONESHELL) that stops at the first failing command.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.ONESHELL:
.DELETE_ON_ERROR:
.DEFAULT_GOAL := help
MAKEFLAGS += --no-builtin-rules

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check
CONSTRAINTS := requirements/constraints.txt
SERVICES_ENV := .services/env.sh

# A stamp per content of the dependency files: a repeated run installs nothing; an edit reinstalls.
DEPS_HASH := $(shell cat pyproject.toml $(CONSTRAINTS) 2>/dev/null | sha256sum | cut -c1-16)
STAMP_RUNTIME := $(VENV)/.installed-runtime-$(DEPS_HASH)
STAMP_DEV := $(VENV)/.installed-dev-$(DEPS_HASH)

# Fails with a clear message unless the interpreter $(1) is Python 3.11 or newer.
define require_python_311
$(1) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
  echo "error: $(1) is $$($(1) --version 2>&1 || echo missing); this project needs Python 3.11 or newer." >&2
  echo "       Run 'make clean' if .venv was made by an older Python, or set PYTHON=python3.11." >&2
  exit 1
}
endef

.PHONY: help
help:
	@cat <<'EOF'
	make run            install runtime deps, write .env, migrate, seed demo data, serve on 127.0.0.1:$${PORT:-8000}
	make test           lint, format check, Django checks, migrations check, pytest (PostgreSQL + Redis)
	make lint           ruff check + ruff format --check
	make messages       extract strings into locale/ko/LC_MESSAGES/django.po and compile it
	make format         ruff format + ruff check --fix
	make bench          bench/run.py, access_log.py, api.py (gunicorn, 10k and 1M holders), bulk.py (results in docs/BENCHMARKS.md)
	make constraints    refresh requirements/constraints.txt from a fresh install
	make services-stop  stop the private PostgreSQL/Redis that scripts/services.py may have started
	make clean          remove .venv, .services, caches, staticfiles, db.sqlite3 (keeps .env)
	EOF

$(BIN)/python:
	$(call require_python_311,$(PYTHON))
	$(PYTHON) -m venv $(VENV)

$(STAMP_RUNTIME): | $(BIN)/python
	$(call require_python_311,$(BIN)/python)
	$(PIP) install -c $(CONSTRAINTS) -e .
	find $(VENV) -maxdepth 1 -name '.installed-*' ! -name '*-$(DEPS_HASH)' -delete
	touch $@

# The dev extra includes the runtime dependencies, so it marks both as installed.
$(STAMP_DEV): | $(BIN)/python
	$(call require_python_311,$(BIN)/python)
	$(PIP) install -c $(CONSTRAINTS) -e '.[dev]'
	find $(VENV) -maxdepth 1 -name '.installed-*' ! -name '*-$(DEPS_HASH)' -delete
	touch $@ $(STAMP_RUNTIME)

.PHONY: install install-dev
install: $(STAMP_RUNTIME)
install-dev: $(STAMP_DEV)

# The embedded run: SQLite, tasks in-process, demo data. .mo files are committed, so no compilemessages.
.PHONY: run
run: $(STAMP_RUNTIME)
	export DJANGO_SETTINGS_MODULE=pcc_portal.settings.local
	$(BIN)/python scripts/make_dotenv.py
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	exec $(BIN)/python manage.py runserver 127.0.0.1:$${PORT:-8000}

# Debian packages the tests use, installed only when missing (the machines run as root): GNU gettext for
# the catalogue test (docs/adr/0003), pg_dump for the no-plaintext-at-rest test, Node.js for the WebCrypto signing test, and Chromium once browser tests exist (ENGINEERING.md).
.PHONY: system-deps
system-deps:
	missing=()
	command -v xgettext >/dev/null || missing+=(gettext)
	command -v pg_dump >/dev/null || missing+=(postgresql-client)
	command -v node >/dev/null || missing+=(nodejs)
	if [ -d tests/browser ] && [ ! -x /usr/bin/chromium ]; then missing+=(chromium chromium-driver); fi
	if [ $${#missing[@]} -gt 0 ]; then
	  if [ "$$(id -u)" != 0 ]; then
	    echo "error: the tests need: apt-get update && apt-get install -y $${missing[*]}" >&2
	    exit 1
	  fi
	  apt-get update
	  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$${missing[@]}"
	fi

# Everything CI runs (.ci/run is `make test`). The test settings are forced even if the caller's
# environment names other settings; DATABASE_URL and REDIS_URL come from scripts/services.py.
.PHONY: test
test: $(STAMP_DEV) system-deps
	$(BIN)/python scripts/services.py --env-file $(SERVICES_ENV)
	source $(SERVICES_ENV)
	export PATH="$(CURDIR)/$(BIN):$$PATH"
	export DJANGO_SETTINGS_MODULE=pcc_portal.settings.test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest

# Extract every marked string into locale/ko (then translate the new entries and compile; the
# catalogue test in `make test` fails until every entry has Korean).
.PHONY: messages
messages: $(STAMP_DEV)
	export DJANGO_SETTINGS_MODULE=pcc_portal.settings.test
	$(BIN)/python manage.py makemessages -l ko --no-location --ignore=.venv --ignore=static --ignore=staticfiles --ignore=tests --ignore=.services
	$(BIN)/python manage.py compilemessages -l ko --ignore=.venv --ignore=.services

.PHONY: lint
lint: $(STAMP_DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

.PHONY: format
format: $(STAMP_DEV)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

.PHONY: bench
bench: $(STAMP_DEV)
	$(BIN)/python scripts/services.py --env-file $(SERVICES_ENV)
	source $(SERVICES_ENV)
	export PATH="$(CURDIR)/$(BIN):$$PATH"
	$(BIN)/python bench/run.py
	$(BIN)/python bench/access_log.py
	$(BIN)/python bench/api.py run
	$(BIN)/python bench/bulk.py

# Pins of a working install, runtime and dev, made in a throw-away venv so .venv stays as it is.
.PHONY: constraints
constraints:
	$(call require_python_311,$(PYTHON))
	tmp="$$(mktemp -d)"
	trap 'rm -rf "$$tmp"' EXIT
	$(PYTHON) -m venv "$$tmp/venv"
	"$$tmp/venv/bin/python" -m pip --disable-pip-version-check install -e '.[dev]'
	mkdir -p $(dir $(CONSTRAINTS))
	{
	  echo "# Exact versions of a working install of pyproject.toml's dependencies, runtime and \`dev\` extra."
	  echo "# Used as a constraints file (pip install -c requirements/constraints.txt -e '.[dev]'): it pins what"
	  echo "# gets installed but adds nothing by itself, so the Docker image (runtime only) uses it too."
	  echo "#"
	  echo "# Refresh after changing dependencies in pyproject.toml:  make constraints"
	  echo "# (a throw-away venv in /tmp, \`pip install -e '.[dev]'\`, \`pip freeze --exclude-editable\` into this file)."
	  "$$tmp/venv/bin/python" -m pip --disable-pip-version-check freeze --exclude-editable
	} > "$$tmp/constraints.txt"
	mv "$$tmp/constraints.txt" $(CONSTRAINTS)
	echo "wrote $(CONSTRAINTS)"

.PHONY: services-stop
services-stop:
	$(PYTHON) scripts/services.py --stop

# Stops the private servers first: deleting their data under a running postgres would strand it.
.PHONY: clean
clean: services-stop
	rm -rf $(VENV) .services .pytest_cache .ruff_cache .hypothesis staticfiles test-artifacts build *.egg-info
	rm -f db.sqlite3
	find . -name __pycache__ -type d -not -path './.git/*' -prune -exec rm -rf {} +
