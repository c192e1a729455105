"""The job functions, each registered with `schedules.registry.register(Job.X)`; imported by
`SchedulesConfig.ready()` so web, worker and commands all know them."""

from . import interface_test, sales_integration  # noqa: F401 - registers the jobs
