# `make run` and `make test` are the whole set-up on a fresh machine: each builds .venv first.
VENV := .venv
PYTHON := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

.PHONY: run test lint format schema docs bench serve fuzz fast-corpus clean consumers openapi-lint

$(INSTALLED): pyproject.toml constraints.txt
	python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -c constraints.txt -e ".[dev,fastapi,fast]"
	touch $(INSTALLED)

run: $(INSTALLED)
	$(PYTHON) -m jobstatus validate examples/data/job_statuses.ndjson

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
	$(PYTHON) -c 'from pathlib import Path; from jobstatus.schema import write_schemas; write_schemas(Path("jobstatus/schemas"))'

docs: $(INSTALLED)
	$(PYTHON) -m tools.readme README.md

# The peers' SDKs, the schema validators, msgspec and matplotlib (the `bench` extra), once.
BENCH_INSTALLED := $(VENV)/.installed-bench

$(BENCH_INSTALLED): $(INSTALLED)
	$(PYTHON) -m pip install --quiet -c constraints.txt -e ".[dev,fastapi,fast,bench]"
	touch $(BENCH_INSTALLED)

bench: $(BENCH_INSTALLED)
	$(PYTHON) bench/bench_core.py
	$(PYTHON) bench/bench_providers.py
	$(PYTHON) bench/bench_webhooks.py --requests 1000 --rounds 9 --instructions 300
	$(PYTHON) bench/bench_peers.py --memory-gb 1
	$(PYTHON) -m tools.readme README.md  # the README shows the peer tables just written

# Needs JOBSTATUS_WEBHOOK_SECRET (and optionally JOBSTATUS_WEBHOOK_SCHEME, JOBSTATUS_DB, PORT): see docs/webhooks.md.
# The app redacts query values (a ?token= secret) from uvicorn's access log.
PORT ?= 8000

serve: $(INSTALLED)
	$(PYTHON) -m uvicorn --factory examples.fastapi_app:app_from_env --host 127.0.0.1 --port $(PORT)

# Coverage-guided fuzzing (atheris) of validate_json, verify-then-validate, the accelerator, the command
# line's reader and the bulk path, FUZZ_SECONDS each
# (default 300). The corpus grows in .fuzz/; a crash is written to .fuzz/crashes/ and fails the run:
# add it to fuzz/regressions/<target>/, where `make test` replays it.
FUZZ_SECONDS ?= 300

fuzz: $(INSTALLED)
	mkdir -p .fuzz/validate_json .fuzz/webhook .fuzz/fast .fuzz/reader .fuzz/bulk .fuzz/crashes
	$(PYTHON) fuzz/fuzz_validate_json.py .fuzz/validate_json fuzz/seeds/validate_json fuzz/regressions/validate_json \
		-max_total_time=$(FUZZ_SECONDS) -artifact_prefix=.fuzz/crashes/validate_json-
	$(PYTHON) fuzz/fuzz_webhook.py .fuzz/webhook fuzz/seeds/webhook fuzz/regressions/webhook \
		-max_total_time=$(FUZZ_SECONDS) -artifact_prefix=.fuzz/crashes/webhook-
	$(PYTHON) fuzz/fuzz_fast.py .fuzz/fast fuzz/seeds/fast fuzz/regressions/fast \
		-max_total_time=$(FUZZ_SECONDS) -artifact_prefix=.fuzz/crashes/fast-
	$(PYTHON) fuzz/fuzz_reader.py .fuzz/reader fuzz/seeds/reader fuzz/regressions/reader \
		-max_total_time=$(FUZZ_SECONDS) -artifact_prefix=.fuzz/crashes/reader-
	$(PYTHON) fuzz/fuzz_bulk.py .fuzz/bulk fuzz/seeds/bulk fuzz/regressions/bulk \
		-max_total_time=$(FUZZ_SECONDS) -artifact_prefix=.fuzz/crashes/bulk-

# The accelerator's differential tests over a large corpus (`make test` runs 600 lines).
FAST_CORPUS ?= 200000

fast-corpus: $(INSTALLED)
	JOBSTATUS_FAST_CORPUS=$(FAST_CORPUS) $(PYTHON) -m pytest tests/test_fast.py --no-cov -q

clean:
	rm -rf $(VENV) $(CONSUMERS_VENV) tests/consumers/node_modules tests/openapi-lint/node_modules .mypy_cache .pytest_cache .ruff_cache .hypothesis .fuzz .coverage

# The published schemas as real consumers read them (tests/consumers/run.py): Ajv, datamodel-code-generator,
# json-schema-to-typescript, openapi-typescript with tsc, Redocly CLI. Installs its own tools: npm ci from
# tests/consumers/package-lock.json, and datamodel-code-generator into .venv-consumers.
CONSUMERS_VENV := .venv-consumers

$(CONSUMERS_VENV)/.installed: tests/consumers/requirements.txt
	python3 -m venv $(CONSUMERS_VENV)
	$(CONSUMERS_VENV)/bin/python -m pip install --quiet -r tests/consumers/requirements.txt
	touch $@

tests/consumers/node_modules/.installed: tests/consumers/package.json tests/consumers/package-lock.json
	cd tests/consumers && npm ci --no-audit --no-fund --loglevel=error
	touch $@

consumers: $(INSTALLED) $(CONSUMERS_VENV)/.installed tests/consumers/node_modules/.installed
	$(PYTHON) tests/consumers/run.py jobstatus/schemas --codegen $(CONSUMERS_VENV)/bin/datamodel-codegen

# Redocly's recommended rules on the example app's OpenAPI document (needs node/npm; `make test` skips it).
openapi-lint: $(INSTALLED)
	cd tests/openapi-lint && npm ci --no-audit --no-fund --silent
	JOBSTATUS_OPENAPI_LINT=1 $(PYTHON) -m pytest tests/test_fastapi_install.py -k redocly --no-cov -q
