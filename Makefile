# 皖企政策助手 — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
VENV_PY := .venv/bin/python
PYTEST_ARGS ?=

.PHONY: help venv web screenshots run shell train test lint validate evaluate crossvalidate eval report purge faq-add run-cluster bench bench-flood clean

help:
	@echo "make run    set up (first time), train if needed, serve on http://localhost:5005"
	@echo "make test   set up (first time), train if needed, run every test"
	@echo "make shell  chat in this terminal"
	@echo "make web    rebuild the web chat and staff console (web/ → bot/channels/webchat/static/) if web/ changed"
	@echo "make train  train a model if config, domain or data changed"
	@echo "make lint   ruff, and mypy over knowledge/ + actions/ (fails on new errors)"
	@echo "make validate  rasa data validate"
	@echo "make faq-add  add an FAQ (asks for it, or FAQ=entry.yaml), validate and retrain"
	@echo "make report what users asked and what the bot missed → reports/usage/ (CSV + PNG, personal numbers masked)"
	@echo "make purge  delete conversations idle for more than CONVERSATION_RETENTION_DAYS (or DAYS=N)"
	@echo "make evaluate  score every held-out question set through the REST channel (reports/, a section per set)"
	@echo "make eval   cross-validation + held-out set, per-intent reports under reports/, fails below quality_floor.yml"
	@echo "make crossvalidate  rasa test nlu, 3-fold cross-validation (reports/cv/, intent macro-F1)"
	@echo "make run-cluster  several Rasa servers behind nginx on :5005, sharing PostgreSQL + Redis"
	@echo "make bench  load benchmark → reports/bench.json and a line in docs/benchmarks.md"
	@echo "make bench-flood  one sender floods, another user's p95 vs idle → reports/bench-flood.json"

venv:
	@scripts/setup-venv.sh

# The web chat widget and staff console (web/ → bot/channels/webchat/static/), rebuilt only when web/ changed.
web:
	@scripts/build-web.sh

# Screenshots of the widget and the console (docs/*.png), taken by the browser tests.
screenshots: venv web
	@scripts/ensure-chromium.sh
	@WEBCHAT_SCREENSHOTS=docs $(VENV_PY) -m pytest tests/test_webchat_browser.py tests/test_webchat_eligibility_browser.py tests/test_webchat_a11y_browser.py -q

run: venv web
	@$(VENV_PY) -m bot run

shell: venv
	@$(VENV_PY) -m bot shell

train: venv
	@$(VENV_PY) -m bot train

test: venv web
	@scripts/ensure-chromium.sh
	@$(VENV_PY) -m pytest $(PYTEST_ARGS)

lint: venv
	@.venv/bin/ruff check .
	@.venv/bin/ruff format --check .
	@$(VENV_PY) -m tools.typecheck

validate: venv
	@$(VENV_PY) -m knowledge vocab >/dev/null
	@$(VENV_PY) -c "from bot.training.generated_data import write_generated_training_data as w; w()"
	@.venv/bin/rasa data validate --fail-on-warnings --data data var/nlu

evaluate: venv
	@$(VENV_PY) -m tools.evaluate

crossvalidate: venv
	@$(VENV_PY) -m tools.cross_validate

eval: venv
	@$(VENV_PY) -m tools.cross_validate
	@$(VENV_PY) -m tools.evaluate
	@$(VENV_PY) -m tools.quality_gate

faq-add: venv
	@$(VENV_PY) -m tools.faq add $(if $(FAQ),--file $(FAQ),)

# Delete conversations idle for more than CONVERSATION_RETENTION_DAYS (run daily, e.g. from cron).
purge: venv
	@$(VENV_PY) -m bot purge $(if $(DAYS),--days $(DAYS),)

report: venv
	@$(VENV_PY) -m tools.report

run-cluster: venv
	@$(VENV_PY) -m bot.processes.cluster

BENCH_ARGS ?=
bench: venv
	@$(VENV_PY) -m tools.bench $(BENCH_ARGS)

# One sender floods while another user asks: that user's p95 against the idle one (issue 17).
bench-flood: venv
	@$(VENV_PY) -m tools.bench.flood $(BENCH_ARGS)

clean:
	rm -rf var models .rasa reports
