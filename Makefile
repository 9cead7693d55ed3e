# Caravan: `make demo` runs the main job on the shipped atlas; `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Browser screenshots and other test artefacts (out/ is not tracked).
ARTEFACTS := out/test-artefacts

.PHONY: demo test lint typecheck pytest bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/caravan demo

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks tools
	$(BIN)/ruff format --check src tests benchmarks tools

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	mkdir -p $(ARTEFACTS)
	CARAVAN_TEST_ARTEFACTS=$(CURDIR)/$(ARTEFACTS) $(BIN)/pytest -q
	@echo "test artefacts (screenshots): $(ARTEFACTS)/"

test: lint typecheck pytest

# Every benchmark, one after the other; writes benchmarks/RESULTS.md (about 40 minutes).
# AEQ_PYTHON=/path/to/python-with-aequilibrae compares with the peer; without it the peer is skipped.
bench: $(STAMP)
	$(BIN)/python benchmarks/all.py $(if $(AEQ_PYTHON),--aeq-python $(AEQ_PYTHON))

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
