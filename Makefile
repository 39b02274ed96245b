# hackbot developer commands. Everything installs into .venv from pyproject.toml, pinned by
# constraints.txt, so a fresh clone and CI get the same versions.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-sqlite test-postgres lint format bench docs venv clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

## Rehearse the scripted demo day against the sandbox (no token, no network).
demo: $(STAMP)
	$(BIN)/hackbot demo

## The test suite, once on SQLite and once on PostgreSQL: the server named by TEST_DATABASE_URL,
## else this checkout's own throwaway server (scripts/postgres.sh), stopped again afterwards when
## this target started it. Tests run in parallel (pytest-xdist; each worker has its own
## database), two workers per core: much of a sandbox test is waiting (on the local Discord's
## rate limits, on the database), which a second worker per core overlaps. PYTEST_WORKERS=0 runs
## them in one process.
PYTEST_WORKERS ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 1) * 2 )))
PYTEST := $(BIN)/pytest -q -n $(PYTEST_WORKERS)

test: $(STAMP) test-sqlite test-postgres

test-sqlite: $(STAMP)
	TEST_DATABASE_URL= $(PYTEST)

test-postgres: $(STAMP)
	if [ -n "$$TEST_DATABASE_URL" ]; then $(PYTEST) -m "not sqlite_only"; \
	else scripts/postgres.sh run $(PYTEST) -m "not sqlite_only"; fi

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/hadolint Dockerfile

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Benchmarks; results are written to docs/benchmarks.md.
bench: $(STAMP)
	$(BIN)/python -m benchmarks

docs: $(STAMP)
	$(BIN)/hackbot commands --markdown > docs/commands.md

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache data
