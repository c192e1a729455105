"""The runs in the admin: a list that fits a laptop's screen and refreshes its running rows, a
run page that reads (labelled counts, duration, parameters in short, the interface test as a
checklist, a live progress bar), the small JSON both poll, and "Run again"."""

from django.contrib import admin, messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from channels.models import ExternalSalesInterface
from channels.tenancy import InstitutionScopedAdmin, scope_queryset

from .admin_utils import follow_url
from .counts import counts_rows
from .framework.context import message_shown
from .framework.errors import JobQueueUnavailable, UnknownJob
from .framework.queue import QUEUE_UNAVAILABLE, run_again
from .models import Run
from .run_display import (
    duration,
    elapsed_text,
    email_said,
    params_summary,
    progress_of,
    run_live,
    summary_text,
)
from .trial_checklist import trial_checklist

LIVE_MAX_RUNS = 100  # rows one poll of the list may ask about
LIVE_FIELDS = ("pk", "job", "status", "started_at", "finished_at", "counts", "progress_done",
               "progress_total", "progress_updated_at")


class InterfaceFilter(admin.SimpleListFilter):
    """The user's interfaces, read from the interfaces (not from the runs: no scan of the
    runs to build the choices)."""

    title = _("interface")
    parameter_name = "interface__id__exact"

    def lookups(self, request, model_admin):
        interfaces = scope_queryset(ExternalSalesInterface.objects.all(), request.user)
        return [(str(pk), name) for pk, name in
                interfaces.order_by("internal_name").values_list("pk", "internal_name")]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(interface_id=int(value))
        return queryset


class RunAdmin(InstitutionScopedAdmin):
    list_display = ["run_number", "interface", "job_and_trigger", "status_badge", "started",
                    "run_duration", "progress", "summary"]
    list_display_links = ["run_number"]
    list_filter = [InterfaceFilter, "job", "status", "trigger", "started_at"]
    list_select_related = ["interface"]
    date_hierarchy = "started_at"
    actions = ["run_again_action"]
    show_full_result_count = False
    list_per_page = 50

    class Media:
        css = {"all": ["schedules/runs.css"]}
        js = ["schedules/runs.js"]

    def get_queryset(self, request):
        # A list row needs neither the messages nor the parameters (thousands of ids for a
        # retry): the run's page and JSON read them (`defer(None)`).
        return super().get_queryset(request).defer("params", "messages")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # A run is the record of what was sent to and taken from Ticketnet: operators never
        # delete it (superusers may clean up).
        return request.user.is_superuser

    # The list's columns -----------------------------------------------------------------

    @admin.display(description="#", ordering="pk")
    def run_number(self, obj):
        return f"#{obj.pk}"

    @admin.display(description=_("job"), ordering="job")
    def job_and_trigger(self, obj):
        # The trigger under the job: one column less, the list fits a laptop's screen.
        return format_html('{}<br><span class="run-trigger">{}</span>', obj.get_job_display(),
                           obj.get_trigger_display())

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, obj):
        return format_html('<span class="run-status run-{}" data-run="{}" data-run-field="status"'
                           ' data-status="{}">{}</span>', obj.status, obj.pk, obj.status,
                           obj.get_status_display())

    @admin.display(description=_("started"), ordering="started_at")
    def started(self, obj):
        local = timezone.localtime(obj.started_at)
        return format_html('<time datetime="{}" title="{}">{}<br>{}</time>', local.isoformat(),
                           formats.date_format(local, "DATETIME_FORMAT"),
                           formats.date_format(local, "SHORT_DATE_FORMAT"),
                           formats.time_format(local, "TIME_FORMAT"))

    @admin.display(description=_("duration"))
    def run_duration(self, obj):
        return format_html('<span data-run="{}" data-run-field="duration">{}</span>', obj.pk,
                           elapsed_text(obj))

    @admin.display(description=_("progress"))
    def progress(self, obj):
        return render_to_string("schedules/admin/run_progress_cell.html",
                                {"run": obj, "progress": progress_of(obj)})

    @admin.display(description=_("summary"))
    def summary(self, obj):
        return format_html('<span class="run-summary" data-run="{}" data-run-field="summary">'
                           '{}</span>', obj.pk, summary_text(obj) or "—")

    # URLs -------------------------------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("live/", view(self.live_list_view), name="schedules_run_live_list"),
            path("<int:object_id>/live/", view(self.live_view), name="schedules_run_live"),
            path("<int:object_id>/parameters/", view(self.parameters_view),
                 name="schedules_run_parameters"),
            path("<int:object_id>/run-again/", view(self.run_again_view),
                 name="schedules_run_run_again"),
        ] + super().get_urls()

    def _find(self, request, object_id) -> Run | None:
        if not str(object_id).isdigit():
            return None
        run = self.get_queryset(request).defer(None).select_related(
            "interface__institution").filter(pk=object_id).first()
        return run if run is not None and self.has_view_permission(request, run) else None

    def _run(self, request, object_id) -> Run:
        run = self._find(request, object_id)
        if run is None:
            raise Http404
        return run

    def live_view(self, request, object_id):
        return JsonResponse(run_live(self._run(request, object_id)))

    def live_list_view(self, request):
        """The figures of the runs a list page shows as running (`?id=1&id=2…`)."""
        if not self.has_view_permission(request):
            raise Http404
        ids = [int(i) for i in request.GET.getlist("id") if i.isdigit()][:LIVE_MAX_RUNS]
        runs = self.get_queryset(request).filter(pk__in=ids).only(*LIVE_FIELDS)
        now = timezone.now()
        return JsonResponse({"runs": [run_live(run, now=now) for run in runs]})

    def parameters_view(self, request, object_id):
        run = self._run(request, object_id)
        return JsonResponse(run.params or {}, json_dumps_params={"ensure_ascii": False,
                                                                 "indent": 1})

    def run_again_view(self, request, object_id):
        run = self._run(request, object_id)
        if request.method != "POST":
            return redirect("admin:schedules_run_change", run.pk)
        try:
            task_id = run_again(run=run, user=request.user)
        except UnknownJob:
            self.message_user(request, _("The job “%(job)s” is not available in this version.")
                              % {"job": run.job}, messages.WARNING)
            return redirect("admin:schedules_run_change", run.pk)
        except JobQueueUnavailable:
            self.message_user(request, QUEUE_UNAVAILABLE, messages.ERROR)
            return redirect("admin:schedules_run_change", run.pk)
        return redirect(follow_url(interface_id=run.interface_id, task_id=task_id, job=run.job))

    # The run's page ---------------------------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        run = self._find(request, object_id)
        if run is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts, "original": run, "run": run, "media": self.media,
            "title": str(run), "subtitle": run.interface.internal_name,
            "progress": progress_of(run), "duration": duration(run),
            "parameters": params_summary(run), "counts": counts_rows(run.counts),
            "checklist": trial_checklist(run), "email": email_said(run),
            "run_messages": [message_shown(m) for m in run.messages or []],
            "interface_url": reverse("admin:channels_externalsalesinterface_change",
                                     args=[run.interface_id]),
            "runs_url": reverse("admin:schedules_run_changelist")
            + f"?interface__id__exact={run.interface_id}",
            **(extra_context or {}),
        }
        return TemplateResponse(request, "schedules/admin/run_detail.html", context)

    # Actions ---------------------------------------------------------------------------------

    @admin.action(description=_("Run again"), permissions=["view"])
    def run_again_action(self, request, queryset):
        queued = []
        for run in queryset:
            try:
                queued.append((run, run_again(run=run, user=request.user)))
            except UnknownJob:
                self.message_user(
                    request, _("The job “%(job)s” is not available in this version.")
                    % {"job": run.job}, messages.WARNING)
            except JobQueueUnavailable:
                self.message_user(request, QUEUE_UNAVAILABLE, messages.ERROR)
                break
        if len(queued) == 1:
            # One run: land on it, as the run page's button does.
            run, task_id = queued[0]
            return redirect(follow_url(interface_id=run.interface_id, task_id=task_id,
                                       job=run.job))
        if queued:
            self.message_user(request, ngettext(
                "%(n)d run queued: refresh the list to follow it.",
                "%(n)d runs queued: refresh the list to follow them.", len(queued))
                % {"n": len(queued)})
        return None
