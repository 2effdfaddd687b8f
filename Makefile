# SEE Cluster Policy Lab — fresh machine: `make demo` (set up + main job), `make test` (whole suite).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
WB     := $(VENV)/bin/workbench
STAMP  := $(VENV)/.installed

.PHONY: setup demo test lint format bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	$(PY) -m ipykernel install --sys-prefix --name workbench --display-name "Python (workbench)"
	touch $(STAMP)

setup: $(STAMP)

## main job: build the synthetic demo knowledge base and run the demo report batch
demo: setup
	$(WB) demo
	$(WB) run notebooks/plans/demo.yml

## the whole test suite (CI runs this through .ci/run)
test: setup
	$(VENV)/bin/ruff check workbench tests benchmarks notebooks docs
	$(VENV)/bin/ruff format --check workbench tests benchmarks notebooks docs
	$(PY) -m pytest

lint:
	$(VENV)/bin/ruff check workbench tests benchmarks notebooks docs

format:
	$(VENV)/bin/ruff format workbench tests benchmarks notebooks docs
	$(VENV)/bin/ruff check --fix workbench tests benchmarks notebooks docs

bench: setup
	$(PY) benchmarks/bench_import.py
	$(PY) benchmarks/bench_kb_info.py
	$(PY) benchmarks/bench_batch.py
	$(PY) benchmarks/bench_complexity.py
	$(PY) benchmarks/bench_foresight.py

clean:
	rm -rf $(VENV) reports/*/ data/workbench.duckdb*
