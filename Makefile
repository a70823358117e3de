# Two commands do everything on a fresh clone (see README): `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo shell test lint bench lock clean browser

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "englake needs Python 3.11, found " + sys.version'
	$(PYTHON) -m venv $(VENV)

# Installs resolve from the lock files only; the project itself is installed without dependencies.
$(VENV)/.runtime-installed: requirements/runtime.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements/runtime.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

$(VENV)/.test-installed: requirements/test.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements/test.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@ $(VENV)/.runtime-installed

## The main job on the embedded default: generate a sample lake, land it, build the models, sync segments.
## `make demo ARGS=--replace` empties a lake the demo did not create (englake demo exits 18 and leaves it otherwise).
demo: $(VENV)/.runtime-installed
	$(BIN)/englake demo $(ARGS)

## A shell with the virtual environment active: `englake` on PATH until you `exit` (commands on stdin work too).
shell: $(VENV)/.runtime-installed
	@echo "englake is on PATH in this shell ($(abspath $(BIN))); exit to leave" >&2
	@VIRTUAL_ENV="$(abspath $(VENV))" PATH="$(abspath $(BIN)):$$PATH" $${SHELL:-/bin/sh}

## Lint (ruff, cfn-lint), check that every import is a declared dependency (deptry), and run every test, in
## TEST_PROCESSES processes (pytest-xdist; a module's tests stay in one process, so its shared fixtures are built once).
TEST_PROCESSES ?= 2
test: $(VENV)/.test-installed browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/cfn-lint deploy/*.yaml
	$(BIN)/deptry .
	$(BIN)/pytest --numprocesses=$(TEST_PROCESSES) --dist=loadscope

## Debian's chromium for the report's browser test (root and apt-get needed; elsewhere that test is skipped).
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } ; } || \
		echo "chromium not installed: the report's browser test will be skipped"

## Every benchmark at full size; arguments pass through: `make bench ARGS="models --quick"` (see README, Benchmarks).
bench: $(VENV)/.test-installed
	$(BIN)/python -m benchmarks $(ARGS)

## Re-resolve the lock files (needs network access to PyPI; uses uv only for resolution).
lock: | $(BIN)/python
	$(BIN)/pip install --quiet uv==0.13.8
	$(BIN)/uv pip compile pyproject.toml --python-version 3.11 --generate-hashes --no-strip-extras -o requirements/runtime.lock
	$(BIN)/uv pip compile pyproject.toml --python-version 3.11 --generate-hashes --no-strip-extras --extra test -o requirements/test.lock

clean:
	rm -rf $(VENV) lake dbt_project/target dbt_project/target-analyses dbt_project/logs
