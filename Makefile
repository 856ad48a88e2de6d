# collabgraph: two commands for users (run, test), a few for developers.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test install install-dev build serve bench bench-quick clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## make run: set up, build the bundled example, serve it on http://$(HOST):$(PORT)
run: install
	$(BIN)/collabgraph build
	$(BIN)/collabgraph serve --host $(HOST) --port $(PORT)

build: install
	$(BIN)/collabgraph build

serve: install
	$(BIN)/collabgraph serve --host $(HOST) --port $(PORT)

## make test: set up with the dev extra and run the whole suite
test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install-dev
	$(BIN)/python -m bench.run --full

bench-quick: install-dev
	$(BIN)/python -m bench.run --quick

clean:
	rm -rf .collabgraph bench/out .pytest_cache
