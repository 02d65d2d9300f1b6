# Rapid Response Suite — two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = "0" ] && echo "" || echo "sudo")
RUN_PKGS := libzbar0
TEST_PKGS := libzbar0 chromium poppler-utils

.PHONY: run test bench lint format sysdeps-run sysdeps-test install clean-data assets

run: sysdeps-run install
	$(BIN)/rapid serve

test: sysdeps-test install
	$(BIN)/python -m pytest -n 2 --dist loadfile

bench: sysdeps-run install
	$(BIN)/python benchmarks/run_all.py

lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: install
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

# The virtual environment is rebuilt only when pyproject.toml changes.
install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $@

# The phone scanner's JavaScript bundle (core/web/assets/scanner/, committed) from web/scanner's
# lock file; needs Node >= 20 and npm. `make run` and `make test` do not need it.
assets:
	sh web/scanner/build.sh

clean-data:
	rm -rf data
