"""The interface's finance page, "Reconciliation and settlement": a period's settlement with its
downloads, the reconciliations and their differences, and the buttons that reconcile with
Ticketnet's web services or with a sales statement (each lands on its run)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from channels.models import ExternalSalesInterface
from reconciliation.models import Reconciliation
from reconciliation.settlement import settlement, settlement_table
from schedules.admin_utils import follow_url
from schedules.framework.errors import JobQueueUnavailable
from schedules.framework.queue import QUEUE_UNAVAILABLE, job_queue
from schedules.jobs.channel_rules import takes_web_services
from schedules.models import Job, Run
from spreadsheets import csv_write, xlsx_write

from .finance import (
    difference_lines,
    differences_table,
    due_days,
    file_name,
    kinds_of,
    money,
    recent_reconciliations,
    settlement_chart,
)
from .finance_forms import PeriodForm, RelistForm, StatementForm, relist_default
from .services import statement_save

PERIOD_FIELDS = ("start", "end", "performance")
CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _url(name: str, *args) -> str:
    return reverse(f"admin:channels_externalsalesinterface_{name}", args=args)


class FinanceAdminMixin:
    """Put in front of the interface admin by cockpit.admin.install."""

    def get_urls(self):
        view = self.admin_site.admin_view
        prefix = "<path:object_id>/reconciliation"
        name = "channels_externalsalesinterface_reconciliation"
        return [
            path(f"{prefix}/", view(self.finance_view), name=name),
            path(f"{prefix}/reconcile/", view(self.finance_reconcile_view),
                 name=f"{name}_reconcile"),
            path(f"{prefix}/statement/", view(self.finance_statement_view),
                 name=f"{name}_statement"),
            path(f"{prefix}/relist/", view(self.finance_relist_view), name=f"{name}_relist"),
            path(f"{prefix}/settlement.<str:extension>", view(self.finance_settlement_view),
                 name=f"{name}_settlement"),
            path(f"{prefix}/<int:reconciliation_id>/differences.csv",
                 view(self.finance_differences_view), name=f"{name}_differences"),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, *args, **kwargs):
        obj = kwargs.get("obj") or context.get("original")
        if obj is not None and obj.pk:
            context["finance_url"] = _url("reconciliation", obj.pk)
        return super().render_change_form(request, context, *args, **kwargs)

    def _finance_interface(self, request, object_id) -> ExternalSalesInterface:
        """The interface within the user's institutions (another's: not found)."""
        interface = get_object_or_404(
            self.get_queryset(request).select_related("channel"), pk=object_id)
        if not self.has_view_permission(request, interface):
            raise PermissionDenied
        return interface

    # The page ------------------------------------------------------------------------------

    def finance_view(self, request, object_id, *, period=None, statement=None, relist=None,
                     status=200):
        interface = self._finance_interface(request, object_id)
        period = period or PeriodForm(request.GET, interface=interface)
        statement = statement or StatementForm()
        recent = recent_reconciliations(interface)
        chosen = request.GET.get("reconciliation", "")
        shown = next((r for r in recent if str(r.pk) == chosen), None)
        if shown is None and chosen.isdigit():
            shown = Reconciliation.objects.filter(interface=interface, pk=chosen).first()
        if shown is None and recent:
            shown = recent[0]
        context = {
            **self.admin_site.each_context(request), "opts": self.opts, "original": interface,
            "title": _("Reconciliation and settlement of “%(interface)s”")
            % {"interface": interface},
            "change_url": _url("change", interface.pk),
            "period": period, "statement_form": statement,
            "takes_web_services": takes_web_services(interface=interface),
            "recent": recent, "shown": shown,
            # The period's part of the address, kept by the page's links and downloads.
            "period_query": urlencode({name: request.GET[name] for name in PERIOD_FIELDS
                                       if request.GET.get(name)}),
        }
        if period.is_valid():
            s = settlement(interface=interface, start=period.first_day, end=period.last_day)
            context.update(settlement=s, chart=settlement_chart(s), due_days=due_days(s),
                           totals=_totals(s.total))
        if shown is not None:
            never = shown.counts.get("missing_here") and shown.differences.filter(
                reason="never_received").count()
            if never:
                context.update(never_received=never, relist=relist or RelistForm(
                    initial={"since": relist_default(shown)}))
            kind = request.GET.get("kind", "")
            context.update(kinds=kinds_of(shown), kind=kind,
                           differences=difference_lines(shown, kind=kind,
                                                        page=request.GET.get("page", 1)))
        return TemplateResponse(request, "cockpit/finance.html", context, status=status)

    # The reconcile buttons --------------------------------------------------------------

    def finance_reconcile_view(self, request, object_id):
        """Reconcile with Ticketnet's web services: queue the job, land on its run."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        interface = self._finance_interface(request, object_id)
        period = PeriodForm(request.POST, interface=interface)
        if not period.is_valid():
            return self.finance_view(request, object_id, period=period, status=400)
        return self._finance_queue(request, interface, period.job_params())[1]

    def finance_statement_view(self, request, object_id):
        """Reconcile with a sales statement: keep the file under STATEMENT_DIR, queue the job
        with its path and its name, land on its run."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        interface = self._finance_interface(request, object_id)
        period = PeriodForm(request.POST, interface=interface)
        statement = StatementForm(request.POST, request.FILES)
        if not (period.is_valid() and statement.is_valid()):
            return self.finance_view(request, object_id, period=period, statement=statement,
                                     status=400)
        path = statement_save(interface=interface,
                              upload=statement.cleaned_data["statement"])
        params = {**period.job_params(), "statement": str(path),
                  "statement_name": statement.statement_name()}
        queued, response = self._finance_queue(request, interface, params)
        if not queued:
            path.unlink(missing_ok=True)  # no job will read it
        return response

    def finance_relist_view(self, request, object_id):
        """A ticket Ticketnet's journal never sent: list the journal again from a date (the
        sales integration with `since`; what was integrated is skipped), land on its run."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        interface = self._finance_interface(request, object_id)
        relist = RelistForm(request.POST)
        if not relist.is_valid():
            return self.finance_view(request, object_id, relist=relist, status=400)
        return self._finance_queue(request, interface, relist.job_params(),
                                   job=Job.SALES_INTEGRATION)[1]

    def _finance_queue(self, request, interface, params: dict, *,
                       job: str = Job.RECONCILIATION) -> tuple[bool, HttpResponse]:
        """(queued, where to go): the run's page, or back to this page saying why not."""
        try:
            with transaction.atomic():
                task_id = job_queue(interface_id=interface.pk, job=job,
                                    trigger=Run.Trigger.MANUAL, params=params,
                                    user=request.user)
        except JobQueueUnavailable:
            self.message_user(request, QUEUE_UNAVAILABLE, messages.ERROR)
            return False, HttpResponseRedirect(_url("reconciliation", interface.pk))
        return True, HttpResponseRedirect(follow_url(interface_id=interface.pk, task_id=task_id,
                                                     job=job))

    # The downloads ----------------------------------------------------------------------

    def finance_settlement_view(self, request, object_id, extension):
        interface = self._finance_interface(request, object_id)
        if extension not in ("csv", "xlsx"):
            return HttpResponse(status=404)
        period = PeriodForm(request.GET, interface=interface)
        if not period.is_valid():
            return self.finance_view(request, object_id, period=period, status=400)
        s = settlement(interface=interface, start=period.first_day, end=period.last_day)
        name = file_name(interface, "settlement", period.first_day, period.last_day, extension)
        if extension == "csv":
            return _download(csv_write(settlement_table(s), bom=True), CSV, name)
        return _download(xlsx_write(settlement_table(s), title=_("Settlement")[:31]), XLSX,
                         name)

    def finance_differences_view(self, request, object_id, reconciliation_id):
        interface = self._finance_interface(request, object_id)
        reconciliation = get_object_or_404(Reconciliation, interface=interface,
                                           pk=reconciliation_id)
        name = file_name(interface, f"differences-{reconciliation.pk}",
                         reconciliation.period_start, reconciliation.period_end, "csv")
        return _download(csv_write(differences_table(reconciliation), bom=True), CSV, name)


def _download(content, content_type: str, name: str) -> HttpResponse:
    return HttpResponse(content, content_type=content_type,
                        headers={"Content-Disposition": content_disposition_header(True, name)})


def _totals(total) -> dict:
    return {"sold": total.sold, "refunded": total.refunded, "duplicated": total.duplicated,
            "sales": money(total.sales_cents), "our_sales": money(total.our_sales_cents),
            "refunds": money(total.refunds_cents), "our_refunds": money(total.our_refunds_cents),
            "due": money(total.due_cents), "our_due": money(total.our_due_cents),
            "differs": total.due_cents != total.our_due_cents}
