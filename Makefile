# Rapid Response Suite — two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = "0" ] && echo "" || echo "sudo")
RUN_PKGS := libzbar0
TEST_PKGS := libzbar0 chromium poppler-utils postgresql nginx

.PHONY: run test bench lint format sysdeps-run sysdeps-test install install-dev lock lock-upgrade \
	clean-data assets

run: sysdeps-run install
	$(BIN)/rapid serve

# Twice: the whole suite on DuckDB, then every test that uses a database on PostgreSQL (a
# throwaway cluster the tests start themselves; core.testkit). Both passes run; either failing
# fails the target.
test: sysdeps-test install-dev
	@$(BIN)/python -m pytest -n 2 --dist loadfile; duckdb=$$?; \
	echo "== the same tests on PostgreSQL (RAPID_TEST_DATABASE=postgresql) =="; \
	RAPID_TEST_DATABASE=postgresql $(BIN)/python -m pytest -n 2 --dist loadfile; postgres=$$?; \
	echo "== DuckDB pass: exit $$duckdb; PostgreSQL pass: exit $$postgres =="; \
	[ $$duckdb -eq 0 ] && [ $$postgres -eq 0 ]

bench: sysdeps-run install-dev
	$(BIN)/python benchmarks/run_all.py

lint: install-dev
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

# System packages: installed through apt only when missing (sudo when not root).
sysdeps-run:
	@missing=$$(for p in $(RUN_PKGS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then echo "Installing system packages: $$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; fi

sysdeps-test:
	@missing=$$(for p in $(TEST_PKGS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then echo "Installing system packages: $$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; fi

# The virtual environment follows the lock files (requirements/*.txt, every package pinned with
# its hashes): `make run` installs the runtime lock only, `make test` also the dev lock. A stamp
# is rebuilt whenever its lock (or pyproject.toml) changes.
install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

$(VENV)/.installed: requirements/run.txt pyproject.toml
	@[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --require-hashes -r requirements/run.txt
	$(BIN)/python -m pip install -q --no-deps -e .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements/dev.txt
	$(BIN)/python -m pip install -q --require-hashes -r requirements/dev.txt
	@touch $@

# Regenerate the locks after changing dependencies in pyproject.toml: versions already pinned
# are kept unless a new floor needs another; `make lock-upgrade` takes the newest allowed.
LOCK_TOOLS := $(VENV)/lock-tools
UV_COMPILE = $(LOCK_TOOLS)/bin/uv pip compile pyproject.toml --python-version 3.11 \
	--generate-hashes --custom-compile-command "make lock" -q $(UV_FLAGS)

lock:
	@[ -x $(LOCK_TOOLS)/bin/uv ] || { $(PYTHON) -m venv $(LOCK_TOOLS) && $(LOCK_TOOLS)/bin/pip install -q uv; }
	$(UV_COMPILE) -o requirements/run.txt
	$(UV_COMPILE) --extra dev -c requirements/run.txt -o requirements/dev.txt

lock-upgrade:
	$(MAKE) lock UV_FLAGS=--upgrade

# The phone scanner's JavaScript bundle (core/web/assets/scanner/, committed) from web/scanner's
# lock file; needs Node >= 20 and npm. `make run` and `make test` do not need it.
assets:
	sh web/scanner/build.sh

clean-data:
	rm -rf data
