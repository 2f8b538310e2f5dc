# Two commands are all a new user needs: `make test` and `make figures`. Each sets itself up on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
KERNEL := ketamine-adhd-evidence
SETUP := $(VENV)/.setup-done
SCRATCH := $(CURDIR)/.scratch

.DEFAULT_GOAL := help
.PHONY: help setup figures test test-library test-notebooks lint lab benchmark dictionary clean

help: ## List the targets, one line each
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

$(SETUP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(PY) -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (ketamine-adhd-evidence)" >/dev/null
	touch $(SETUP)

setup: $(SETUP) ## Create .venv from the lock file, install the package, register the Jupyter kernel

figures: $(SETUP) ## Validate the data, run the notebooks with papermill, write outputs/ (figures, tables, site)
	$(PY) -m analysis build

test: lint test-library test-notebooks ## Lint, pytest for the library, then nbval (strict) on the notebooks

lint: $(SETUP) ## ruff on the library and tests
	$(VENV)/bin/ruff check src tests $(wildcard benchmarks)

test-library: $(SETUP) ## pytest for the library
	$(PY) -m pytest

test-notebooks: $(SETUP) ## Re-execute notebooks/ with nbval in strict mode; their figures go to a scratch folder
	rm -rf $(SCRATCH) && mkdir -p $(SCRATCH)
	ANALYSIS_OUT_DIR=$(SCRATCH) $(PY) -m pytest --nbval notebooks --nbval-sanitize-with tests/nbval-sanitize.cfg \
		--nbval-kernel-name $(KERNEL) -p no:cacheprovider -o testpaths=notebooks
	rm -rf $(SCRATCH)

lab: $(SETUP) ## Open JupyterLab on the project's kernel
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks

benchmark: $(SETUP) ## Time a forced build against papermill one by one, and a no-change build
	$(PY) benchmarks/build_benchmark.py

dictionary: $(SETUP) ## Regenerate data/DICTIONARY.md from data/schema.json
	$(PY) -m analysis dictionary

clean: ## Remove the virtual environment and scratch files (not outputs/)
	rm -rf $(VENV) $(SCRATCH) outputs.failed
