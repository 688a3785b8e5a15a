# newskg: two commands. `make run` builds the examples; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test check lint typecheck clean browser screenshot fuzz

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/kg build examples -o out

test: lint typecheck browser
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check kg tests tools benchmarks
	$(BIN)/ruff format --check kg tests tools benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

check: test

# The kg view tests drive a real headless Chromium: Debian's package, installed when missing
# (as root, else with sudo -n). Never fatal here: without it the browser tests skip with the
# reason, and fail under CI (CI=true).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then sudo=; \
	  elif command -v sudo >/dev/null 2>&1; then sudo="sudo -n"; \
	  else echo "make browser: chromium is missing; install it (apt-get install chromium)" >&2; exit 0; fi; \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q \
	  && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium \
	  || echo "make browser: could not install chromium; the kg view tests need it" >&2; }

# docs/graph.png for the README: the examples' page, drawn by headless Chromium.
screenshot: run browser
	$(BIN)/kg view out -o out/graph.html --input examples
	$(BIN)/python tools/screenshot.py out/graph.html docs/graph.png

# Fuzz ingest and extraction with hypothesis for FUZZ_SECONDS (not part of `make test`);
# a failure is shrunk and saved in tests/fuzz_regressions/, which `make test` then checks.
FUZZ_SECONDS ?= 60
fuzz: $(STAMP)
	$(BIN)/python -m tests.fuzz --seconds $(FUZZ_SECONDS)

clean:
	rm -rf $(VENV) out build dist *.egg-info
