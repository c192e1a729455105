"""The job functions, each registered with `schedules.registry.register(Job.X)`; imported by
`SchedulesConfig.ready()` so web, worker and commands all know them."""

from . import (  # noqa: F401 - registers the jobs
    allotment_export,
    catalog_export,
    flat_file_import,
    interface_test,
    quota_sync,
    sales_integration,
)
