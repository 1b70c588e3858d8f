# gitsnap: everything installs itself into .venv/ from nothing but Python 3.11+ and git.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# Two workers: the suite is mostly waiting on subprocesses and the local AWS endpoint. By file,
# so a module that captures one repository for all its tests (test_faults) builds it once.
PYTEST_ARGS ?= -n 2 --dist loadfile

.PHONY: install test lint demo bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[test,bench]"
	touch $(STAMP)

install: $(STAMP)
	@echo "gitsnap is installed in $(BIN)/. To run it as plain 'gitsnap': source $(BIN)/activate"
	@echo "(or call $(BIN)/gitsnap; for a gitsnap on PATH outside this directory: pipx install .)"

lint: install
	$(BIN)/ruff check gitsnap tests bench

test: lint
	bash scripts/ensure-chromium.sh
	$(BIN)/pytest $(PYTEST_ARGS)

demo: install
	PATH="$(CURDIR)/$(BIN):$$PATH" bash scripts/demo.sh

# The S3 bench on a 25 ms latency front (bench/run.py; ~25 min on 2 cores, writes docs/performance.md).
# `make bench BENCH_ARGS=--quick` for a 3-minute run, `BENCH_ARGS="--only history"` for one workload.
BENCH_ARGS ?=
bench: install
	$(BIN)/python -m pip install -q -e ".[candidates]"
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .demo .bench .pytest_cache .ruff_cache
