# Two commands: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
TSTAMP := $(VENV)/.installed-test

.PHONY: run test bench lint validation clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=24"

$(STAMP): $(PY) pyproject.toml constraints.txt
	$(PY) -m pip install --quiet -c constraints.txt -e .
	@echo "compiling the model's numba kernels once (cached on disk)..."
	$(VENV)/bin/nato-socialism run --members 2 --years 2 --doctrine nato_first --no-store --json > /dev/null
	touch $@

$(TSTAMP): $(STAMP)
	$(PY) -m pip install --quiet -c constraints.txt -e ".[test]"
	touch $@

run: $(STAMP)
	$(VENV)/bin/nato-socialism run

test: $(TSTAMP)
	$(PY) -m pytest -n 2 -q

bench: $(STAMP)
	$(VENV)/bin/nato-socialism bench

validation: $(STAMP)
	$(VENV)/bin/nato-socialism validate --members 40 --markdown docs/validation.md

lint: $(TSTAMP)
	$(VENV)/bin/ruff check src tests examples tools

clean:
	rm -rf $(VENV) results .pytest_cache
