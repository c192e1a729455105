"""Entering codes in bulk (grid, CSV, demo): every entry checked against Ticketnet's rules and
against the codes already used, then all saved or nothing."""

import csv
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from channels.models import ExternalSalesInterface
from spreadsheets import csv_read, csv_write

from .book import CorrespondenceBook
from .models import (
    LOCKED_REASON,
    TARGET_FIELDS,
    TARGET_MODELS,
    Correspondence,
    Kind,
    code_entries,
    code_taken_message,
    correspondence_codes_write,
    institution_targets,
    retired_code_message,
    target_problems,
    validate_code_for_kind,
)
from .selectors import correspondence_book, correspondence_rows

CSV_COLUMNS = ["kind", "id", "object", "context", "code", "suggestion"]


@dataclass
class Entry:
    """The code wanted for one object; an empty code removes its correspondence."""

    kind: str
    object_id: int
    code: str
    line: int | None = None


@dataclass
class ApplyResult:
    errors: dict[int, list[str]] = field(default_factory=dict)  # entry index → messages
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    saved: bool = False
    # What saving does (or would do, on a dry run): entry index, object, old code, new code.
    changes: list[tuple[int, str, str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, index: int, message) -> None:
        self.errors.setdefault(index, []).append(str(message))

    def counts(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "deleted": self.deleted,
                "unchanged": self.unchanged, "errors": len(self.errors)}


def _load_targets(*, interface: ExternalSalesInterface, entries: list[Entry]) -> dict:
    ids: dict[str, set[int]] = defaultdict(set)
    for entry in entries:
        if entry.kind in TARGET_FIELDS:
            ids[entry.kind].add(entry.object_id)
    targets: dict[tuple[str, int], object] = {}
    for kind, pks in ids.items():
        qs = institution_targets(kind=kind, institution_id=interface.institution_id).filter(
            pk__in=pks
        )
        if kind == Kind.PERFORMANCE:
            qs = qs.select_related("event")
        elif kind == Kind.ZONE:
            qs = qs.select_related("configuration__hall")
        elif kind == Kind.CONFIGURATION:
            qs = qs.select_related("hall")
        targets.update({(kind, obj.pk): obj for obj in qs})
    return targets


def correspondences_apply(*, interface: ExternalSalesInterface, entries: list[Entry],
                          dry_run: bool = False) -> ApplyResult:
    """Check every entry, then save them all, or nothing if one is wrong (each wrong entry's
    messages in `errors`, by index). Entries equal to the saved code are left alone."""
    result = ApplyResult()
    book = correspondence_book(interface=interface)
    targets = _load_targets(interface=interface, entries=entries)
    wanted = _check_entries(interface=interface, entries=entries, book=book, targets=targets,
                            result=result)
    _check_codes_unique(entries=entries, wanted=wanted, book=book, targets=targets,
                        result=result)
    # Planned even when some entries are wrong: a dry run reports what the others would do.
    wanted = {index: e for index, e in wanted.items() if index not in result.errors}
    to_delete, to_create = _plan_writes(interface=interface, wanted=wanted, result=result)
    result.changes = [
        (index, str(targets[(e.kind, e.object_id)]), book.code_for(e.kind, e.object_id) or "",
         e.code) for index, e in wanted.items()
    ]
    if not dry_run and not result.errors:
        _write(to_delete=to_delete, to_create=to_create)
        result.saved = True
    return result


def _check_entries(*, interface: ExternalSalesInterface, entries: list[Entry],
                   book: CorrespondenceBook, targets: dict, result: ApplyResult
                   ) -> dict[int, Entry]:
    """Each entry on its own: known object, listed once, a valid code it may carry. Returns
    the entries that change something, by index."""
    seen: dict[tuple[str, int], int] = {}
    wanted: dict[int, Entry] = {}
    for index, entry in enumerate(entries):
        entry.code = (entry.code or "").strip()
        if entry.kind not in TARGET_FIELDS:
            result.error(index, _("Unknown kind “%(kind)s”: use one of %(kinds)s.")
                         % {"kind": entry.kind, "kinds": ", ".join(TARGET_FIELDS)})
            continue
        key = (entry.kind, entry.object_id)
        target = targets.get(key)
        if target is None:
            result.error(index, _("No %(kind)s with id %(id)s in the institution of this "
                                  "interface.")
                         % {"kind": Kind(entry.kind).label.lower(), "id": entry.object_id})
            continue
        if key in seen:
            other = entries[seen[key]]
            result.error(index, _("“%(object)s” is listed twice (also %(where)s): keep one line.")
                         % {"object": target, "where": _("line %(n)s") % {"n": other.line}
                            if other.line else _("above")})
            continue
        seen[key] = index
        if entry.code == (book.code_for(*key) or ""):
            result.unchanged += 1
            continue
        if book.is_locked(*key):
            result.error(index, LOCKED_REASON)
            continue
        if entry.code:
            try:
                validate_code_for_kind(entry.kind, entry.code, target=target)
            except ValidationError as exc:
                for message in exc.messages:
                    result.error(index, message)
                continue
            problems = target_problems(entry.kind, target, interface)
            for problem in problems:
                result.error(index, problem)
            if problems:
                continue
        wanted[index] = entry
    return wanted


def _also_entered(value: str, entry: Entry, label) -> str:
    where = _("line %(n)s") % {"n": entry.line} if entry.line else str(label)
    return (_("The code %(value)s is also entered for “%(object)s” (%(where)s)"
              ": each code once.") % {"value": value, "object": label, "where": where})


def _check_codes_unique(*, entries: list[Entry], wanted: dict[int, Entry],
                        book: CorrespondenceBook, targets: dict, result: ApplyResult) -> None:
    """Uniqueness on the final state: codes kept from untouched objects plus the new ones."""
    touched = {(e.kind, e.object_id) for e in wanted.values()}
    occupied: dict[tuple[str, str], tuple[str, int] | int] = {}
    for kind, object_id, code in book.items():
        if (kind, object_id) not in touched:
            for pair in code_entries(kind, code):
                occupied[pair] = (kind, object_id)
    retired: dict[tuple[str, str], tuple[str, int]] = {
        pair: (kind, object_id)
        for kind, object_id, code in book.retired() for pair in code_entries(kind, code)
    }
    conflicts: list[tuple[int, str, str, tuple[str, int]]] = []
    for index, entry in wanted.items():
        if not entry.code:
            continue
        for namespace, value in code_entries(entry.kind, entry.code):
            holder = occupied.get((namespace, value))
            old_holder = retired.get((namespace, value))
            if old_holder is not None and old_holder != (entry.kind, entry.object_id):
                conflicts.append((index, "retired", value, old_holder))
            if holder is None:
                occupied[(namespace, value)] = index
            elif isinstance(holder, int):
                other = entries[holder]
                result.error(holder, _also_entered(value, entry,
                                                   targets[(entry.kind, entry.object_id)]))
                result.error(index, _also_entered(value, other,
                                                  targets[(other.kind, other.object_id)]))
            else:
                conflicts.append((index, namespace, value, holder))
    if conflicts:
        holders = defaultdict(set)
        for *_rest, (kind, object_id) in conflicts:
            holders[kind].add(object_id)
        labels = {}
        for kind, pks in holders.items():
            labels.update({(kind, o.pk): o for o in TARGET_MODELS[kind].objects.filter(pk__in=pks)})
        for index, namespace, value, holder in conflicts:
            label = labels.get(holder, holder)
            result.error(index, retired_code_message(value, label) if namespace == "retired"
                         else code_taken_message(namespace, value, label))


def _plan_writes(*, interface: ExternalSalesInterface, wanted: dict[int, Entry],
                 result: ApplyResult) -> tuple[list[int], list[Correspondence]]:
    """The correspondences to delete (every touched one) and to create, counted in `result`."""
    touched = {(e.kind, e.object_id) for e in wanted.values()}
    existing = {
        (c.kind, c.target_id): c
        for c in Correspondence.objects.filter(interface=interface).only(
            "pk", "kind", *(f"{f}_id" for f in TARGET_FIELDS.values())
        )
        if (c.kind, c.target_id) in touched
    }
    to_create = []
    for entry in wanted.values():
        had = (entry.kind, entry.object_id) in existing
        if entry.code:
            correspondence = Correspondence(interface=interface, code=entry.code)
            correspondence.set_target(entry.kind, entry.object_id)
            to_create.append(correspondence)
            if had:
                result.updated += 1
            else:
                result.created += 1
        elif had:
            result.deleted += 1
    return [c.pk for c in existing.values()], to_create


def _write(*, to_delete: list[int], to_create: list[Correspondence]) -> None:
    with transaction.atomic():
        # Delete first, then create: codes may move from one object to another.
        Correspondence.objects.filter(pk__in=to_delete).delete()
        created = Correspondence.objects.bulk_create(to_create, batch_size=1000)
        # Their old rows went with the deleted correspondences.
        correspondence_codes_write(correspondences=created, replace=False)


@dataclass
class ImportResult:
    status: str
    counts: dict[str, int]
    messages: list[str]
    # Line, kind, object, old code, new code of each change (saved, or would be on a dry run).
    changes: list[tuple[int, str, str, str, str]] = field(default_factory=list)
    # Line number → why it is refused.
    refused: dict[int, list[str]] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"status": self.status, "counts": self.counts, "messages": self.messages}


def correspondences_import_csv(*, interface: ExternalSalesInterface, text: str,
                               dry_run: bool = False) -> ImportResult:
    """Import `kind,id,code` lines (the export's columns; others ignored; `,` or `;`).

    All or nothing: every bad line is reported with its number and reason. An empty code
    removes the object's correspondence, so an edited export can be imported back."""
    messages: list[str] = []
    counts = {"lines": 0, "created": 0, "updated": 0, "deleted": 0, "unchanged": 0,
              "errors": 0}
    try:
        # The export's reader: `;` or `,`, the byte-order mark dropped, neutralised cells
        # (a leading quote) restored.
        rows = list(csv_read(text))
    except csv.Error as exc:
        counts["errors"] = 1
        return ImportResult("ERROR", counts, [_(
            "The file is not readable as CSV (%(error)s): save it again as CSV UTF-8 from "
            "the spreadsheet.") % {"error": exc}])
    if not rows:
        return ImportResult("ERROR", counts, [_("The file is empty: export the "
                                                "correspondences first and fill in the codes.")])
    (_first, header), rows = rows[0], rows[1:]
    columns = [h.strip().lower() for h in header]
    missing = [c for c in ("kind", "id", "code") if c not in columns]
    if missing:
        counts["errors"] = 1
        return ImportResult("ERROR", counts, [
            _("Line 1: the columns %(missing)s are missing; the first line must name the "
              "columns, at least kind, id and code.") % {"missing": ", ".join(missing)}
        ])
    kind_col, id_col, code_col = (columns.index(c) for c in ("kind", "id", "code"))
    entries: list[Entry] = []
    bad_lines: dict[int, list[str]] = {}
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        counts["lines"] += 1
        if len(row) <= max(kind_col, id_col, code_col):
            bad_lines.setdefault(line, []).append(
                _("%(found)d columns where %(wanted)d are expected.")
                % {"found": len(row), "wanted": len(columns)}
            )
            continue
        raw_id = row[id_col].strip()
        if not raw_id.isdigit():
            bad_lines.setdefault(line, []).append(
                _("The id “%(id)s” is not a number: keep the id column of the export.")
                % {"id": raw_id}
            )
            continue
        entries.append(Entry(kind=row[kind_col].strip().lower(), object_id=int(raw_id),
                             code=row[code_col], line=line))
    result = correspondences_apply(interface=interface, entries=entries,
                                   dry_run=dry_run or bool(bad_lines))
    for index, errors in result.errors.items():
        bad_lines.setdefault(entries[index].line, []).extend(errors)
    for line in sorted(bad_lines):
        for message in bad_lines[line]:
            messages.append(_("Line %(line)d: %(message)s") % {"line": line, "message": message})
    counts.update({k: v for k, v in result.counts().items() if k != "errors"})
    counts["errors"] = len(bad_lines)
    changes = [(entries[index].line, str(Kind(entries[index].kind).label), label, old, new)
               for index, label, old, new in result.changes]
    if bad_lines:
        messages.append(_("Nothing was saved: correct the lines above and import the whole "
                          "file again."))
        return ImportResult("ERROR", counts, messages, changes, dict(sorted(bad_lines.items())))
    if dry_run:
        messages.append(_("Dry run: the file is valid; nothing was saved."))
    return ImportResult("OK", counts, messages, changes)


def correspondences_export_csv(*, interface: ExternalSalesInterface) -> str:
    """Every object the interface's events need, with its code and a suggestion, as CSV for
    Excel (UTF-8 with a byte-order mark, `;`-separated, texts a spreadsheet would run as a
    formula neutralised), the columns the import reads back."""
    return csv_write(
        [CSV_COLUMNS, *([row.kind, row.object_id, row.label, row.context, row.code,
                         row.suggestion] for row in correspondence_rows(interface=interface))],
        bom=True,
    )


def correspondences_fill_suggestions(*, interface: ExternalSalesInterface) -> ApplyResult:
    """Give every object still without a code its suggestion (what the demo does)."""
    entries = [
        Entry(kind=row.kind, object_id=row.object_id, code=row.suggestion)
        for row in correspondence_rows(interface=interface)
        if not row.code and row.suggestion
    ]
    return correspondences_apply(interface=interface, entries=entries)
