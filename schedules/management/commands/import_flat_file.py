"""Import one Ticketnet flat file (undated passes) now: `import_flat_file --interface NAME FILE`."""

from pathlib import Path

from django.core.management.base import CommandError

from ...models import Job
from ..base import JobCommand


class Command(JobCommand):
    help = "Integrate a Ticketnet CSV flat file of pass sales (the file stays where it is)."
    job = Job.FLAT_FILE_IMPORT

    def add_job_arguments(self, parser):
        parser.add_argument("file", help="Path of the CSV flat file.")

    def job_params(self, options) -> dict:
        path = Path(options["file"]).resolve()
        if not path.is_file():
            raise CommandError(f"There is no file {path}.")
        return {"path": str(path)}
