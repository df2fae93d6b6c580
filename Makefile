# Two commands do all set-up on a fresh machine: `make run` (the main job) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test fuzz lint bench-squad bench-judge bench-judge-stance bench-scale bench-corpus train

$(VENV)/installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $@

run: $(VENV)/installed
	$(BIN)/citebot

lint: $(VENV)/installed
	$(BIN)/ruff check bot retrieval tests bench
	$(BIN)/ruff format --check bot retrieval tests bench

test: lint
	$(BIN)/python -m pytest -q

# The fuzz tests (tests/fuzz) with fresh random inputs and FUZZ_SCALE times the examples `make test`
# runs them with; failures are kept in .hypothesis/ and replayed first next time. The counts of
# generated inputs are printed, and written to .hypothesis/fuzz-report.json.
FUZZ_SCALE ?= 25
fuzz: $(VENV)/installed
	CITEBOT_FUZZ=random CITEBOT_FUZZ_SCALE=$(FUZZ_SCALE) CITEBOT_FUZZ_REPORT=.hypothesis/fuzz-report.json \
		$(BIN)/python -m pytest -q tests/fuzz

bench-squad: $(VENV)/installed
	$(BIN)/python bench/squad.py

bench-judge-stance: $(VENV)/installed
	$(BIN)/python bench/judge_stance.py

bench-scale: $(VENV)/installed
	$(BIN)/python bench/scale.py

# Judgment on held-out data: relevance and quotes (SQuAD by article, FNC-1 by topic), then
# stance and conflicts when bench/judge_stance.py exists.
bench-judge: $(VENV)/installed
	$(BIN)/python bench/judge_relevance.py
	if [ -f bench/judge_stance.py ]; then $(BIN)/python bench/judge_stance.py; fi

# Retrain every judging model shipped in retrieval/models/ (fixed seed, byte-reproducible).
train: $(VENV)/installed
	$(BIN)/citebot train

bench-corpus: $(VENV)/installed
	$(BIN)/python bench/corpus.py
