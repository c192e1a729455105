"""The interface's schedules on its admin page: operators see their interface's schedules (timing,
state, next run, last result), change one, add one of any job (periodic or once) or remove one
they added; django-celery-beat's own admin stays for superusers."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_celery_beat.models import PeriodicTask

from .operator_schedules import (
    interface_schedule,
    interface_schedules,
    schedule_add,
    schedule_change,
    schedule_delete,
)
from .schedule_forms import ScheduleAddForm, ScheduleChangeForm


class InterfaceSchedulesAdminMixin:
    """Added to the interface admin (see `admin.install_interface_admin`)."""

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/schedules/add/", view(self.schedule_add_view),
                 name="{}_{}_schedule_add".format(*info)),
            path("<path:object_id>/schedules/<int:task_id>/", view(self.schedule_change_view),
                 name="{}_{}_schedule_change".format(*info)),
            path("<path:object_id>/schedules/<int:task_id>/delete/",
                 view(self.schedule_delete_view), name="{}_{}_schedule_delete".format(*info)),
        ] + super().get_urls()

    def _url(self, name: str, *args) -> str:
        info = self.model._meta.app_label, self.model._meta.model_name
        return reverse("admin:{}_{}_{}".format(*info, name), args=args)

    def _schedules_interface(self, request, object_id, *, change: bool):
        obj = get_object_or_404(self.get_queryset(request), pk=object_id)
        allowed = (self.has_change_permission(request, obj) if change
                   else self.has_view_permission(request, obj))
        if not allowed:
            raise Http404
        return obj

    def _schedule(self, interface, task_id):
        try:
            return interface_schedule(interface=interface, task_id=task_id)
        except PeriodicTask.DoesNotExist:
            raise Http404 from None

    def _schedules_page(self, request, interface, title, **context):
        back = self._url("change", interface.pk) + "#interface-schedules"
        return TemplateResponse(request, "schedules/admin/schedule_form.html", {
            **self.admin_site.each_context(request), "opts": self.model._meta,
            "original": interface, "interface": interface, "title": title,
            "change_url": self._url("change", interface.pk), "back_url": back, **context,
        })

    def schedule_add_view(self, request, object_id):
        interface = self._schedules_interface(request, object_id, change=True)
        form = ScheduleAddForm(request.POST or None, interface=interface,
                               initial={"job": request.GET.get("job")})
        if request.method == "POST" and form.is_valid():
            task = schedule_add(interface=interface, job=form.cleaned_data["job"],
                                params=form.params(), user=request.user, **form.timing())
            self.message_user(request, _("Schedule “%(name)s” added.")
                              % {"name": task.description}, messages.SUCCESS)
            self._warn_plan(request, interface, form)
            return redirect(self._url("change", interface.pk) + "#interface-schedules")
        return self._schedules_page(request, interface, _("Add a schedule"), form=form)

    def _warn_plan(self, request, interface, form):
        """A one-off catalogue export is checked again when it runs; say now what it would
        refuse, while there is time to fix it."""
        plan = form.plan
        if plan is None or not plan.problems:
            return
        event = form.cleaned_data["event"]
        n = len(plan.problems)
        self.message_user(request, format_html(
            "{} <a href=\"{}\">{}</a>",
            ngettext("“%(event)s” has %(n)d problem today: fix it before the export runs, or "
                     "nothing will be sent.",
                     "“%(event)s” has %(n)d problems today: fix them before the export runs, "
                     "or nothing will be sent.", n) % {"event": event, "n": n},
            self._url("catalog_export", interface.pk) + f"?event={event.pk}",
            _("See the preview")), messages.WARNING)

    def schedule_change_view(self, request, object_id, task_id):
        interface = self._schedules_interface(request, object_id, change=True)
        item = self._schedule(interface, task_id)
        task = item.task
        initial = {"enabled": task.enabled,
                   "run_at": timezone.localtime(item.run_at) if item.run_at else None}
        if task.interval_id:
            initial.update(every=task.interval.every, period=task.interval.period,
                           start_time=task.start_time and timezone.localtime(task.start_time))
        form = ScheduleChangeForm(request.POST or None, initial=initial, one_off=item.one_off)
        if request.method == "POST" and form.is_valid():
            schedule_change(interface=interface, task=task, user=request.user,
                            **form.timing())
            self.message_user(request, _("Schedule “%(name)s” saved.")
                              % {"name": task.description}, messages.SUCCESS)
            return redirect(self._url("change", interface.pk) + "#interface-schedules")
        return self._schedules_page(
            request, interface, _("Schedule: %(job)s") % {"job": item.label}, form=form,
            item=item, delete_url="" if item.guide else self._url(
                "schedule_delete", interface.pk, task.pk))

    def schedule_delete_view(self, request, object_id, task_id):
        interface = self._schedules_interface(request, object_id, change=True)
        item = self._schedule(interface, task_id)
        if item.guide:
            # Saving the interface would make it again: the guide's schedules are disabled.
            self.message_user(request, _("The guide's schedules are not removed: disable it "
                                         "instead."), messages.ERROR)
            return redirect(self._url("schedule_change", interface.pk, task_id))
        if request.method == "POST":
            schedule_delete(interface=interface, task=item.task, user=request.user)
            self.message_user(request, _("Schedule “%(name)s” removed.")
                              % {"name": item.task.description}, messages.SUCCESS)
            return redirect(self._url("change", interface.pk) + "#interface-schedules")
        return self._schedules_page(
            request, interface, _("Remove the schedule “%(job)s”?") % {"job": item.label},
            item=item, confirm_delete=True)

    def schedules_context(self, request, interface) -> dict:
        """What the interface's page shows of its schedules."""
        items = interface_schedules(interface=interface)
        can_edit = self.has_change_permission(request, interface)
        for item in items:
            item.url = self._url("schedule_change", interface.pk, item.task.pk) if can_edit else ""
        return {"schedules": items, "schedules_now": timezone.now(),
                "schedule_add_url": self._url("schedule_add", interface.pk) if can_edit else ""}
