from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SimulatorConfig(AppConfig):
    """Holds only the simulator's management command: the simulator keeps its own state."""

    name = "ticketnet_simulator"
    label = "simulator"
    verbose_name = _("Ticketnet simulator")
