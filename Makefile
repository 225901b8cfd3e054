# One entry point for every check; `make check` is what a reviewer runs.
PYTHON ?= python3
APT_PACKAGES = postgresql prometheus prometheus-alertmanager prometheus-postgres-exporter tmux

.PHONY: setup setup-system setup-python test check lint format types imports bench demo

setup: setup-system setup-python

setup-system:
	@missing=""; for b in /usr/lib/postgresql/15/bin/postgres /usr/bin/prometheus /usr/bin/promtool \
	    /usr/bin/prometheus-alertmanager /usr/bin/prometheus-postgres-exporter /usr/bin/tmux; do \
	    [ -x $$b ] || missing="$$missing $$b"; done; \
	if [ -n "$$missing" ]; then \
	    echo "installing system packages (missing:$$missing)"; \
	    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(APT_PACKAGES); \
	fi

setup-python:
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -e ".[dev]"

test:
	$(PYTHON) -m pytest -q

lint:
	$(PYTHON) -m ruff check cockpit screens tests bench
	$(PYTHON) -m ruff format --check cockpit screens tests bench

format:
	$(PYTHON) -m ruff format cockpit screens tests bench
	$(PYTHON) -m ruff check --fix cockpit screens tests bench

types:
	$(PYTHON) -m mypy

imports:
	lint-imports

check: lint types imports test

bench:
	$(PYTHON) -m bench

demo:
	cockpit demo
