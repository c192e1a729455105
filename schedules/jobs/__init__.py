"""The job functions, each registered with `schedules.registry.register(Job.X)`; imported by
`SchedulesConfig.ready()` so web, worker and commands all know them."""
from . import flat_file_import  # noqa: F401
