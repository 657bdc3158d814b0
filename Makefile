# Two entry points: `make demo` (set up, then build the demo portal into public/)
# and `make test` (set up, then lint, type-check and run every test).
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test setup serve clean

$(STAMP): pyproject.toml requirements.lock
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

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
