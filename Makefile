# The two commands of the README:
#   make demo   set up, then score the bundled sample calls into qa.duckdb
#   make test   set up, then lint (ruff, mypy) and run the tests (CI=true also runs the slow ones)
.PHONY: setup demo lint test test-all bench

setup:
	@bash scripts/setup.sh

demo: setup
	.venv/bin/qa-pipeline run samples/calls --db qa.duckdb

lint: setup
	.venv/bin/ruff check qa_pipeline flows tests scripts
	.venv/bin/ruff format --check qa_pipeline flows tests scripts
	.venv/bin/mypy

test: setup lint
	.venv/bin/pytest -q $(if $(CI),--slow,)

test-all: setup
	.venv/bin/pytest -q --slow

bench: setup
	.venv/bin/qa-pipeline bench asr
	.venv/bin/qa-pipeline bench classify
	.venv/bin/qa-pipeline bench redact
	.venv/bin/qa-pipeline bench rescore
	.venv/bin/qa-pipeline bench pipeline
