"""The job functions, each registered with `schedules.registry.register(Job.X)`; imported by
`SchedulesConfig.ready()` so web, worker and commands all know them."""

from . import allotment_export, catalog_export, flat_file_import, quota_sync  # noqa: F401
