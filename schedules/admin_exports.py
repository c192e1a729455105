"""The catalogue export screens of the interface admin: the list of the interface's events with
their export state, the dry-run preview of one event (what would be sent, every problem), and
the one-shot confirmation that queues the export."""

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from catalog.models import Event
from mappings.selectors import interface_events

from .admin_utils import follow_url
from .framework.errors import JobQueueUnavailable
from .framework.queue import QUEUE_UNAVAILABLE, job_queue
from .jobs.catalog_plan import catalog_plan
from .jobs.channel_rules import channel_refusal
from .models import ExportedManifestation, Job, Run


class CatalogExportAdminMixin:
    """Added to the interface admin (see `admin.install_interface_admin`)."""

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        urls = [
            path("<path:object_id>/catalog-export/",
                 self.admin_site.admin_view(self.catalog_export_view),
                 name=f"{info[0]}_{info[1]}_catalog_export"),
            path("<path:object_id>/catalog-export/<int:event_id>/confirm/",
                 self.admin_site.admin_view(self.catalog_export_confirm_view),
                 name=f"{info[0]}_{info[1]}_catalog_export_confirm"),
        ]
        return urls + super().get_urls()

    def _interface(self, request, object_id):
        obj = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not self.has_view_permission(request, obj):
            raise Http404
        return obj

    @staticmethod
    def _event(interface, event_id) -> Event:
        try:
            return get_object_or_404(Event, pk=int(event_id),
                                     institution_id=interface.institution_id)
        except (TypeError, ValueError):
            raise Http404 from None

    def _context(self, request, interface, **extra):
        opts = self.model._meta
        return {
            **self.admin_site.each_context(request),
            "opts": opts,
            "original": interface,
            "interface": interface,
            "change_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_change",
                                  args=[interface.pk]),
            "export_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_catalog_export",
                                  args=[interface.pk]),
            **extra,
        }

    def catalog_export_view(self, request, object_id):
        interface = self._interface(request, object_id)
        events = list(interface_events(interface=interface))
        exported = dict(
            ExportedManifestation.objects.filter(interface=interface)
            .values_list("event_id", "exported_at").order_by("exported_at"))
        refusal = channel_refusal(interface=interface, job=Job.CATALOG_EXPORT)
        plan = event = None
        if request.GET.get("event") and refusal is None:
            event = self._event(interface, request.GET["event"])
            plan = catalog_plan(interface=interface, event=event)
        opts = self.model._meta
        context = self._context(
            request, interface,
            title=_("Catalogue export — %(interface)s") % {"interface": interface},
            events=[{"event": e, "exported_at": exported.get(e.pk)} for e in events],
            event=event,
            plan=plan,
            preview=plan.as_dict() if plan else None,
            refusal=refusal,
            can_export=bool(plan and plan.can_export
                            and self.has_change_permission(request, interface)),
            confirm_url=reverse(
                f"admin:{opts.app_label}_{opts.model_name}_catalog_export_confirm",
                args=[interface.pk, event.pk]) if event else "",
        )
        return TemplateResponse(request, "schedules/admin/catalog_export.html", context)

    def catalog_export_confirm_view(self, request, object_id, event_id):
        interface = self._interface(request, object_id)
        event = self._event(interface, event_id)
        preview_url = (reverse(f"admin:{self.model._meta.app_label}_"
                               f"{self.model._meta.model_name}_catalog_export",
                               args=[interface.pk]) + f"?event={event.pk}")
        if not self.has_change_permission(request, interface):
            raise Http404
        refusal = channel_refusal(interface=interface, job=Job.CATALOG_EXPORT)
        if refusal is not None:
            self.message_user(request, " ".join(refusal), messages.ERROR)
            return redirect(preview_url)
        plan = catalog_plan(interface=interface, event=event)
        if not plan.can_export:
            self.message_user(request, _(
                "“%(event)s” cannot be exported: see the problems, or it was already exported "
                "(an export is never sent twice; call Ticketnet to change it).")
                % {"event": event}, messages.ERROR)
            return redirect(preview_url)
        if request.method == "POST":
            try:
                with transaction.atomic():
                    task_id = job_queue(interface_id=interface.pk, job=Job.CATALOG_EXPORT,
                                        trigger=Run.Trigger.MANUAL,
                                        params={"event_id": event.pk}, user=request.user)
            except JobQueueUnavailable:
                self.message_user(request, QUEUE_UNAVAILABLE, messages.ERROR)
                return redirect(preview_url)
            self.message_user(request, _(
                "The catalogue export of “%(event)s” is queued. Once it has run, call Ticketnet "
                "to confirm the product was created on their side.") % {"event": event})
            return redirect(follow_url(interface_id=interface.pk, task_id=task_id,
                                       job=Job.CATALOG_EXPORT))
        context = self._context(
            request, interface,
            title=_("Export “%(event)s” to Ticketnet?") % {"event": event},
            event=event, plan=plan, preview_url=preview_url,
        )
        return TemplateResponse(request, "schedules/admin/catalog_export_confirm.html", context)
