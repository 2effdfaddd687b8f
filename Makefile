# SEE Cluster Policy Lab — fresh machine: `make demo` (set up + main job), `make test` (whole suite).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
WB     := $(VENV)/bin/workbench
STAMP  := $(VENV)/.installed

.PHONY: setup system demo test test-fast lint format bench training i18n clean

# Debian packages the project needs beyond Python: chromium (browser tests, static chart images for PDF/Word)
# and Pango + a font (PDF through WeasyPrint).  Installed when running as root with apt-get, else named.
SYSTEM_PACKAGES := chromium libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	$(PY) -m ipykernel install --sys-prefix --name workbench --display-name "Python (workbench)"
	touch $(STAMP)

system:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	  else echo "note: PDF/Word export and browser tests need: sudo apt-get install -y$$missing"; fi; \
	fi

setup: system $(STAMP)

## main job: build the synthetic demo knowledge base and run the demo report batch
demo: setup
	$(WB) demo
	$(WB) run notebooks/plans/demo.yml

## the whole test suite (CI runs this through .ci/run): ruff, mypy, import contracts (in pytest), pytest
## in TEST_WORKERS processes (pytest-xdist; one test file per work unit, longest first: tests/support/scheduling.py)
TEST_WORKERS ?= 2
test: setup
	$(VENV)/bin/ruff check workbench tests benchmarks notebooks docs training
	$(VENV)/bin/ruff format --check workbench tests benchmarks notebooks docs training
	$(VENV)/bin/mypy
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile

## the inner loop: no browser tests, no slow tests (notebooks, batches, many processes)
test-fast: setup
	$(VENV)/bin/ruff check workbench tests
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile -m "not browser and not slow" -q

lint:
	$(VENV)/bin/ruff check workbench tests benchmarks notebooks docs training

format:
	$(VENV)/bin/ruff format workbench tests benchmarks notebooks docs training
	$(VENV)/bin/ruff check --fix workbench tests benchmarks notebooks docs training

## the static training site (Sphinx + MyST-NB), built offline: lessons executed on the demo KB
training: setup
	$(WB) training site --out training/_build

## refresh the participant page's translation catalogues after changing its texts
i18n: setup
	$(VENV)/bin/pybabel extract -k _ -k N_ --no-location --omit-header -o workbench/dashboards/locale/participant.pot workbench/dashboards/foresight_participant.py
	$(VENV)/bin/pybabel update -i workbench/dashboards/locale/participant.pot -d workbench/dashboards/locale -D participant --no-location

## every benchmark (each compares against the obvious alternative; add --quick for a short run)
bench: setup
	@set -e; for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b; done

clean:
	rm -rf $(VENV) reports/*/ data/workbench.duckdb*
