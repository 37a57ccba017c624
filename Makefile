# One task runner: CI calls `make test` verbatim (see .ci/run).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: help install dev build serve test lint typecheck bench load e2e clean

help:  ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed  ## create .venv and install eckg

dev: $(VENV)/.installed-dev  ## create .venv and install eckg with the test tools

build: install  ## build (or reuse) the embedded store of the knowledge graph
	$(BIN)/eckg build

serve: build  ## install, build the embedded store, serve on http://127.0.0.1:8000
	$(BIN)/eckg serve --host $(HOST) --port $(PORT)

test: dev  ## install with dev extras and run every test
	$(BIN)/python -m pytest -n 2 --dist loadgroup

lint: dev  ## ruff and mypy
	$(BIN)/ruff check graph api tests bench
	$(BIN)/mypy

bench: dev  ## benchmarks: our engine against the pySHACL/rdflib baseline, one table
	$(BIN)/python -m bench.run

load: dev  ## load test: 64 concurrent clients on /screen and /sparql
	$(BIN)/python -m bench.load

clean:  ## remove the virtualenv and caches
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
