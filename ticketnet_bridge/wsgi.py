"""WSGI entry point (gunicorn ticketnet_bridge.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ticketnet_bridge.settings")
application = get_wsgi_application()
