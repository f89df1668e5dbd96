# The two commands of the README: `make demo` (run the platform on the embedded stack) and `make test`.
# Everything installs into .venv from this repository's own files; only Python 3.11, pip and make are assumed.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DBT := $(VENV)/bin/dbt
INSTALLED := $(VENV)/.installed
# PYTHONWARNINGS=ignore keeps setuptools' editable-install banner out of the output.
# pip warns about extra index folders this machine's pip.conf names but does not have: noise, not a problem.
PIP_FILTER := grep -v "is ignored: it is neither a file nor a directory" || true
export DAGSTER_HOME := $(CURDIR)/.local/dagster

.PHONY: install manifest system-packages demo test lint dev prod bench bench-ingest clean

install: $(INSTALLED)

$(INSTALLED): pyproject.toml
	@echo "==> creating $(VENV) and installing the platform (about a minute on a fresh machine)"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --upgrade pip 2>&1 | $(PIP_FILTER)
	@PYTHONWARNINGS=ignore $(PY) -m pip install --quiet -e '.[test]' 2>&1 | $(PIP_FILTER)
	@touch $@

# dagster-dbt loads dbt's manifest at import: prepare it at install time, never at import in production.
# `dbt parse` needs no database connection and takes a few seconds, so it simply runs every time.
manifest: $(INSTALLED)
	@mkdir -p $(DAGSTER_HOME)
	@if [ -f dbt_project/dbt_project.yml ]; then \
	  echo "==> dbt parse (prepares the manifest Dagster loads)"; \
	  cd dbt_project && ../$(DBT) parse --quiet --no-partial-parse --profiles-dir . --project-dir .; \
	fi

demo: $(INSTALLED) manifest
	@$(PY) -m qtickets_assets.local.cli demo

# chromium and postgresql from Debian, installed when missing (tools/system_packages.sh says why and how).
system-packages:
	@tools/system_packages.sh

test: $(INSTALLED) manifest system-packages
	@$(PY) -m pytest -q -p no:cacheprovider

# The same checks as .pre-commit-config.yaml: Python lint + format, the dbt SQL, and the generated dbt sources.
lint: $(INSTALLED)
	@echo "==> ruff check, ruff format --check, sqlfluff lint (dbt_project)"
	@$(VENV)/bin/ruff check --quiet .
	@$(VENV)/bin/ruff format --check --quiet .
	@cd dbt_project && ../$(VENV)/bin/sqlfluff lint --disable-progress-bar models macros tests

dev: $(INSTALLED) manifest
	@$(PY) -m qtickets_assets.local.cli dev

# The production topology on 127.0.0.1 (PostgreSQL, ClickHouse, sandbox, gRPC code server, daemon, webserver).
prod: $(INSTALLED) manifest system-packages
	@$(PY) -m qtickets_assets.local.cli deploy-local --port 3000

bench: $(INSTALLED) manifest
	@PYTHONWARNINGS=ignore $(PY) -m pip install --quiet -e '.[test,bench]' 2>&1 | $(PIP_FILTER)
	@$(PY) -m qtickets_assets.local.cli bench

# The orders full load against the same pages fetched one after another (no extra needed).
bench-ingest: $(INSTALLED) manifest
	@$(PY) -m qtickets_assets.local.cli bench ingest --orders 20000,200000

clean:
	rm -rf .local dbt_project/target dbt_project/logs
