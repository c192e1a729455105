"""The interface test from the interface's admin page: the "Run the interface test" button opens
a form to pick the event, then queues the test and lands on its run."""

from django import forms
from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from catalog.models import Event
from mappings.selectors import interface_events

from .admin_utils import follow_url
from .framework.errors import JobQueueUnavailable
from .framework.queue import QUEUE_UNAVAILABLE, job_queue
from .models import Job, Run


class InterfaceTrialForm(forms.Form):
    event = forms.ModelChoiceField(
        queryset=Event.objects.none(), label=_("Event"),
        help_text=_("An event sold through the interface's channel, with seats in the "
                    "Ticketnet quota. Its catalogue is exported once and for ever."),
        error_messages={"invalid_choice": _("Choose one of the events in the list.")},
    )

    def __init__(self, *args, interface, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event"].queryset = interface_events(interface=interface)


class InterfaceTrialAdminMixin:
    """Before InterfaceJobsMixin: its "run-interface-test" button lands on this form."""

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        return [
            path("<path:object_id>/run-interface-test/",
                 self.admin_site.admin_view(self.interface_test_view),
                 name=f"{info[0]}_{info[1]}_run_interface_test"),
        ] + super().get_urls()

    def interface_test_view(self, request, object_id):
        obj = get_object_or_404(self.get_queryset(request), pk=object_id)
        opts = self.model._meta
        change_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        if not self.has_view_permission(request, obj):
            return redirect(change_url)
        if request.method == "POST" and "event" in request.POST:
            form = InterfaceTrialForm(request.POST, interface=obj)
            if form.is_valid():
                event = form.cleaned_data["event"]
                try:
                    with transaction.atomic():
                        task_id = job_queue(interface_id=obj.pk, job=Job.INTERFACE_TEST,
                                            trigger=Run.Trigger.MANUAL,
                                            params={"event": event.code},
                                            user=request.user)
                except JobQueueUnavailable:
                    self.message_user(request, QUEUE_UNAVAILABLE, messages.ERROR)
                    return redirect(change_url)
                self.message_user(request, _("Interface test with “%(event)s” queued.")
                                  % {"event": event}, messages.SUCCESS)
                return redirect(follow_url(interface_id=obj.pk, task_id=task_id,
                                           job=Job.INTERFACE_TEST))
        else:
            form = InterfaceTrialForm(interface=obj)
        context = {
            **self.admin_site.each_context(request),
            "opts": opts, "original": obj, "form": form, "change_url": change_url,
            "title": _("Interface test of “%(interface)s”") % {"interface": obj},
        }
        return TemplateResponse(request, "schedules/admin/interface_test.html", context)
