"""What a run's counts are called, in the reader's language: one mapping read by the run page,
the runs list, the follow-up emails and the dashboard, so a key is never shown raw."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sales.models import ParkReason

from .framework.models import Job

# Every key a job counts, in the order the run page lists them. Keys written `<step>.<key>`
# are the interface test's steps (see `count_label`), `parked_<reason>` the sales engine's.
COUNT_LABELS = {
    # Sales integration and flat-file import (sales.types.ApplyResult.as_counts).
    "sold": gettext_lazy("sold"),
    "duplicated": gettext_lazy("duplicated"),
    "refunded": gettext_lazy("refunded"),
    "already_integrated": gettext_lazy("operations already integrated"),
    "parked": gettext_lazy("lines parked"),
    "parked_retried": gettext_lazy("parked lines retried"),
    "resolved_parked": gettext_lazy("parked lines integrated"),
    "parked_lines_now_integrated": gettext_lazy("parked lines integrated"),
    "still_parked": gettext_lazy("still parked"),
    "waiting": gettext_lazy("lines waiting for their original"),
    "still_waiting": gettext_lazy("lines still waiting for their original"),
    "cancelled_performances": gettext_lazy("cancelled performances"),
    "zones_not_sent": gettext_lazy("zones never sent by an allotment export"),
    "pages": gettext_lazy("pages read"),
    "operations": gettext_lazy("operations read"),
    "lines": gettext_lazy("lines"),
    "files": gettext_lazy("files"),
    "files_imported": gettext_lazy("files imported"),
    "files_already": gettext_lazy("files already imported"),
    "files_refused": gettext_lazy("files refused"),
    # Catalogue export.
    "manifestations": gettext_lazy("manifestations"),
    "problems": gettext_lazy("problems"),
    "already_exported": gettext_lazy("manifestations already exported"),
    "sent": gettext_lazy("manifestations sent"),
    "refused": gettext_lazy("manifestations refused"),
    # Catalogue and allotment exports, quota sync.
    "performances": gettext_lazy("performances"),
    "seats": gettext_lazy("seats"),
    "series_places": gettext_lazy("places in seat series"),
    "places": gettext_lazy("places"),
    "batches": gettext_lazy("batches"),
    "skipped_performances": gettext_lazy("performances skipped"),
    "refused_performances": gettext_lazy("performances refused"),
    "unmapped_seats": gettext_lazy("seats without a code"),
    "zones": gettext_lazy("zones"),
    "refused_zones": gettext_lazy("zones refused"),
    # Interface test.
    "steps_ok": gettext_lazy("steps OK"),
    "steps_warning": gettext_lazy("steps with warnings"),
    "steps_error": gettext_lazy("steps in error"),
    # Reconciliation.
    "ticketnet_listed": gettext_lazy("tickets listed by Ticketnet"),
    "statement_lines": gettext_lazy("lines in the statement"),
    "statement_records": gettext_lazy("records in the statement"),
    "refused_lines": gettext_lazy("statement lines refused"),
    "ticketnet_tickets": gettext_lazy("Ticketnet's tickets compared"),
    "our_tickets": gettext_lazy("our tickets compared"),
    "matched": gettext_lazy("matched"),
    "missing_here": gettext_lazy("missing here"),
    "extra_here": gettext_lazy("extra here"),
    "state_differs": gettext_lazy("state differs"),
    "price_differs": gettext_lazy("price differs"),
    "unknown_code": gettext_lazy("unknown code"),
}
PARKED_PREFIX = "parked_"
# The interface test's steps in their order; those that are not jobs have a label here.
STEP_ORDER = (Job.CATALOG_EXPORT, Job.ALLOTMENT_EXPORT, "box_office", Job.SALES_INTEGRATION,
              "checks")
STEP_LABELS = {
    "box_office": gettext_lazy("Ticketnet's box office"),
    "checks": gettext_lazy("Result"),
}
# What a run's line shows in a list (the dashboard, the runs list), in this order.
HEADLINE = ("sold", "duplicated", "refunded", "parked", "still_parked", "resolved_parked",
            "operations", "manifestations", "sent", "performances", "seats", "places", "lines",
            "files", "refused", "problems", "steps_error", "steps_warning", "steps_ok",
            "matched", "missing_here", "extra_here", "state_differs", "price_differs",
            "unknown_code")


def count_label(key: str) -> str:
    """The count's name in the active language: `allotment_export.batches` → "Allotment
    export — batches"; a key nobody labelled reads as words rather than as a code."""
    step, dot, name = key.rpartition(".")
    if dot:
        return _("%(step)s — %(count)s") % {"step": step_label(step), "count": count_label(name)}
    label = COUNT_LABELS.get(key)
    if label is not None:
        return str(label)
    if key.startswith(PARKED_PREFIX) and key[len(PARKED_PREFIX):] in ParkReason.values:
        reason = ParkReason(key[len(PARKED_PREFIX):]).label
        return _("parked: %(reason)s") % {"reason": str(reason).lower()}
    return key.replace("_", " ")


def step_label(step: str) -> str:
    if step in Job.values:
        return str(Job(step).label)
    return str(STEP_LABELS.get(step, step.replace("_", " ")))


def counts_rows(counts: Mapping[str, int] | None) -> list[tuple[str, int]]:
    """Every count as (label, value) in the mapping's order, then the steps' counts step by
    step, then any other key by name; the label starts with a capital."""
    counts = counts or {}
    order = {key: n for n, key in enumerate(COUNT_LABELS)}

    def rank(key: str) -> tuple:
        step, dot, name = key.rpartition(".")
        where = STEP_ORDER.index(step) if step in STEP_ORDER else len(STEP_ORDER)
        return (1 if dot else 0, where, step, order.get(name, len(order)), name)

    return [(capfirst(count_label(key)), counts[key]) for key in sorted(counts, key=rank)]


def headline_counts(counts: Mapping[str, int] | None, *, limit: int | None = None,
                    ) -> list[tuple[str, int]]:
    """The main counts of a run that are not zero, for a one-line summary."""
    counts = counts or {}
    rows = [(str(COUNT_LABELS[key]), counts[key]) for key in HEADLINE
            if isinstance(counts.get(key), int) and counts[key]]
    return rows[:limit] if limit is not None else rows
