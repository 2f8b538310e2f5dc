# Two commands are all a new user needs: `make test` and `make figures`. Each sets itself up on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
KERNEL := ketamine-adhd-evidence
SETUP := $(VENV)/.setup-done
SCRATCH := $(CURDIR)/.scratch
JOBS ?= 2
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c

.DEFAULT_GOAL := help
.PHONY: help setup figures check test test-library test-notebooks lint lab benchmark dictionary clean

help: ## List the targets, one line each
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

$(SETUP): requirements.lock pyproject.toml setup.py
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null || { \
	  echo "setup: this project needs Python 3.11, but '$(PYTHON)' is $$($(PYTHON) --version 2>&1 || echo missing)."; \
	  echo "       Point make at a Python 3.11, e.g.: make test PYTHON=python3.11"; exit 1; }
	@echo "setup 1/4: creating $(VENV) with $$($(PYTHON) --version)"
	@$(PYTHON) -m venv $(VENV)
	@echo "setup 2/4: installing $$(grep -c '==' requirements.lock) pinned packages from requirements.lock (about a minute)"
	@$(PY) -m pip install --disable-pip-version-check --progress-bar off -r requirements.lock 2>&1 \
	  | awk '/^Collecting/ {n++; printf "  [%d] %s\n", n, substr($$0, 1, 90); fflush()} \
	         /^(ERROR|Successfully installed)/ {print substr($$0, 1, 200); fflush()}'
	@echo "setup 3/4: installing the analysis package (editable; the lock already holds every extra)"
	@$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@echo "setup 4/4: registering the Jupyter kernel $(KERNEL)"
	@$(PY) -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (ketamine-adhd-evidence)" >/dev/null
	@touch $(SETUP)

setup: $(SETUP) ## Create .venv from the lock file, install the package, register the Jupyter kernel

figures: $(SETUP) ## Validate the data, run the notebooks with papermill, write outputs/ and README's key finding
	$(PY) -m analysis build
	$(PY) -m analysis readme

check: lint ## The quick loop: lint and the unit tests that start no kernel (under 30 s)
	$(PY) -m pytest -p no:nbval -m "not slow and not browser" -n $(JOBS) --dist worksteal -q

test: lint test-library test-notebooks ## Lint, pytest for the library, then nbval (strict) on the notebooks

lint: $(SETUP) ## ruff on the library, tests, notebooks and benchmarks
	$(VENV)/bin/ruff check src tests notebooks $(wildcard benchmarks)

test-library: $(SETUP) ## pytest for the library, the pipeline, the site and the committed outputs
	$(PY) -m pytest -p no:nbval -n $(JOBS) --dist worksteal  # an idle worker takes tests queued on the other

test-notebooks: $(SETUP) ## Re-execute notebooks/ with nbval in strict mode; their figures go to a scratch folder
	@rm -rf $(SCRATCH) && mkdir -p $(SCRATCH)
	@ANALYSIS_OUT_DIR=$(SCRATCH) $(PY) -m pytest --nbval notebooks --nbval-sanitize-with tests/nbval-sanitize.cfg \
		--nbval-kernel-name $(KERNEL) -p no:cacheprovider -o testpaths=notebooks -n $(JOBS) --dist loadfile -q \
	|| { rm -rf $(SCRATCH); echo "nbval: the stored outputs of notebooks/ differ from a fresh run. If the data or code changed on purpose, run 'make figures' to refresh them (and outputs/), then commit notebooks/ and outputs/."; exit 1; }
	@rm -rf $(SCRATCH)

lab: $(SETUP) ## Open JupyterLab on the project's kernel
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks

benchmark: $(SETUP) ## Time a forced build against papermill one by one, and a no-change build
	$(PY) benchmarks/build_benchmark.py

dictionary: $(SETUP) ## Regenerate data/DICTIONARY.md and data/datapackage.json from data/schema.json
	$(PY) -m analysis dictionary
	$(PY) -m analysis datapackage

clean: ## Remove the virtual environment and scratch files (not outputs/)
	rm -rf $(VENV) $(SCRATCH) outputs.failed
