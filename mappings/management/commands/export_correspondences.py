"""Write the codes an interface needs (with suggestions) as CSV, to fill in and import back."""

from django.core.management.base import BaseCommand

from mappings.services import correspondences_export_csv

from ._interface import find_interface


class Command(BaseCommand):
    help = "Export the interface's correspondences and suggestions as CSV (stdout or FILE)."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="output file (default: standard output)")
        parser.add_argument("--interface", required=True, help="the interface's internal name")
        parser.add_argument("--institution", help="institution code, if the name is ambiguous")

    def handle(self, *args, **options):
        interface = find_interface(options["interface"], options["institution"])
        text = correspondences_export_csv(interface=interface)
        if options["file"]:
            with open(options["file"], "w", encoding="utf-8") as out:
                out.write(text)
        else:
            self.stdout.write(text, ending="")
