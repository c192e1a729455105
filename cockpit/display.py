"""What the dashboard shows of the selectors' figures: each interface's status light, its runs'
main counts (labelled by `schedules.counts`), its two charts and the links behind them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from channels.models import SalesChannel
from schedules.counts import headline_counts
from schedules.models import Run

from .charts import Chart, Series, stacked_bars
from .selectors import Dashboard, InterfaceDashboard

STATUS_ORDER = [Run.Status.OK, Run.Status.WARNING, Run.Status.ERROR, Run.Status.SKIPPED,
                Run.Status.RUNNING]


@dataclass
class Light:
    """The interface's state in one word, its colour (a CSS class) and why."""

    key: str  # ok, warning, error, running, idle
    label: str
    reasons: list[str]


def light_of(board: InterfaceDashboard) -> Light:
    runs = board.last_runs
    failed = [r for r in runs if r.status == Run.Status.ERROR]
    warned = [r for r in runs if r.status == Run.Status.WARNING]
    late = [line for line in board.jobs if line.schedule and line.schedule.late]
    reasons = [_("%(job)s ended in error") % {"job": r.get_job_display()} for r in failed]
    reasons += [_("%(job)s ended with warnings") % {"job": r.get_job_display()} for r in warned]
    if board.parked_total:
        reasons.append(ngettext("%(n)d parked line to fix", "%(n)d parked lines to fix",
                                board.parked_total) % {"n": board.parked_total})
    reasons += [_("%(job)s is late") % {"job": line.label} for line in late]
    if failed:
        return Light("error", _("Error"), reasons)
    if reasons:
        return Light("warning", _("Needs attention"), reasons)
    if any(r.status == Run.Status.RUNNING for r in runs):
        return Light("running", _("Running"), [])
    if not runs:
        return Light("idle", _("No run yet"), [])
    return Light("ok", _("All good"), [])


def counts_summary(run: Run) -> list[tuple[str, int]]:
    return headline_counts(run.counts)


def _day(day: dt.date) -> str:
    return formats.date_format(day, "j F")


def sales_chart(board: InterfaceDashboard, days: list[dt.date]) -> Chart:
    values = board.sales_per_day
    total = sum(values)
    if total:
        best = max(range(len(days)), key=lambda n: (values[n], n))
        summary = ngettext(
            "%(n)d sale integrated in %(days)d days, at most %(max)d on %(day)s.",
            "%(n)d sales integrated in %(days)d days, at most %(max)d on %(day)s.", total,
        ) % {"n": total, "days": len(days), "max": values[best], "day": _day(days[best])}
    else:
        summary = _("No sale integrated in the last %(days)d days.") % {"days": len(days)}
    series = Series(key="sold", label=_("Sales integrated"), values=values, describe=lambda d, v: (
        ngettext("%(day)s: %(n)d sale", "%(day)s: %(n)d sales", v) % {"day": _day(d), "n": v}))
    return stacked_bars(days=days, series=[series], title=_("Sales integrated per day"),
                        summary=summary)


def runs_chart(board: InterfaceDashboard, days: list[dt.date]) -> Chart:
    series = []
    for status in STATUS_ORDER:
        label = Run.Status(status).label
        series.append(Series(
            key=status, label=label, values=board.runs_per_day.get(status, [0] * len(days)),
            describe=lambda d, v, label=label: ngettext(
                "%(day)s: %(n)d run %(status)s", "%(day)s: %(n)d runs %(status)s", v)
            % {"day": _day(d), "n": v, "status": label}))
    parts = [f"{s.label} {sum(s.values)}" for s in series if sum(s.values)]
    summary = (_("Runs in the last %(days)d days: %(parts)s.")
               % {"days": len(days), "parts": ", ".join(parts)}) if parts else (
        _("No run in the last %(days)d days.") % {"days": len(days)})
    return stacked_bars(days=days, series=series, title=_("Runs per day and status"),
                        summary=summary)


def changelist(model: str, **filters) -> str:
    url = reverse(f"admin:{model.replace('.', '_')}_changelist")
    return f"{url}?{urlencode(filters)}" if filters else url


@dataclass
class InterfaceCard:
    """One interface's block on the dashboard: the board plus what it takes to draw it."""

    board: InterfaceDashboard
    light: Light
    sales_chart: Chart
    runs_chart: Chart
    interface_url: str
    runs_url: str
    parked_url: str

    @property
    def sells_performances(self) -> bool:
        """Dated performances (not passes) are sold through the interface's channel."""
        return bool(self.board.performances) or (
            self.board.interface.channel.kind == SalesChannel.Kind.TICKETNET_AUTOMATIC)


def cards(dashboard: Dashboard) -> list[InterfaceCard]:
    result = []
    for board in dashboard.interfaces:
        pk = board.interface.pk
        for line in board.jobs:
            line.url = changelist("schedules.run", interface__id__exact=pk, job__exact=line.job)
        for parked in board.parked:
            parked.url = changelist("sales.parkedoperation", interface__id__exact=pk,
                                    reason__exact=parked.reason, resolved_at__isempty=1)
        result.append(InterfaceCard(
            board=board, light=light_of(board),
            sales_chart=sales_chart(board, dashboard.days),
            runs_chart=runs_chart(board, dashboard.days),
            interface_url=reverse("admin:channels_externalsalesinterface_change", args=[pk]),
            runs_url=changelist("schedules.run", interface__id__exact=pk),
            parked_url=changelist("sales.parkedoperation", interface__id__exact=pk,
                                  resolved_at__isempty=1),
        ))
    return result
