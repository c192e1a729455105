from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchedulesConfig(AppConfig):
    name = "schedules"
    verbose_name = _("Schedules and runs")

    def ready(self):
        # Importing the job modules registers them: web, worker and commands all know them.
        from .jobs import (  # noqa: F401
            allotment_export,
            catalog_export,
            flat_file_import,
            interface_trial,
            quota_sync,
            reconciliation,
            sales_integration,
        )
