"""Flat-file import: the CSV files in which Ticketnet sends the sales of undated passes (or
visit passes), from the interface's drop folder or one file given by an operator."""

import shutil
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from sales.flat_file import FlatFileRefused, flat_file_parse
from sales.passes import flat_file_apply, parked_passes_retry
from sales.types import ParkReason
from texts import source, text

from ..framework.context import JobContext
from ..framework.errors import JobError
from ..framework.models import Job
from ..framework.registry import register
from .models import ImportedFlatFile

ARCHIVE = "archive"
REJECTED = "rejected"
# Larger files are refused by the parser; reading stops just past that so memory stays bounded.
_READ_LIMIT = 50 * 1024 * 1024 + 1


def _drop_folder(interface) -> Path:
    folder = Path(interface.flat_file_folder)
    if not folder.is_dir():
        raise JobError(
            text("The flat-file drop folder %(folder)s does not exist or is not a folder.",
                 folder=folder),
            text("Create it (readable and writable by the workers) or correct it on the "
                 "interface."),
        )
    return folder


def _move(path: Path, folder: Path) -> Path:
    """Move `path` into `folder`, never overwriting a file already there."""
    folder.mkdir(exist_ok=True)
    target = folder / path.name
    if target.exists():
        target = folder / f"{path.stem}.{timezone.now():%Y%m%d%H%M%S%f}{path.suffix}"
    shutil.move(str(path), target)
    return target


def _import_one(ctx: JobContext, path: Path) -> str:
    """Integrate one file in one transaction; returns "imported", "already" or "refused"."""
    interface = ctx.interface
    with path.open("rb") as handle:
        data = handle.read(_READ_LIMIT)
    try:
        parsed = flat_file_parse(
            data=data,
            institution_code=interface.institution_code,
            time_zone=settings.TIME_ZONE,
        )
    except FlatFileRefused as refused:
        ctx.error(
            text("%(file)s was refused, nothing of it was integrated: %(reason)s",
                 file=path.name, reason=refused.message),
            text("Ask Ticketnet for a file following the flat-file format (docs/flat-file.md)."),
        )
        return "refused"
    with transaction.atomic():
        # The unique (interface, sha256) row, taken first, makes two runs on the same
        # content impossible: the second finds it, or waits for it and fails.
        already = ImportedFlatFile.objects.select_for_update().filter(
            interface=interface, sha256=parsed.sha256
        ).first()
        if already is not None:
            ctx.info(
                text("%(file)s holds the same content as %(other)s, integrated on %(when)s: "
                     "nothing changed.",
                     file=path.name, other=already.name,
                     when=timezone.localtime(already.imported_at).strftime("%Y-%m-%d %H:%M"))
            )
            return "already"
        result = flat_file_apply(interface=interface, parsed=parsed, file_name=path.name)
        ImportedFlatFile.objects.create(
            interface=interface,
            sha256=parsed.sha256,
            name=path.name,
            run=ctx.run,
            imported_at=timezone.now(),
            lines=parsed.line_count,
            counts=result.as_counts(),
        )
    ctx.count("lines", parsed.line_count)
    ctx.add_counts({k: v for k, v in result.as_counts().items() if v})
    if result.parked:
        reasons = [text("%(reason)s: %(n)d", reason=source(ParkReason(k).label, lower=True), n=v)
                   for k, v in sorted(result.parked_by_reason.items())]
        ctx.warning(
            text("%(file)s: %(parked)s of %(lines)s lines were parked (%(reasons)s).",
                 file=path.name, parked=result.parked, lines=parsed.line_count, reasons=reasons),
            text("Each parked line says why in Ticketnet sales › Parked lines: fix the cause "
                 "(product, tariff, price…), then retry them; a line refused as invalid comes "
                 "back right when Ticketnet sends it corrected."),
        )
    else:
        ctx.info(
            text("%(file)s: %(lines)s lines integrated.", file=path.name, lines=parsed.line_count)
        )
    return "imported"


@register(Job.FLAT_FILE_IMPORT)
def flat_file_import(ctx: JobContext) -> None:
    """`params["path"]`: one file named by an operator (left where it is); otherwise every
    `*.csv` of the drop folder, oldest name first, moved to archive/ or rejected/ after."""
    interface = ctx.interface
    if not interface.takes_flat_files:
        raise JobError(
            text("The interface “%(name)s” takes no flat files.", name=interface.internal_name),
            text("Tick what Ticketnet sends flat files for (undated passes or visit passes) on "
                 "the interface, with its drop folder."),
        )
    retried = parked_passes_retry(
        interface=interface, ids=ctx.params.get("parked_operation_ids")
    )
    if retried.resolved_parked:
        ctx.count("parked_lines_now_integrated", retried.resolved_parked)
        ctx.info(
            text("%(n)s parked lines went through now that their cause is fixed.",
                 n=retried.resolved_parked)
        )
    named = ctx.params.get("path")
    if named:
        path = Path(named)
        if not path.is_file():
            raise JobError(text("There is no file %(path)s.", path=path))
        ctx.count("files")
        ctx.count(f"files_{_import_one(ctx, path)}")
        return
    folder = _drop_folder(interface)
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".csv")
    if not files:
        ctx.info(text("No new flat file in %(folder)s.", folder=folder))
    ctx.progress(0, len(files), force=True)  # the total from the start: the page shows a bar
    for done, path in enumerate(files, start=1):
        outcome = _import_one(ctx, path)
        ctx.count("files")
        ctx.count(f"files_{outcome}")
        # Moved only once its integration is committed: a crash before leaves it to the next
        # run, which finds its content already integrated.
        _move(path, folder / (REJECTED if outcome == "refused" else ARCHIVE))
        ctx.progress(done, len(files))
