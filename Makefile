# Two commands do all set-up on a fresh machine: `make run` (the main job) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint bench-squad bench-judge-stance bench-scale bench-corpus

$(VENV)/installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $@

run: $(VENV)/installed
	$(BIN)/citebot

test: $(VENV)/installed
	$(BIN)/ruff check bot retrieval tests bench
	$(BIN)/python -m pytest -q

bench-squad: $(VENV)/installed
	$(BIN)/python bench/squad.py

bench-judge-stance: $(VENV)/installed
	$(BIN)/python bench/judge_stance.py

bench-scale: $(VENV)/installed
	$(BIN)/python bench/scale.py

bench-corpus: $(VENV)/installed
	$(BIN)/python bench/corpus.py
