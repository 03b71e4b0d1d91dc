# Two commands on a fresh machine:  make demo   and   make test
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DB     ?= data/articles.db

.PHONY: demo test install lint serve clean

$(BIN)/news-ingest: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/news-ingest

## Replay the bundled fixtures into $(DB) and print the summary.
demo: install
	$(BIN)/news-ingest replay fixtures/pages --db $(DB)

## The test suite (what CI runs).
test: install
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/pip install --quiet ruff
	$(BIN)/ruff check crawler pipelines tests

clean:
	rm -rf $(VENV) data .pytest_cache
