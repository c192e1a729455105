"""Processes that Django's commands do not check (the web under gunicorn, the Celery worker and
beat) run the system checks at start and refuse to start on an error, as migrate does."""

import logging
import sys

logger = logging.getLogger(__name__)


def refuse_to_start_on_failed_checks(process: str) -> None:
    import django
    from django.apps import apps
    from django.core import checks

    if not apps.ready:
        django.setup()
    messages = [m for m in checks.run_checks() if not m.is_silenced()]
    for message in messages:
        if not message.is_serious():
            logger.warning("%s: %s", process, message)
    errors = [str(m) for m in messages if m.is_serious()]
    if errors:
        sys.stderr.write(f"The {process} does not start: the system checks found errors.\n"
                         + "\n".join(errors) + "\n")
        raise SystemExit(1)
