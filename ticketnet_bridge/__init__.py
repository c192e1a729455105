"""ticketnet_bridge: a ticketing institution's link with the reseller Ticketnet."""

from .celery import app as celery_app

__all__ = ["celery_app"]
