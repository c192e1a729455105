"""Import Ticketnet codes from a CSV file (the export's columns kind;id;…;code), all or nothing."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from mappings.services import correspondences_import_csv

from ._interface import find_interface


class Command(BaseCommand):
    help = ("Import correspondence codes from CSV (columns kind, id, code; the export's format). "
            "All or nothing; every bad line is reported. Exit 0 OK, 1 errors.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file, UTF-8, separated by ';' or ','")
        parser.add_argument("--interface", required=True, help="the interface's internal name")
        parser.add_argument("--institution", help="institution code, if the name is ambiguous")
        parser.add_argument("--dry-run", action="store_true", help="check only, save nothing")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, **options):
        try:
            interface = find_interface(options["interface"], options["institution"])
            text = Path(options["file"]).read_text(encoding="utf-8-sig")
        except (CommandError, OSError, UnicodeDecodeError) as exc:
            return self._finish(options, {"status": "ERROR", "counts": {}, "messages": [str(exc)]})
        result = correspondences_import_csv(
            interface=interface, text=text, dry_run=options["dry_run"]
        )
        return self._finish(options, result.as_dict())

    def _finish(self, options, payload):
        if options["json"]:
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
        else:
            counts = payload["counts"]
            summary = ", ".join(f"{k} {v}" for k, v in counts.items())
            self.stdout.write(f"{payload['status']}: {summary}" if summary else payload["status"])
            for message in payload["messages"]:
                self.stdout.write(f"  {message}")
        if payload["status"] != "OK":
            raise SystemExit(1)
