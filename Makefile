# 皖企政策助手 — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
VENV_PY := .venv/bin/python
PYTEST_ARGS ?=

.PHONY: help venv run shell train test lint validate evaluate crossvalidate report clean

help:
	@echo "make run    set up (first time), train if needed, serve on http://localhost:5005"
	@echo "make test   set up (first time), train if needed, run every test"
	@echo "make shell  chat in this terminal"
	@echo "make train  train a model if config, domain or data changed"
	@echo "make lint   ruff"
	@echo "make validate  rasa data validate"
	@echo "make evaluate  score the held-out questions through the REST channel (reports/)"
	@echo "make crossvalidate  rasa test nlu, 3-fold cross-validation (reports/cv/, intent macro-F1)"
	@echo "make report what users asked and what the bot missed → reports/usage/ (CSV + PNG)"

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
	@$(VENV_PY) -c "from bot.generated_data import write_generated_training_data as w; w()"
	@.venv/bin/rasa data validate --fail-on-warnings --data data var/nlu

evaluate: venv
	@$(VENV_PY) -m bot.evaluate

crossvalidate: venv
	@$(VENV_PY) -m bot.cross_validate

report: venv
	@$(VENV_PY) -m bot.report

clean:
	rm -rf var models .rasa reports
