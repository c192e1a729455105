"""WSGI entry point (gunicorn ticketnet_bridge.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

from .startup import refuse_to_start_on_failed_checks

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ticketnet_bridge.settings")
application = get_wsgi_application()

# gunicorn runs no system check: a bad key would otherwise fail on the first request.
refuse_to_start_on_failed_checks("web")
