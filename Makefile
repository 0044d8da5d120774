# dyadcare: two commands for a newcomer, `make run` and `make test`. Everything else here
# is what those two call.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_CHILDREN ?= 3000
HOST ?= 127.0.0.1
PORT ?= 8000
export DYADCARE_HOME := $(CURDIR)

.PHONY: run test serve setup check pytest chromium bench clean

## make run: set everything up, load the demo network, serve at http://127.0.0.1:8000
run: export DYADCARE_DEMO := 1
run: setup
	$(BIN)/dyadcare migrate --noinput -v 0
	$(BIN)/dyadcare demo --children $(DEMO_CHILDREN)
	$(BIN)/dyadcare serve --host $(HOST) --port $(PORT)

## make test: set up and run every check and test (browser tests included)
test: setup chromium check pytest

## make serve: on a server (README, "On a server with PostgreSQL"): set up, migrate the
## database named by DATABASE_URL, refuse to start if Django's deployment check finds anything,
## serve with the background worker. Real families: no demo network.
serve: setup
	$(BIN)/dyadcare migrate --noinput -v 0
	$(BIN)/dyadcare check --deploy --fail-level WARNING
	$(BIN)/dyadcare serve --host $(HOST) --port $(PORT)

$(STAMP): requirements/dev.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "dyadcare needs Python 3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/dev.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

setup: $(STAMP)
	@mkdir -p var
	DYADCARE_DEMO=1 $(BIN)/dyadcare compiletranslations -v 0

# Debian's chromium for the browser tests (Playwright cannot download browsers here).
chromium:
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@test -x /usr/bin/chromium || { echo "chromium is missing: apt-get install -y chromium"; exit 1; }

check: export DYADCARE_DEMO := 1
check: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy src
	DATABASE_URL=sqlite:///var/check.sqlite3 $(BIN)/dyadcare makemigrations --check --dry-run
	$(BIN)/lint-imports

pytest: setup
	$(BIN)/pytest -n 2

## make bench CHILDREN=50000 [DATABASE_URL=postgres://…/dyadcare_bench_50k]: every staff page
## against the floor, 50 submits against 50 review pages, the worker's sweep, storage per
## child, demo generation.
## The demo network is built once per size (var/bench-<CHILDREN>.sqlite3, or DATABASE_URL's
## database) and reused; the page table goes to var/bench/<CHILDREN>-<vendor>.md.
CHILDREN ?= 50000
REQUESTS ?= 30
BUDGET ?= 120
bench: export DYADCARE_DEMO := 1
bench: setup
	$(BIN)/python bench/pages.py --children $(CHILDREN) --requests $(REQUESTS) --budget $(BUDGET)
	$(BIN)/python bench/submit_load.py --children $(CHILDREN) --db var/bench-$(CHILDREN).sqlite3
	$(BIN)/python bench/worker_sweep.py --children $(CHILDREN)
	$(BIN)/python bench/storage.py --db var/bench-$(CHILDREN).sqlite3
	$(BIN)/python bench/demo_generator.py --children $(CHILDREN)

clean:
	rm -rf $(VENV) var build src/*.egg-info
