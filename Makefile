# The two commands of the README: `make run` and `make test`. Each installs what it needs first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CATALOGUE := hub/locale/zh/LC_MESSAGES/messages
EXTRACT_KEYWORDS := -k N_ -k in_language:2

.PHONY: run demo test lint format messages install install-dev

run: install
	$(BIN)/hub run

demo: install
	$(BIN)/hub demo
	$(BIN)/hub run

test: install-dev
	$(BIN)/ruff check .
	$(BIN)/pytest -n 2

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Re-extract every message and merge it into the Chinese catalogue, for translating.
messages: install-dev
	$(BIN)/pybabel extract -F babel.cfg $(EXTRACT_KEYWORDS) --no-location --sort-output --width 100 \
		-o hub/locale/messages.pot .
	$(BIN)/pybabel update -i hub/locale/messages.pot -d hub/locale -l zh --no-fuzzy-matching --width 100 \
		--ignore-obsolete

install: $(VENV)/.installed $(CATALOGUE).mo
install-dev: $(VENV)/.installed-dev $(CATALOGUE).mo

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Hub needs Python 3.11 or newer (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-dev: requirements-dev.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@ $(VENV)/.installed

$(CATALOGUE).mo: $(CATALOGUE).po | $(VENV)/.installed
	$(BIN)/pybabel compile -d hub/locale -D messages -l zh
