"""The finance page's forms: the period (and performance) it shows and reconciles, and the sales
statement an operator uploads; every refusal said at its field."""

from __future__ import annotations

import datetime as dt
import unicodedata

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Performance
from channels.models import ExternalSalesInterface
from mappings.selectors import interface_events

# The longest period one page sums and one reconciliation compares: a year, leap day included.
MAX_PERIOD_DAYS = 366


class DateInput(forms.DateInput):
    input_type = "date"  # the browser's date picker, which posts ISO dates

    def __init__(self):
        super().__init__(format="%Y-%m-%d")


class PerformanceChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.event.name} – {timezone.localtime(obj.start):%Y-%m-%d %H:%M}"


class PeriodForm(forms.Form):
    """From and to (inclusive), by default the current month up to today; a performance
    optionally, which the reconciliation then compares whole instead of the period."""

    start = forms.DateField(
        label=_("From"), widget=DateInput(),
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD."),
                        "required": _("Enter the period's first day.")})
    end = forms.DateField(
        label=_("To"), widget=DateInput(),
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD."),
                        "required": _("Enter the period's last day.")})
    performance = PerformanceChoice(
        queryset=Performance.objects.none(), required=False, label=_("Performance"),
        empty_label=_("Every performance of the period"),
        help_text=_("Reconcile every ticket of one performance instead of the period. The "
                    "settlement is always the period's: Ticketnet pays by period."),
        error_messages={"invalid_choice": _("Choose one of the performances in the list.")})

    def __init__(self, data=None, *, interface: ExternalSalesInterface, **kwargs):
        if data is not None and not any(data.get(name) for name in ("start", "end")):
            data = {**self.defaults(), **{k: v for k, v in data.items() if v}}
        super().__init__(data if data is not None else self.defaults(), **kwargs)
        self.fields["performance"].queryset = (
            Performance.objects.filter(event__in=interface_events(interface=interface))
            .select_related("event").order_by("-start"))

    @staticmethod
    def defaults() -> dict[str, str]:
        today = timezone.localdate()
        return {"start": today.replace(day=1).isoformat(), "end": today.isoformat()}

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                self.add_error("end", _("The period ends before it starts: pick a day on or "
                                        "after %(start)s.") % {"start": start.isoformat()})
            elif (end - start).days + 1 > MAX_PERIOD_DAYS:
                self.add_error("end", _("The period is longer than %(days)d days: pick a "
                                        "shorter one.") % {"days": MAX_PERIOD_DAYS})
        return data

    @property
    def first_day(self) -> dt.date:
        return self.cleaned_data["start"]

    @property
    def last_day(self) -> dt.date:
        return self.cleaned_data["end"]

    def job_params(self) -> dict:
        """What the reconciliation job compares: the performance, or the period."""
        performance = self.cleaned_data.get("performance")
        if performance is not None:
            return {"performance": performance.pk}
        return {"from": self.first_day.isoformat(), "to": self.last_day.isoformat()}


class StatementForm(forms.Form):
    statement = forms.FileField(
        label=_("Sales statement"),
        help_text=_("The fixed-width file Ticketnet sent (its amounts as the interface's "
                    "setting says)."),
        error_messages={"required": _("Choose the statement file to upload."),
                        "empty": _("The file is empty: ask Ticketnet for it again.")})

    def clean_statement(self):
        upload = self.cleaned_data["statement"]
        limit = settings.STATEMENT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)s: a statement is refused above %(limit)s."),
                code="too_large",
                params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)})
        return upload

    def statement_name(self) -> str:
        """The file's name as the operator's computer gave it, to show, never a path: control
        and formatting characters dropped, 255 characters at most."""
        name = self.cleaned_data["statement"].name or ""
        shown = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip()
        return shown[:255] or "statement"


def relist_default(reconciliation) -> dt.date:
    """Where to list Ticketnet's journal again from: the compared period's first day, or a
    week back for a performance."""
    return reconciliation.period_start or timezone.localdate() - dt.timedelta(days=7)


class RelistForm(forms.Form):
    """The date Ticketnet's journal is listed again from, for a line it never sent."""

    since = forms.DateField(
        label=_("From"), widget=DateInput(),
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD."),
                        "required": _("Enter the day to list Ticketnet's operations from.")})

    def clean_since(self):
        since = self.cleaned_data["since"]
        if since > timezone.localdate():
            raise forms.ValidationError(_("Enter a day that is not in the future."))
        return since

    def job_params(self) -> dict:
        start = dt.datetime.combine(self.cleaned_data["since"], dt.time(),
                                    timezone.get_current_timezone())
        return {"since": start.isoformat()}
