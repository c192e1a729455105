from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo data and `make run`'s helper commands (load_demo, announce_ready)."""

    name = "demo"
    label = "demo"
    verbose_name = _("Ticketnet bridge")
