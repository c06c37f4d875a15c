# 皖企政策助手 — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
VENV_PY := .venv/bin/python
PYTEST_ARGS ?=

.PHONY: help venv run shell train test lint validate report clean run-cluster bench

help:
	@echo "make run    set up (first time), train if needed, serve on http://localhost:5005"
	@echo "make test   set up (first time), train if needed, run every test"
	@echo "make shell  chat in this terminal"
	@echo "make train  train a model if config, domain or data changed"
	@echo "make lint   ruff"
	@echo "make validate  rasa data validate"
	@echo "make report what users asked and what the bot missed → reports/usage/ (CSV + PNG)"
	@echo "make run-cluster  several Rasa servers behind nginx on :5005, sharing PostgreSQL + Redis"
	@echo "make bench  load benchmark → reports/bench.json and a line in docs/benchmarks.md"

venv:
	@scripts/setup-venv.sh

run: venv
	@$(VENV_PY) -m bot run

shell: venv
	@$(VENV_PY) -m bot shell

train: venv
	@$(VENV_PY) -m bot train

test: venv
	@$(VENV_PY) -m pytest $(PYTEST_ARGS)

lint: venv
	@.venv/bin/ruff check .
	@.venv/bin/ruff format --check .

validate: venv
	@$(VENV_PY) -m knowledge vocab >/dev/null
	@.venv/bin/rasa data validate --fail-on-warnings

report: venv
	@$(VENV_PY) -m bot.report

run-cluster: venv
	@$(VENV_PY) -m bot.cluster

BENCH_ARGS ?=
bench: venv
	@$(VENV_PY) -m bench $(BENCH_ARGS)

clean:
	rm -rf var models .rasa reports
