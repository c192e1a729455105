"""Admin pieces other apps' admins share (an admin module never imports another): the links to an
interface's correspondence screens, shown on the interface's page."""

from django.urls import reverse
from django.utils.translation import gettext

from channels.models import ExternalSalesInterface


def interface_links(interface: ExternalSalesInterface) -> list[tuple[str, str]]:
    """(url, label) of the grid, the CSV and the readiness of an interface (interface admin)."""
    return [
        (reverse("admin:mappings_correspondence_grid", args=[interface.pk]),
         gettext("Ticketnet codes")),
        (reverse("admin:mappings_correspondence_export", args=[interface.pk]), gettext("CSV")),
        (reverse("admin:mappings_correspondence_readiness", args=[interface.pk]),
         gettext("Readiness")),
    ]
