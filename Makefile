# Two commands on a fresh machine:  make demo   and   make test
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DB     ?= data/articles.db

.PHONY: demo test install lint serve clean

# compileall: pip compiles an installed package's modules, not an editable one's; without it,
# under PYTHONDONTWRITEBYTECODE=1 (common in containers) every crawl and every fork server
# compiled them again from source (~0.1 s of CPU each)
$(BIN)/news-ingest: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	$(BIN)/python -m compileall -q crawler pipelines
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
