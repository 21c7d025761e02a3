# Every target bootstraps .venv on a machine that has only python3.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
# `make demo` gets its own venv with the runtime dependencies only (no dev or export extras)
DEMO_VENV := .venv-demo
DEMO_STAMP := $(DEMO_VENV)/.installed-runtime
SCENARIO ?=

.PHONY: demo test lint bench fuzz venv clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

$(DEMO_STAMP): pyproject.toml
	$(PYTHON) -m venv $(DEMO_VENV)
	$(DEMO_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(DEMO_VENV)/bin/python -m pip install --quiet -e .
	touch $(DEMO_STAMP)

demo: $(DEMO_STAMP)
	$(DEMO_VENV)/bin/stravasync demo

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The OpenAPI fuzz, longer than in `make test`: more examples, on SQLite then PostgreSQL
# (STRAVASYNC_TEST_POSTGRES_URL, as for the tests). FUZZ_EXAMPLES per operation and mode.
FUZZ_EXAMPLES ?= 200
fuzz: $(STAMP)
	STRAVASYNC_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest tests/fuzz -q
	STRAVASYNC_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) STRAVASYNC_FUZZ_BACKEND=postgres \
		STRAVASYNC_TEST_REQUIRE_POSTGRES=1 $(BIN)/python -m pytest tests/fuzz -q

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/hadolint Dockerfile
	$(BIN)/python scripts/check-compose compose.yaml
	$(BIN)/python scripts/vendor-assets --check

bench: $(STAMP)
	$(BIN)/python -m bench $(if $(SCENARIO),--scenario $(SCENARIO),)

clean:
	rm -rf $(VENV) $(DEMO_VENV) data .pytest_cache .mypy_cache .ruff_cache
