# The two commands for a fresh machine: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Local runs and tests are development runs; production sets DEBUG=0 and SECRET_KEY itself.
export DEBUG ?= 1
# The stand-in Ticketnet is installed for `make run` and `make test`, never in production.
export SIMULATOR_ENABLED ?= 1

.PHONY: run test install messages lint check clean

# Only the dependencies are installed: the code always runs from this checkout (manage.py,
# pytest's pythonpath, celery -A from the cwd), so a venv shared by several checkouts never
# imports another checkout's modules.
$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -c 'import tomllib; p = tomllib.load(open("pyproject.toml", "rb"))["project"]; \
	  print("\n".join(p["dependencies"] + p["optional-dependencies"]["dev"]))' > $(VENV)/requirements.txt
	$(PY) -m pip install --quiet -r $(VENV)/requirements.txt
	@touch $(STAMP)

install: $(STAMP)

# Translations need GNU gettext's msgfmt; install it when missing (Debian/Ubuntu, as root or sudo).
messages: $(STAMP)
	@command -v msgfmt >/dev/null || { \
	  echo "Installing gettext (msgfmt) for the translations..."; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq gettext >/dev/null; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq gettext >/dev/null; fi; }
	$(PY) manage.py compilemessages --ignore=.venv --verbosity 0

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache

check: messages
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

test: lint check
	$(VENV)/bin/pytest -q

run: messages
	$(PY) manage.py migrate --no-input
	$(PY) manage.py collectstatic --no-input --verbosity 0
	$(PY) manage.py load_demo
	$(PY) manage.py import_flat_file --interface "FR * Ticketnet pass non datés" sales/fixtures/flat-file-sample.csv
	@# Ctrl-C is how `make run` stops: honcho then ends every process and exits 130 (SIGINT),
	@# which is a clean stop here, not an error for make to report.
	$(VENV)/bin/honcho start -f Procfile.dev || test $$? -eq 130

clean:
	rm -rf $(VENV) var
