"""Admin forms of the bulk operations: a block of seats, seats and places set aside in a quota."""

from django import forms
from django.utils.translation import gettext_lazy as _

from channels.models import ExternalQuota
from channels.rules import institution_id_of, same_institution
from channels.tenancy import scope_queryset

from .models import Event, Performance, SeatCategory, Zone


class SeatBlockForm(forms.Form):
    rows = forms.IntegerField(label=_("rows"), min_value=1, max_value=1000, initial=10)
    seats_per_row = forms.IntegerField(
        label=_("seats per row"), min_value=1, max_value=1000, initial=20
    )
    category = forms.ModelChoiceField(label=_("seat category"), queryset=SeatCategory.objects)
    first_row = forms.IntegerField(label=_("first row"), min_value=1, initial=1)
    first_number = forms.IntegerField(label=_("first seat number"), min_value=1, initial=1)

    def __init__(self, *args, zone: Zone, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = SeatCategory.objects.filter(
            institution_id=institution_id_of(zone)
        )


class QuotaAllocationForm(forms.Form):
    event = forms.ModelChoiceField(label=_("event"), queryset=Event.objects)
    performances = forms.ModelMultipleChoiceField(
        label=_("performances"), queryset=Performance.objects, required=False,
        help_text=_("Leave empty for every performance of the event."),
    )
    zones = forms.ModelMultipleChoiceField(
        label=_("zones"), queryset=Zone.objects, required=False,
        help_text=_("Leave empty for the whole logical configuration of each performance."),
    )
    quota = forms.ModelChoiceField(label=_("external quota"), queryset=ExternalQuota.objects)
    places = forms.IntegerField(
        label=_("places per non-numbered zone"), min_value=1, required=False,
        help_text=_("Leave empty to set aside all the free places."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event"].queryset = scope_queryset(Event.objects.all(), user)
        self.fields["performances"].queryset = scope_queryset(
            Performance.objects.select_related("event"), user
        )
        self.fields["zones"].queryset = scope_queryset(
            Zone.objects.select_related("configuration__hall"), user
        )
        self.fields["quota"].queryset = scope_queryset(ExternalQuota.objects.all(), user)

    def clean(self):
        data = super().clean()
        event, performances = data.get("event"), data.get("performances")
        if event and performances and any(p.event_id != event.pk for p in performances):
            self.add_error(
                "performances", _("Choose performances of the event “%(event)s” only.")
                % {"event": event}
            )
        quota = data.get("quota")
        if event and quota and not same_institution(event, quota):
            self.add_error("quota", _("Choose a quota of the event's institution."))
        return data
