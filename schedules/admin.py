"""The app's admin: runs (`admin_runs`), the "retry" action on parked lines, and on the external
sales interface's page its job buttons (each lands on its run), schedules and exports;
django-celery-beat's own admin for superusers only."""

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from audit.models import AuditEntry
from audit.services import audit_record
from channels.models import ExternalSalesInterface
from channels.tenancy import scope_queryset
from mappings.admin_utils import interface_links
from sales.admin_utils import ParkedOperationAdmin
from sales.models import ParkedOperation

from .admin_exports import CatalogExportAdminMixin
from .admin_interface_trial import InterfaceTrialAdminMixin
from .admin_runs import RunAdmin
from .admin_schedules import InterfaceSchedulesAdminMixin
from .admin_utils import follow_url
from .framework import registry
from .framework.errors import JobQueueUnavailable, UnknownJob
from .framework.queue import QUEUE_UNAVAILABLE, job_queue
from .jobs.channel_rules import channel_refusal
from .jobs.not_known import exported_events
from .jobs.schedules import schedules_ensure
from .models import Job, Run

# Seconds a queued job may wait for a worker before its page asks whether one is running.
WORKER_HINT_AFTER_SECONDS = 15


admin.site.register(Run, RunAdmin)


# sales.admin registered the plain one (sales comes before schedules in INSTALLED_APPS).
admin.site.unregister(ParkedOperation)


class RunLinesFilter(admin.SimpleListFilter):
    """`?run=<id>`: the lines a retry run was given (its parameters list their ids), so the
    run's page links to them instead of printing thousands of ids."""

    title = _("retried by run")
    parameter_name = "run"

    def lookups(self, request, model_admin):
        value = self.value()
        return [(value, _("Run #%(n)s") % {"n": value})] if value and value.isdigit() else []

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        # The run is looked up within the user's institutions, as its lines are.
        run = scope_queryset(Run.objects.all(), request.user).filter(
            pk=int(value) if value.isdigit() else 0).values_list("params", flat=True).first()
        ids = (run or {}).get("parked_operation_ids") or []
        return queryset.filter(pk__in=[i for i in ids if isinstance(i, int)])


@admin.register(ParkedOperation)
class ParkedOperationRetryAdmin(ParkedOperationAdmin):
    """Parked lines, with the action that queues a sales integration of the chosen lines.

    The sales integration job reads `params["parked_operation_ids"]` on a RETRY run."""

    actions = ["retry_action"]
    list_filter = [*ParkedOperationAdmin.list_filter, RunLinesFilter]

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
        interfaces = ExternalSalesInterface.objects.in_bulk(
            {interface_id for interface_id, _job in by_job})
        queued = []
        for (interface_id, job), ids in by_job.items():
            try:
                task_id = job_queue(interface_id=interface_id, job=job, user=request.user,
                                    trigger=Run.Trigger.RETRY,
                                    params={"parked_operation_ids": ids})
            except JobQueueUnavailable:
                self.message_user(request, QUEUE_UNAVAILABLE, messages.ERROR)
                return None
            queued.append((interface_id, job, task_id))
            # Not in the queuing's transaction: recorded once the broker took the job.
            interface = interfaces[interface_id]
            audit_record(institution_id=interface.institution_id, actor=request.user,
                         action=AuditEntry.Action.RETRY,
                         target=f"{interface.internal_name}: {len(ids)} × {Job(job).label}",
                         params={"interface_id": interface_id, "job": job, "lines": len(ids),
                                 "parked_operation_ids": ids, "task_id": task_id})
        n = sum(len(ids) for ids in by_job.values())
        self.message_user(request, ngettext(
            "%(n)d line queued for a new attempt.", "%(n)d lines queued for a new attempt.", n)
            % {"n": n})
        if len(queued) == 1:
            # One run: land on it, as "Run now" does.
            interface_id, job, task_id = queued[0]
            return redirect(follow_url(interface_id=interface_id, task_id=task_id, job=job))
        return None


class InterfaceJobsMixin:
    """Added to the interface admin: schedules created on save, and job buttons that land on
    the job's run (through the page that waits for a worker to start it)."""

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
        urls.append(path("<path:object_id>/follow/<uuid:task_id>/",
                         self.admin_site.admin_view(self.follow_run_view),
                         name=f"{info[0]}_{info[1]}_follow_run"))
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
                    task_id = job_queue(interface_id=obj.pk, job=job,
                                        trigger=Run.Trigger.MANUAL, user=request.user)
            except UnknownJob:
                self.message_user(request, _("This job is not available in this version."),
                                  messages.WARNING)
                return redirect(change_url)
            except JobQueueUnavailable:
                self.message_user(request, QUEUE_UNAVAILABLE, messages.ERROR)
                return redirect(change_url)
            return redirect(follow_url(interface_id=obj.pk, task_id=task_id, job=job))

        return view

    def follow_run_view(self, request, object_id, task_id):
        """Wait for the run of the Celery task `task_id`, then show it. The run is made by the
        worker that takes the task (the runner, with its lock), so until then there is no run
        to show: this page says so and polls."""
        obj = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not self.has_view_permission(request, obj):
            return redirect("admin:index")
        run_id = (Run.objects.filter(interface=obj, celery_task_id=str(task_id))
                  .order_by("-started_at", "-pk").values_list("pk", flat=True).first())
        run_url = reverse("admin:schedules_run_change", args=[run_id]) if run_id else ""
        if request.GET.get("format") == "json":
            return JsonResponse({"run_url": run_url})
        if run_url:
            return redirect(run_url)
        job = request.GET.get("job", "")
        opts = self.model._meta
        return TemplateResponse(request, "schedules/admin/run_follow.html", {
            **self.admin_site.each_context(request), "opts": opts, "original": obj,
            "interface": obj, "title": _("Waiting for a worker"),
            "change_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_change",
                                  args=[obj.pk]),
            "job_label": Job(job).label if job in Job.values else "",
            "follow_json_url": request.path + "?format=json",
            "hint_after_ms": WORKER_HINT_AFTER_SECONDS * 1000,
            "runs_url": reverse("admin:schedules_run_changelist")
            + f"?interface__id__exact={obj.pk}",
        })

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
            context.update(self.schedules_context(request, obj))
        return super().render_change_form(request, context, *args, **kwargs)


class SuperuserOnlyAdmin:
    """django-celery-beat's admin edits any institution's schedules: superusers only.
    Operators edit their interfaces' schedules on the interface's page."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    has_add_permission = has_change_permission = has_delete_permission = has_view_permission


def install_interface_admin(site=admin.site):
    """Replace the registered interface admin by a subclass with the jobs mixins, and
    django-celery-beat's admins by superuser-only ones."""
    for model, model_admin in list(site._registry.items()):
        if model._meta.app_label == "django_celery_beat" and not isinstance(
            model_admin, SuperuserOnlyAdmin
        ):
            site.unregister(model)
            site.register(model, type(f"SuperuserOnly{type(model_admin).__name__}",
                                      (SuperuserOnlyAdmin, type(model_admin)), {}))
    base = site._registry.get(ExternalSalesInterface)
    if base is None or isinstance(base, InterfaceJobsMixin):
        return
    site.unregister(ExternalSalesInterface)
    site.register(ExternalSalesInterface,
                  type("ExternalSalesInterfaceJobsAdmin",
                       (CatalogExportAdminMixin, InterfaceTrialAdminMixin,
                        InterfaceSchedulesAdminMixin, InterfaceJobsMixin, type(base)), {}))


install_interface_admin()
