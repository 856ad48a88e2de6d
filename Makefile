# collabgraph: two commands for users (run, test), a few for developers.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test lint install install-dev build serve bench bench-quick clean

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

## make test: set up with the dev extra, lint (ruff, mypy), then run the whole suite
test: lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# mypy checks the packages under their installed names; it cannot follow setuptools' editable finder, so it
# reads them through links (collabgraph/api -> api/, ...), found with mypy_path in pyproject.toml.
TYPECHECK = $(VENV)/typecheck/collabgraph

lint: install-dev
	mkdir -p $(TYPECHECK)
	for p in api graph loaders ontology; do ln -sfn "$(CURDIR)/$$p" $(TYPECHECK)/$$p; done
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: install-dev
	$(BIN)/python -m bench.run --full

bench-quick: install-dev
	$(BIN)/python -m bench.run --quick

clean:
	rm -rf .collabgraph bench/out .pytest_cache
