"""The guided set-up's form, one section per object, pre-filled with the guide's "Exemple de
paramétrage correct"; the fields parse, channels/setup.py judges (at the fields, by the models)."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _

from .forms import (
    ACCOUNT_FIELDS,
    SALES_FIELDS,
    WEB_SERVICE_FIELDS,
    email_list_normalised,
    pending_account_field,
)
from .models import (
    Contact,
    ExternalQuota,
    ExternalSalesInterface,
    Institution,
    PointOfSale,
    SalesChannel,
)
from .setup import EXISTING, LINKS, NewObject

# The interface's own fields on the set-up, in the interface screen's groups (without what
# links to the objects of the other sections, nor the fields only the admin sets).
INTERFACE_GROUPS = (
    (None, ("internal_name",)),
    (_("Ticketnet web services"), (*WEB_SERVICE_FIELDS, "password")),
    (_("Sales"), tuple(f for f in SALES_FIELDS if f not in LINKS)),
    (_("Ticketnet account"), ACCOUNT_FIELDS),
)


class LinkedSelect(forms.Select):
    """A select whose options say their channel (`data-channel`), so the page can offer only
    those of the channel chosen above."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        channel_id = getattr(getattr(value, "instance", None), "channel_id", None)
        if channel_id is not None:
            option["attrs"]["data-channel"] = str(channel_id)
        return option


class SectionForm(forms.Form):
    """One object of the set-up: an existing one chosen, or the fields of a new one."""

    section = ""
    title = ""
    model: type[Model]
    new_fields: tuple[str, ...] = ()
    example: dict = {}
    placeholders: dict = {}
    create_label = ""
    follows_channel = False  # offers only the objects of the channel chosen above

    def __init__(self, data=None, *, institution: Institution):
        super().__init__(data, prefix=self.section, initial=self.example)
        existing = self.existing(institution)
        if existing is not None:
            self.fields[EXISTING] = forms.ModelChoiceField(
                queryset=existing, required=False, empty_label=self.create_label,
                label=_("Existing"), widget=LinkedSelect(attrs={"data-linked": "1"}
                                                         if self.follows_channel else {}),
            )
        self.required_fields = set()
        for name in self.new_fields:
            self.fields[name] = self.new_field(name)

    def new_field(self, name: str) -> forms.Field:
        model_field = self.model._meta.get_field(name)
        field = model_field.formfield()
        # The model judges (its validators, blank, clean()) in the set-up's service, at the
        # field; the form only parses.
        if field.required and not isinstance(field, forms.BooleanField):
            self.required_fields.add(name)
        field.required = False
        if name in self.placeholders:
            field.widget.attrs["placeholder"] = self.placeholders[name]
        return field

    def existing(self, institution: Institution) -> QuerySet | None:
        return None

    @property
    def chosen(self) -> Model | None:
        return self.cleaned_data.get(EXISTING)

    def value(self) -> Model | NewObject:
        return self.chosen or {name: self.cleaned_data[name] for name in self.new_fields}


class ChannelSection(SectionForm):
    section = "channel"
    model = SalesChannel
    title = _("Sales channel")
    create_label = _("— a new sales channel (below) —")
    new_fields = ("name", "kind", "accepts_third_party_tickets")
    example = {"name": "Ticketnet", "kind": SalesChannel.Kind.TICKETNET_AUTOMATIC,
               "accepts_third_party_tickets": True}

    def new_field(self, name):
        field = super().new_field(name)
        if name == "kind":
            # Flat files (undated passes) need the interface's drop folder: set up in the admin.
            field.choices = [c for c in field.choices if c[0] != SalesChannel.Kind.FLAT_FILE]
        return field

    def existing(self, institution):
        return SalesChannel.objects.filter(institution=institution).exclude(
            kind=SalesChannel.Kind.FLAT_FILE)


class PointOfSaleSection(SectionForm):
    section = "point_of_sale"
    model = PointOfSale
    title = _("Point of sale")
    create_label = _("— a new point of sale (below) —")
    new_fields = ("code", "name", "payment_mode")
    example = {"code": "TKN", "name": "Ticketnet",
               "payment_mode": PointOfSale.PaymentMode.PENDING_ACCOUNT}
    follows_channel = True

    def existing(self, institution):
        return PointOfSale.objects.filter(institution=institution).select_related("channel")


class ExternalQuotaSection(SectionForm):
    section = "external_quota"
    model = ExternalQuota
    title = _("External quota")
    create_label = _("— a new external quota (below) —")
    new_fields = ("name",)
    example = {"name": "Ticketnet"}
    follows_channel = True

    def existing(self, institution):
        return ExternalQuota.objects.filter(institution=institution).select_related("channel")


class ContactSection(SectionForm):
    section = "contact"
    model = Contact
    title = _("Technical contact")
    create_label = _("— a new contact (below) —")
    new_fields = ("name", "email", "pending_account_allowed")
    example = {"name": "TICKETNET", "pending_account_allowed": True}

    def existing(self, institution):
        # The guide: a contact for whom the pending account is allowed.
        return Contact.objects.filter(institution=institution, pending_account_allowed=True)


class InterfaceSection(SectionForm):
    section = "interface"
    model = ExternalSalesInterface
    title = _("External sales interface")
    new_fields = tuple(f for _group, fields in INTERFACE_GROUPS for f in fields
                       if f != "password")
    example = {"internal_name": "FR * Ticketnet", "pending_account": True,
               "price_policy": ExternalSalesInterface.PricePolicy.ERROR,
               "status": ExternalSalesInterface.Status.VISIBLE}
    # What Ticketnet gives: shown as examples, never pre-filled as if they were true.
    placeholders = {"url": "195.115.9.79:712", "login": "SBSSOMETHING", "client_name": "ELCA",
                    "institution_code": "505",
                    "followup_emails": _("operator@example.org; other@example.org")}

    def __init__(self, data=None, *, institution):
        super().__init__(data, institution=institution)
        self.fields["password"] = forms.CharField(
            label=_("Password"), required=False, strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
            help_text=_("Given by Ticketnet; stored encrypted, never shown again."))
        self.required_fields |= {"password", "followup_emails"}
        if data and data.get(self.add_prefix("password")):
            # Shown again only when something else was wrong.
            self.fields["password"].help_text = _(
                "Type it again: the page never sends a password back.")

    def new_field(self, name):
        if name == "pending_account":
            field = pending_account_field()
            self.required_fields.add(name)
            return field
        return super().new_field(name)

    def clean_followup_emails(self):
        return email_list_normalised(self.cleaned_data.get("followup_emails") or "")

    def groups(self):
        """(group, [bound fields]) in the interface screen's order."""
        return [(group, [self[name] for name in fields]) for group, fields in INTERFACE_GROUPS]


SECTION_FORMS = (ChannelSection, PointOfSaleSection, ExternalQuotaSection, ContactSection,
                 InterfaceSection)


def setup_forms(data=None, *, institution: Institution) -> dict[str, SectionForm]:
    return {form.section: form(data, institution=institution) for form in SECTION_FORMS}


def setup_values(forms_: dict[str, SectionForm]) -> dict:
    """The keyword arguments of setup_create from valid forms."""
    values = {section: form.value() for section, form in forms_.items()}
    values["password"] = forms_["interface"].cleaned_data["password"]
    return values


def setup_errors_show(forms_: dict[str, SectionForm], error: ValidationError) -> None:
    """Put the service's "<section>-<field>" errors at their fields."""
    for key, messages in error.message_dict.items():
        section, _sep, field = key.partition("-")
        form = forms_[section]
        form.add_error(field if field in form.fields else None, messages)
