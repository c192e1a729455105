#!/usr/bin/env python
"""Django's command-line utility for ticketnet_bridge.

Run from a source checkout (a `.git` beside this file) with no SECRET_KEY in the
environment, it defaults to development settings, as `make run` and `make test` do:
DEBUG=1 and SIMULATOR_ENABLED=1, unless those variables are set. So
`.venv/bin/python manage.py export_catalog …` works as the README writes it. A deployment
sets SECRET_KEY and has no `.git` (the Docker image leaves it out), so it is never affected.
"""

import os
import sys
from pathlib import Path


def development_defaults():
    # `.git` is a folder in a clone and a file in a git worktree: either means a checkout.
    checkout = (Path(__file__).resolve().parent / ".git").exists()
    if checkout and not os.environ.get("SECRET_KEY"):
        os.environ.setdefault("DEBUG", "1")
        os.environ.setdefault("SIMULATOR_ENABLED", "1")


def main():
    development_defaults()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ticketnet_bridge.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
