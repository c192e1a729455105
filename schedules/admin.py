"""Admin of runs (filter, progress, counts, messages, "run again"), the "retry" action on
parked lines, and the job buttons and schedules of the external sales interface."""

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from channels.models import ExternalSalesInterface
from channels.tenancy import InstitutionScopedAdmin
from mappings.admin_utils import interface_links
from sales.admin_utils import ParkedOperationAdmin
from sales.models import ParkedOperation

from .admin_exports import CatalogExportAdminMixin
from .admin_interface_trial import InterfaceTrialAdminMixin
from .framework import registry
from .framework.errors import UnknownJob
from .framework.queue import job_queue, run_again
from .jobs.channel_rules import channel_refusal
from .jobs.not_known import exported_events
from .jobs.schedules import schedules_ensure
from .models import Job, Run


@admin.register(Run)
class RunAdmin(InstitutionScopedAdmin):
    list_display = ["__str__", "interface", "job", "trigger", "status_badge", "started_at",
                    "finished_at", "progress", "counts_summary"]
    list_filter = [("interface", admin.RelatedOnlyFieldListFilter), "job", "status", "trigger",
                   "started_at"]
    list_select_related = ["interface"]
    date_hierarchy = "started_at"
    actions = ["run_again_action"]
    show_full_result_count = False
    change_form_template = "schedules/admin/run_change_form.html"
    fields = ["interface", "job", "trigger", "status_badge", "params", "started_at",
              "finished_at", "progress", "counts_table", "messages_list", "attempt",
              "celery_task_id"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, obj):
        colours = {Run.Status.OK: "#1a7f37", Run.Status.WARNING: "#9a6700",
                   Run.Status.ERROR: "#cf222e", Run.Status.SKIPPED: "#6e7781",
                   Run.Status.RUNNING: "#0969da"}
        return format_html('<strong style="color:{}">{}</strong>',
                           colours.get(obj.status, "inherit"), obj.get_status_display())

    @admin.display(description=_("progress"))
    def progress(self, obj):
        if obj.progress_total:
            return f"{obj.progress_done} / {obj.progress_total} ({obj.progress_percent} %)"
        return str(obj.progress_done) if obj.progress_done else "—"

    @admin.display(description=_("counts"))
    def counts_summary(self, obj):
        return ", ".join(f"{k} {v}" for k, v in sorted((obj.counts or {}).items()) if v) or "—"

    @admin.display(description=_("counts"))
    def counts_table(self, obj):
        rows = sorted((obj.counts or {}).items())
        if not rows:
            return "—"
        return format_html("<table>{}</table>", format_html_join(
            "", "<tr><th>{}</th><td>{}</td></tr>", rows))

    @admin.display(description=_("messages"))
    def messages_list(self, obj):
        items = obj.messages or []
        if not items:
            return "—"
        return format_html("<ul>{}</ul>", format_html_join(
            "", "<li><strong>{}</strong> {}<br><em>{}</em></li>",
            ((m.get("level", "").upper(), m.get("text", ""), m.get("action", ""))
             for m in items)))

    @admin.action(description=_("Run again"), permissions=["view"])
    def run_again_action(self, request, queryset):
        queued = 0
        for run in queryset:
            try:
                run_again(run=run)
            except UnknownJob:
                self.message_user(
                    request, _("The job “%(job)s” is not available in this version.")
                    % {"job": run.job}, messages.WARNING)
            else:
                queued += 1
        if queued:
            self.message_user(request, ngettext(
                "%(n)d run queued: refresh the list to follow it.",
                "%(n)d runs queued: refresh the list to follow them.", queued) % {"n": queued})


# sales.admin registered the plain one (sales comes before schedules in INSTALLED_APPS).
admin.site.unregister(ParkedOperation)


@admin.register(ParkedOperation)
class ParkedOperationRetryAdmin(ParkedOperationAdmin):
    """Parked lines, with the action that queues a sales integration of the chosen lines.

    The sales integration job reads `params["parked_operation_ids"]` on a RETRY run."""

    actions = ["retry_action"]

    @admin.action(description=_("Retry the selected lines"), permissions=["view"])
    def retry_action(self, request, queryset):
        # Lines of flat files (passes) are retried by the flat-file import, the others by the
        # sales integration: each job resolves its own kind of line.
        by_job: dict[tuple[int, str], list[int]] = {}
        unresolved = queryset.filter(resolved_at__isnull=True)
        web_service = Q(line__product_code="")
        for job, lines in ((Job.SALES_INTEGRATION, unresolved.filter(web_service)),
                           (Job.FLAT_FILE_IMPORT, unresolved.exclude(web_service))):
            for pk, interface_id in lines.values_list("pk", "interface_id"):
                by_job.setdefault((interface_id, job), []).append(pk)
        missing = {job for _interface, job in by_job if not registry.is_registered(job)}
        if missing:
            self.message_user(request, _("The sales integration is not available in this "
                                         "version: the lines stay parked."), messages.WARNING)
            return
        for (interface_id, job), ids in by_job.items():
            job_queue(interface_id=interface_id, job=job,
                      trigger=Run.Trigger.RETRY, params={"parked_operation_ids": ids})
        n = sum(len(ids) for ids in by_job.values())
        self.message_user(request, ngettext(
            "%(n)d line queued for a new attempt.", "%(n)d lines queued for a new attempt.", n)
            % {"n": n})


class InterfaceJobsMixin:
    """Added to the interface admin: schedules created on save, and job buttons."""

    change_form_template = "schedules/admin/interface_change_form.html"
    job_buttons = [
        ("run-sales-integration", Job.SALES_INTEGRATION, _("Run the sales integration now")),
        ("run-interface-test", Job.INTERFACE_TEST, _("Run the interface test")),
        ("run-allotment-export", Job.ALLOTMENT_EXPORT, _("Export the allotments now")),
        ("run-quota-sync", Job.QUOTA_SYNC, _("Synchronise the quotas now")),
    ]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        created = schedules_ensure(interface=obj)
        if created:
            self.message_user(request, ngettext(
                "%(n)d schedule created: %(names)s.", "%(n)d schedules created: %(names)s.",
                len(created)) % {"n": len(created), "names": ", ".join(t.name for t in created)})

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        urls = [
            path(f"<path:object_id>/{slug}/", self.admin_site.admin_view(
                self._job_view(job)), name=f"{info[0]}_{info[1]}_{slug.replace('-', '_')}")
            for slug, job, _label in self.job_buttons
        ]
        return urls + super().get_urls()

    def _job_view(self, job):
        def view(request, object_id):
            obj = get_object_or_404(self.get_queryset(request), pk=object_id)
            change_url = reverse(
                f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
            if request.method != "POST" or not self.has_view_permission(request, obj):
                return redirect(change_url)
            refusal = channel_refusal(interface=obj, job=job)
            if refusal is not None:
                self.message_user(request, " ".join(refusal), messages.ERROR)
                return redirect(change_url)
            try:
                with transaction.atomic():
                    job_queue(interface_id=obj.pk, job=job, trigger=Run.Trigger.MANUAL)
            except UnknownJob:
                self.message_user(request, _("This job is not available in this version."),
                                  messages.WARNING)
            else:
                self.message_user(request, format_html(
                    _("“{job}” queued. Follow it in the <a href=\"{url}\">runs</a>."),
                    job=Job(job).label,
                    url=reverse("admin:schedules_run_changelist")
                    + f"?interface__id__exact={obj.pk}&job__exact={job}"))
            return redirect(change_url)

        return view

    def render_change_form(self, request, context, *args, **kwargs):
        obj = kwargs.get("obj") or context.get("original")
        if obj is not None and obj.pk:
            info = obj._meta.app_label, obj._meta.model_name
            context["catalog_export_url"] = reverse(
                f"admin:{info[0]}_{info[1]}_catalog_export", args=[obj.pk])
            context["correspondence_links"] = interface_links(obj)
            context["exported_events"] = exported_events(interface=obj)
            context["job_buttons"] = [
                {"url": reverse(f"admin:{info[0]}_{info[1]}_{slug.replace('-', '_')}",
                                args=[obj.pk]),
                 "label": label, "available": registry.is_registered(job),
                 "refusal": " ".join(channel_refusal(interface=obj, job=job) or ())}
                for slug, job, label in self.job_buttons
            ]
        return super().render_change_form(request, context, *args, **kwargs)


def install_interface_admin(site=admin.site):
    """Replace the registered interface admin by a subclass with the jobs mixin."""
    base = site._registry.get(ExternalSalesInterface)
    if base is None or isinstance(base, InterfaceJobsMixin):
        return
    site.unregister(ExternalSalesInterface)
    site.register(ExternalSalesInterface,
                  type("ExternalSalesInterfaceJobsAdmin",
                       (CatalogExportAdminMixin, InterfaceTrialAdminMixin, InterfaceJobsMixin,
                        type(base)), {}))


install_interface_admin()
