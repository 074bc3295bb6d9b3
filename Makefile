# The two commands of the README: `make run` (console chat on SQLite) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast lint demo clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

## Create the environment, migrate the SQLite database, load the plan, open the console chat.
run: $(STAMP)
	$(BIN)/parbot db upgrade
	$(BIN)/parbot console $(ARGS)

## The whole test suite: import contracts, ruff, unit + integration + e2e (PostgreSQL too when
## TEST_DATABASE_URL is set).
test: $(STAMP)
	$(BIN)/lint-imports
	$(BIN)/ruff check .
	$(BIN)/pytest -q -n auto $(PYTEST_ARGS)

## Before each commit: unit + integration on SQLite only, the hostile-input fuzz at 1,000 inputs
## (`make test` sends all 10,200).
test-fast: $(STAMP)
	$(BIN)/ruff check .
	env -u TEST_DATABASE_URL PARBOT_FUZZ_INPUTS=1000 $(BIN)/pytest -q -n auto tests/unit tests/integration $(PYTEST_ARGS)

## The console as an officer of the example roster.
demo: $(STAMP)
	$(BIN)/parbot db upgrade
	$(BIN)/parbot officers import data/roster.example.csv
	$(BIN)/parbot console --as "Tuấn An"

lint: $(STAMP)
	$(BIN)/lint-imports
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) var
