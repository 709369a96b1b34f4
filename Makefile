# Two commands set up a fresh machine: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
OUT ?= out

.PHONY: demo test lint bench clean

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

lint: $(BIN)/.installed
	$(BIN)/ruff check auditor tests bench

bench: $(BIN)/.installed
	$(BIN)/python -m bench.compare_presidio

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache
