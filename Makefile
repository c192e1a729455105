# The two commands for a fresh machine: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
# Overridable to try an install from scratch: `VENV=/tmp/venv-check make install`.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The exact versions tested, with their hashes; `make lock` refreshes them from pyproject.toml.
LOCK := requirements.lock
DEV_LOCK := requirements-dev.lock
# Local runs and tests are development runs; production sets DEBUG=0 and SECRET_KEY itself.
export DEBUG ?= 1
# The stand-in Ticketnet is installed for `make run` and `make test`, never in production.
export SIMULATOR_ENABLED ?= 1
# Where `make run` serves the back-office, and so the address the emails' links use (a link to
# another port would lead nowhere); production sets SITE_URL to its public address.
export WEB_BIND ?= 127.0.0.1:8000
export SITE_URL ?= http://$(subst 0.0.0.0:,127.0.0.1:,$(WEB_BIND))

.PHONY: run test install lock messages lint check deploy-check clean

# Only the dependencies are installed: the code always runs from this checkout (manage.py,
# pytest's pythonpath, celery -A from the cwd), so a venv shared by several checkouts never
# imports another checkout's modules. Every file's hash is checked against the lock.
$(STAMP): $(DEV_LOCK)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r $(DEV_LOCK)
	@touch $(STAMP)

install: $(STAMP)

# After a change of pyproject.toml's dependencies; `make lock LOCK_FLAGS=--upgrade` takes the
# newest releases the ranges allow. Resolved on PyPI alone, whatever pip.conf adds, so that the
# hashes are PyPI's; the development lock keeps the production lock's versions.
PIP_COMPILE := env -u PIP_FIND_LINKS -u PIP_EXTRA_INDEX_URL PIP_CONFIG_FILE=/dev/null \
	$(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--index-url=https://pypi.org/simple --no-emit-index-url $(LOCK_FLAGS)
lock: $(STAMP)
	$(PIP_COMPILE) --output-file=$(LOCK) pyproject.toml
	$(PIP_COMPILE) --extra=dev --constraint=$(LOCK) --output-file=$(DEV_LOCK) pyproject.toml

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

# `manage.py check --deploy` with the README's production example: no warning allowed.
deploy-check: $(STAMP)
	$(PY) .ci/check_deploy.py

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
