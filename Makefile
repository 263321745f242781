# Two entry points: `make demo` (bring up the bundled example, print its URLs) and
# `make test` (the whole suite). Both install what they need: a virtualenv with devenv,
# and, where no engine runs, Docker Engine and Compose v2 (scripts/setup-engine.sh).

VENV ?= .venv
PYTHON ?= python3
DEVENV := $(VENV)/bin/devenv
PYTEST_ARGS ?=

.PHONY: demo test lint setup engine unit integration bench demo-down

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip uninstall -q -y devenv  # the old distribution name (now devenv-compose), in venvs made before the rename
	$(VENV)/bin/pip install -q -e '.[test]'
	touch $@

setup: $(VENV)/.installed

engine: setup
	bash scripts/setup-engine.sh $(VENV)

demo: engine
	bash scripts/demo.sh $(VENV)

demo-down: setup
	$(DEVENV) -C examples/shop down

# ruff and mypy --strict (configured in pyproject.toml); `make test` runs them first.
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

test: lint engine
	$(VENV)/bin/python -m pytest $(PYTEST_ARGS)

unit: setup
	$(VENV)/bin/python -m pytest -m "not docker" $(PYTEST_ARGS)

integration: engine
	$(VENV)/bin/python -m pytest -m docker $(PYTEST_ARGS)

bench: engine
	$(VENV)/bin/python benchmarks/run_all.py
