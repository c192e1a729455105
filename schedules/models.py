"""The app's models, where Django looks for them: the job framework's runs and locks, and the
Ticketnet jobs' records (each defined in its own room)."""

from .framework.models import Job, JobLock, Run
from .jobs.models import ExportedManifestation, ImportedFlatFile, IntegrationCursor

__all__ = ["ExportedManifestation", "ImportedFlatFile", "IntegrationCursor", "Job", "JobLock",
           "Run"]
