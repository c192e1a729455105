"""The forms of an interface's schedules: add one of any job, periodic or once at a date and time,
and change a schedule's timing; every refusal at its field, in the reader's language."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_celery_beat.models import IntervalSchedule

from catalog.models import Event
from channels.models import ExternalSalesInterface
from mappings.selectors import interface_events

from .framework import registry
from .framework.models import Job
from .jobs.catalog_plan import CatalogPlan, catalog_plan
from .jobs.channel_rules import channel_refusal, takes_web_services
from .operator_schedules import SCHEDULABLE_JOBS

PERIODIC, ONCE = "periodic", "once"
MIN_INTERVAL = dt.timedelta(minutes=5)
LOCAL_INPUT = "%Y-%m-%dT%H:%M"
PERIOD_CHOICES = [(IntervalSchedule.MINUTES, _("minutes")), (IntervalSchedule.HOURS, _("hours")),
                  (IntervalSchedule.DAYS, _("days"))]


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=LOCAL_INPUT, **kwargs)


def local_datetime_field(label, help_text="", required=False) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label, required=required, widget=LocalDateTimeInput(),
        input_formats=[LOCAL_INPUT, "%Y-%m-%d %H:%M"],
        help_text=help_text or _("Local time (%(zone)s).") % {"zone": settings.TIME_ZONE})


class TimingForm(forms.Form):
    """When a schedule runs: every N minutes, hours or days (from an optional first time), or
    once at a date and time."""

    when = forms.ChoiceField(label=_("When"), widget=forms.RadioSelect, initial=PERIODIC,
                             choices=[(PERIODIC, _("Periodically")),
                                      (ONCE, _("Once, at a date and time"))])
    every = forms.IntegerField(label=_("Every"), min_value=1, max_value=10_000, required=False,
                               initial=4)
    period = forms.ChoiceField(label=_("Unit"), choices=PERIOD_CHOICES, initial="hours",
                               required=False)
    start_time = local_datetime_field(_("Not before"), _(
        "Optional: the first run is not before this time (local time, %(zone)s).")
        % {"zone": settings.TIME_ZONE})
    run_at = local_datetime_field(_("Run at"))
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)

    def kind(self) -> str | None:
        return self.cleaned_data.get("when")

    def clean(self):
        data = super().clean()
        if self.kind() == ONCE:
            run_at = data.get("run_at")
            if run_at is None and "run_at" not in self.errors:
                self.add_error("run_at", _("Enter the date and time of the run."))
            elif run_at is not None and run_at <= timezone.now():
                self.add_error("run_at", _("Choose a time in the future."))
        elif self.kind() == PERIODIC:
            every, period = data.get("every"), data.get("period")
            if every is None and "every" not in self.errors:
                self.add_error("every", _("Enter how often the job runs."))
            elif every is not None and period and (
                dt.timedelta(**{period: every}) < MIN_INTERVAL
            ):
                self.add_error("every", _("At least 5 minutes between two runs."))
        return data

    def timing(self) -> dict:
        """The keyword arguments of `schedule_add` / `schedule_change`."""
        data = self.cleaned_data
        if self.kind() == ONCE:
            return {"run_at": data["run_at"], "enabled": data["enabled"]}
        return {"every": data["every"], "period": data["period"],
                "start_time": data.get("start_time"), "enabled": data["enabled"]}


class ScheduleAddForm(TimingForm):
    job = forms.ChoiceField(label=_("Job"), choices=[(j, Job(j).label) for j in SCHEDULABLE_JOBS])
    event = forms.ModelChoiceField(
        queryset=Event.objects.none(), label=_("Event"), required=False,
        help_text=_("The catalogue export sends one event (required); the allotment export may "
                    "be limited to one (optional)."),
        error_messages={"invalid_choice": _("Choose one of the events in the list.")})
    field_order = ["job", "event", "when", "run_at", "every", "period", "start_time", "enabled"]

    def __init__(self, *args, interface: ExternalSalesInterface, **kwargs):
        super().__init__(*args, **kwargs)
        self.interface = interface
        self.fields["event"].queryset = interface_events(interface=interface)
        self.plan: CatalogPlan | None = None

    def clean_job(self):
        job = self.cleaned_data["job"]
        refusal = channel_refusal(interface=self.interface, job=job)
        if refusal is not None:
            raise forms.ValidationError(" ".join(refusal))
        if job == Job.SALES_INTEGRATION and not takes_web_services(interface=self.interface):
            raise forms.ValidationError(_("This interface takes its sales from Ticketnet's flat "
                                          "files: schedule the flat-file import instead."))
        if job == Job.FLAT_FILE_IMPORT and not self.interface.takes_flat_files:
            raise forms.ValidationError(_("This interface takes no flat files: tick what "
                                          "Ticketnet sends flat files for on the interface "
                                          "first."))
        if not registry.is_registered(job):
            raise forms.ValidationError(_("This job is not available in this version."))
        return job

    def clean(self):
        data = super().clean()
        job, event = data.get("job"), data.get("event")
        if job == Job.CATALOG_EXPORT:
            if self.kind() == PERIODIC:
                self.add_error("when", _("A catalogue export is sent once and never again: "
                                         "schedule it once, at a date and time."))
            if event is None and "event" not in self.errors:
                self.add_error("event", _("Choose the event to export."))
            elif event is not None:
                self.plan = catalog_plan(interface=self.interface, event=event)
                if self.plan.manifestations and not self.plan.to_send:
                    self.add_error("event", _(
                        "“%(event)s” was already exported to Ticketnet: an export is never "
                        "sent twice.") % {"event": event})
        elif event is not None and job != Job.ALLOTMENT_EXPORT:
            self.add_error("event", _("Only the catalogue and allotment exports are about one "
                                      "event: leave it empty."))
        return data

    def params(self) -> dict:
        event = self.cleaned_data.get("event")
        return {"event_id": event.pk} if event is not None else {}


class ScheduleChangeForm(TimingForm):
    """The timing of an existing schedule; whether it runs once or periodically stays."""

    def __init__(self, *args, one_off: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fixed_when = ONCE if one_off else PERIODIC
        for name in ("when", *(("every", "period", "start_time") if one_off else ("run_at",))):
            del self.fields[name]

    def kind(self) -> str:
        return self.fixed_when
