# Two commands for a fresh machine with Python 3.11+ and Node 20:
#   make run    set up, load demo data for the province, serve on http://127.0.0.1:8000
#   make test   set up with test tools, run the whole suite (SQLite; PostgreSQL with DATABASE_URL)
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
SIZE ?= small

.PHONY: install install-dev run test lint bench messages
.DEFAULT_GOAL := run

install: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install-dev: install $(VENV)/.installed-dev

$(VENV)/.installed-dev: pyproject.toml
	$(BIN)/python -m pip install -q -e ".[dev]"
	touch $@

run: install
	$(BIN)/qrtrace migrate --no-input
	$(BIN)/qrtrace demo
	$(BIN)/qrtrace serve --host $(HOST) --port $(PORT)

test: install-dev
	$(BIN)/ruff check .
	$(BIN)/pytest

bench: install-dev
	$(BIN)/python -m bench --size $(SIZE)

messages: install-dev
	scripts/messages.sh
