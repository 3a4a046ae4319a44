# Two commands: `make run` (set up, fetch the embedded models, start the app)
#               `make test` (set up, fetch the models, lint and run every test tier)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTHON ?= python3

.PHONY: setup models run test lint bench browser postgres llama-cpp clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install torch==2.13.0
	$(BIN)/pip install -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

models: setup
	$(BIN)/interview-sim models fetch

run: models
	$(BIN)/interview-sim serve

# Debian's Chromium for the end-to-end browser test (no browser download is possible offline).
browser:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium chromium-driver)

# Debian's PostgreSQL server binaries: the tests start a throwaway cluster of their own (no service).
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq postgresql)

# llama.cpp for the real-server test tier and the benchmarks: llama-cpp-python[server] and llama.cpp's own
# `llama-server`, built once with portable flags and cached outside the checkout (scripts/llama-cpp.sh).
$(VENV)/.llama-cpp: $(STAMP) scripts/llama-cpp.sh
	@command -v cmake >/dev/null 2>&1 && command -v g++ >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq cmake g++)
	scripts/llama-cpp.sh $(VENV)
	touch $@

llama-cpp: $(VENV)/.llama-cpp

lint: setup
	$(BIN)/ruff check .

test: models browser postgres llama-cpp lint
	INTERVIEW_SIM_REQUIRE_POSTGRES=1 $(BIN)/pytest -q

bench: models
	$(BIN)/python bench/generation.py
	$(BIN)/python bench/scoring.py
	$(BIN)/python bench/turns.py

clean:
	rm -rf $(VENV) models/cache
