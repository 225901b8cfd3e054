# One entry point for every check; `make check` is what a reviewer runs.
#
# Everything Python runs in the project's own virtual environment ($(VENV)), created from the
# system Python: Debian's /usr/bin/python3 is "externally managed" (PEP 668) and is never
# installed into. Override with `make SYSTEM_PYTHON=python3.13 setup` to test another Python.
SYSTEM_PYTHON ?= python3
VENV ?= .venv
PYTHON := $(VENV)/bin/python
BIN := $(abspath $(VENV))/bin
# The e2e tests and benchmarks run the installed `cockpit` command: the venv's comes first.
RUN := PATH="$(BIN):$$PATH"
APT_PACKAGES = postgresql prometheus prometheus-alertmanager prometheus-postgres-exporter tmux \
	python3-venv python3-pip pipx
WHEELHOUSE ?= wheelhouse

.PHONY: setup setup-system setup-python test check lint format types imports bench demo \
	wheelhouse clean-venv

setup: setup-system setup-python

# As root the missing servers are installed with apt; as a normal user the command to run is
# printed and setup stops (nothing is installed behind your back).
setup-system:
	@missing=""; for b in /usr/lib/postgresql/15/bin/postgres /usr/bin/prometheus /usr/bin/promtool \
	    /usr/bin/prometheus-alertmanager /usr/bin/prometheus-postgres-exporter /usr/bin/tmux \
	    /usr/bin/pipx; do \
	    [ -x $$b ] || missing="$$missing $$b"; done; \
	$(SYSTEM_PYTHON) -c 'import ensurepip, venv' 2>/dev/null || missing="$$missing python3-venv"; \
	if [ -n "$$missing" ]; then \
	    if [ "$$(id -u)" != 0 ]; then \
	        echo "missing:$$missing"; \
	        echo "run as root: apt-get install -y --no-install-recommends $(APT_PACKAGES)"; \
	        exit 1; \
	    fi; \
	    echo "installing system packages (missing:$$missing)"; \
	    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y \
	        --no-install-recommends $(APT_PACKAGES); \
	fi

$(PYTHON):
	$(SYSTEM_PYTHON) -m venv $(VENV)

setup-python: $(PYTHON)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -e ".[dev]"

test:
	$(RUN) $(PYTHON) -m pytest -q

lint:
	$(PYTHON) -m ruff check cockpit screens tests bench
	$(PYTHON) -m ruff format --check cockpit screens tests bench

format:
	$(PYTHON) -m ruff format cockpit screens tests bench
	$(PYTHON) -m ruff check --fix cockpit screens tests bench

types:
	$(PYTHON) -m mypy

imports:
	$(BIN)/lint-imports

check: lint types imports test

bench:
	$(RUN) $(PYTHON) -m bench

demo:
	$(BIN)/cockpit demo

# Wheels of the cockpit and every dependency, for this platform and Python: copy the folder
# to a bastion with no package index and install with the README's offline command.
wheelhouse: $(PYTHON)
	rm -rf $(WHEELHOUSE)
	$(PYTHON) -m pip wheel --quiet --disable-pip-version-check --wheel-dir $(WHEELHOUSE) .
	@du -sh $(WHEELHOUSE) | cut -f1 | sed 's/^/wheelhouse size: /'

clean-venv:
	rm -rf $(VENV)
