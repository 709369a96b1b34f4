# Two commands set up a fresh machine: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
OUT ?= out

.PHONY: demo test test-fast lint baseline bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# The main job on the bundled examples: scan, print the summary and verdicts, keep the JSON
# result. The examples hold flows over fail_on on purpose, so the demo reports with --exit-zero.
# Both scans are stored in .auditor/findings.db; the audit PDF is made from the latest.
demo: $(BIN)/.installed
	mkdir -p $(OUT)
	$(BIN)/auditor scan examples/ --format json --out $(OUT)/examples-scan.json --exit-zero
	$(BIN)/auditor scan examples/ --format table --exit-zero
	$(BIN)/auditor report --scan latest --pdf $(OUT)/examples-audit.pdf

test: $(BIN)/.installed
	$(BIN)/python -m pytest

# The in-process tests only: those that run the installed command in a subprocess are marked
# `cli` (tests/conftest.py) and left out.
test-fast: $(BIN)/.installed
	$(BIN)/python -m pytest -m "not cli"

# What CI enforces (.ci/run): lint, formatting, the layer contract and the types. Every step
# runs, and any failure fails the target.
lint: $(BIN)/.installed
	status=0; \
	$(BIN)/ruff check auditor tests bench || status=1; \
	$(BIN)/ruff format --check auditor tests bench || status=1; \
	$(BIN)/lint-imports || status=1; \
	$(BIN)/mypy || status=1; \
	exit $$status

# The flows this repository's own pre-commit hook accepts for now (.pre-commit-config.yaml):
# every tracked file the hook checks, that is all but the ones its `exclude` names.
HOOK_EXCLUDE := ^(examples/|tests/fixtures/|tests/data/|tests/hostile/|\.auditor-baseline\.json$$)
baseline: $(BIN)/.installed
	git ls-files -z | grep -zEv '$(HOOK_EXCLUDE)' | xargs -0 $(BIN)/auditor baseline create

bench: $(BIN)/.installed
	$(BIN)/python -m bench.compare_presidio

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache
