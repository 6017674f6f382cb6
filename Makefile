# `make run` and `make test` are the whole set-up on a fresh machine: each builds .venv first.
VENV := .venv
PYTHON := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

.PHONY: run test lint format schema docs bench serve clean

$(INSTALLED): pyproject.toml constraints.txt
	python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -c constraints.txt -e ".[dev,fastapi]"
	touch $(INSTALLED)

run: $(INSTALLED)
	$(PYTHON) examples/normalize_samples.py examples/data/job_statuses.ndjson

test: lint
	$(PYTHON) -m pytest

lint: $(INSTALLED)
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .
	$(PYTHON) -m mypy

format: $(INSTALLED)
	$(PYTHON) -m ruff check --fix .
	$(PYTHON) -m ruff format .

schema: $(INSTALLED)
	$(PYTHON) -c 'from pathlib import Path; from jobstatus.schema import write_schemas; write_schemas(Path("schemas"))'

docs: $(INSTALLED)
	$(PYTHON) -m jobstatus._docs README.md

bench: $(INSTALLED)
	$(PYTHON) bench/bench_core.py
	$(PYTHON) bench/bench_providers.py
	$(PYTHON) bench/bench_webhooks.py --requests 2000 --repeats 5

# Needs JOBSTATUS_WEBHOOK_SECRET (and optionally JOBSTATUS_WEBHOOK_SCHEME, JOBSTATUS_DB): see docs/webhooks.md.
serve: $(INSTALLED)
	$(PYTHON) -m uvicorn --factory examples.fastapi_app:app_from_env --host 127.0.0.1 --port 8000

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis
