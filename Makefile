# The README's two commands: `make run` (set up + serve the demo) and `make test`
# (set up + ruff + mypy + pytest on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set).
SHELL := /bin/bash
PYTHON ?= python3
TOOLS := .uv
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: run test sync system lint typecheck pytest pytest-postgres messages clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet "uv>=0.13,<0.14"

sync: $(UV)
	$(UV) sync --frozen --python $(PYTHON)

run: sync
	$(BIN)/incubator serve --demo --host $(HOST) --port $(PORT)

# Debian packages for PDFs (pango, a CJK font): installed when missing and running as root.
system:
	scripts/system-packages.sh

lint: sync
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

typecheck: sync
	$(BIN)/mypy

pytest: sync
	$(BIN)/pytest

pytest-postgres: sync
	@if [ -n "$$TEST_DATABASE_URL" ] || [ "$$CI" = "true" ]; then \
		$(BIN)/pytest --db=postgres; \
	else \
		echo "PostgreSQL run skipped: set TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres to run it"; \
	fi

# The two databases' runs go side by side (each has its own database and files); each one's
# output is printed whole when it ends.
test: system lint typecheck
	@$(MAKE) --no-print-directory -j2 --output-sync=target pytest pytest-postgres

messages: sync
	scripts/messages.sh

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache .mypy_cache .ruff_cache
