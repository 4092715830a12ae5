# ProductOrg — the README names these targets.
#   make run    set up everything on a fresh machine and serve the demo organisation
#   make test   run the whole test suite
# Needs only Python 3.11+ (with venv) and make: uv is bootstrapped into .tools and
# installs exactly what uv.lock pins into .venv.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
TOOLS := .tools
UV := $(TOOLS)/bin/uv
UV_VERSION := 0.13.9
PY := $(VENV)/bin/python
# Extra arguments for pytest, e.g. `make test PYTEST_ARGS="-k seed -x"`.
PYTEST_ARGS ?=
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: help run test install lint format check ci seed-large bench clean

help:
	@echo "make run         migrate, load the demo organisation and serve it (web, worker, beat) on http://127.0.0.1:$${PORT:-8000}/"
	@echo "make test        run the test suite (PYTEST_ARGS=... to pass arguments to pytest)"
	@echo "make lint        ruff check and ruff format --check"
	@echo "make format      ruff format and ruff check --fix"
	@echo "make check       Django system checks and a check for missing migrations"
	@echo "make ci          what CI runs (.ci/run): services, tests, lint, checks, tests on PostgreSQL and Redis"
	@echo "make seed-large  load the large demo organisation (10,000 people) into an empty database"
	@echo "make bench       measure against raw-SQL baselines on PostgreSQL (DATABASE_URL holding the large demo)"
	@echo "make install     create .venv from uv.lock (the other targets do this when needed)"
	@echo "make clean       remove .venv, .tools, the local database (var/) and collected static files"

install: $(VENV)/.installed

$(UV):
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "ProductOrg needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# Installs exactly what uv.lock pins (--locked refuses a lock that is out of date).
$(VENV)/.installed: uv.lock pyproject.toml | $(UV)
	$(UV) sync --locked --python "$$($(PYTHON) -c 'import sys; print(sys.executable)')"
	touch $@

run: install
	$(PY) manage.py rundemo

test: install
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check: install
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

ci:
	bash .ci/run

seed-large: install
	$(PY) manage.py migrate --verbosity 0
	$(PY) manage.py seed_demo --size large

# Prints the table and writes it as Markdown to var/bench.md; BENCH_ARGS=... for options
# (python -m bench.run --help).
BENCH_ARGS ?=
bench: install
	@test -n "$$DATABASE_URL" || { echo "make bench needs DATABASE_URL=postgres://… holding the large demo (make seed-large)"; exit 2; }
	$(PY) -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(TOOLS) var staticfiles
