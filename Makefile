# WildTrace: `make demo` runs the pipeline end to end; `make test` runs the test suite.
VENV ?= .venv
PY := $(VENV)/bin/python
WT := $(VENV)/bin/wildtrace
DEMO_DIR ?= demo
DEMO_SCALE ?= 1
PYTEST_WORKERS ?= 2

.PHONY: demo test test-slow test-spark lint bench install system-deps clean

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip uv
	$(VENV)/bin/uv pip install -q --python $(PY) -e '.[dev]'
	touch $@

install: system-deps $(VENV)/.installed

system-deps:
	@bash scripts/system-deps.sh

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/mypy

test: install lint
	$(PY) -m pytest -q -n $(PYTEST_WORKERS) -m "not slow"

test-slow: install
	$(PY) -m pytest -q -m slow

test-spark: install
	$(PY) -m pytest -q -m spark

bench: install
	$(PY) bench/run.py --out bench/results

demo: install
	$(WT) demo --out $(DEMO_DIR) --scale $(DEMO_SCALE)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache $(DEMO_DIR) wildtrace.duckdb .wildtrace
