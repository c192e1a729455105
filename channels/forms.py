"""Admin forms of the sales set-up: the interface form keeps the Ticketnet password write-only."""

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .models import ExternalSalesInterface

# The guide's interface screen, section by section; the admin shows each as a fieldset.
IDENTITY_FIELDS = ("institution", "interface_type", "channel", "internal_name")
WEB_SERVICE_FIELDS = ("url", "login")
SALES_FIELDS = ("contact", "pending_account", "point_of_sale", "external_quota", "price_policy",
                "statement_amounts", "status", "followup_emails")
ACCOUNT_FIELDS = ("client_name", "institution_code", "server_name")
FLAT_FILE_FIELDS = ("flat_files_undated_passes", "flat_files_visit_passes", "flat_file_folder")
# Also said by the guided set-up (channels/setup.py).
PASSWORD_REQUIRED = _("Enter the password Ticketnet gave you for this login.")


def _yes(value) -> bool:
    return value in (True, "True", "true", "1", "on")


def email_list_normalised(value: str) -> str:
    """Follow-up emails as typed, spaces around the separators tolerated, stored normalised."""
    parts = [p.strip() for p in value.split(";")]
    return ";".join(p for p in parts if p) if ";" in value else value.strip()


def pending_account_field() -> forms.TypedChoiceField:
    """The guide shows the pending account as a yes/no choice."""
    return forms.TypedChoiceField(
        label=capfirst(_("pending account")),
        choices=[(True, _("yes")), (False, _("no"))],
        coerce=_yes,
        widget=forms.RadioSelect(attrs={"class": "radiolist inline"}),
        initial=True,
        help_text=_("Ticketnet sales are paid on the pending account: must be on."),
    )


class ExternalSalesInterfaceForm(forms.ModelForm):
    """The guide's interface screen.

    The password is never rendered back: left blank it keeps the stored one, a new value is
    encrypted with FIELD_ENCRYPTION_KEYS before it reaches the database.
    """

    password = forms.CharField(
        label=capfirst(_("password")),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Given by Ticketnet. Leave blank to keep the stored password."),
    )
    pending_account = pending_account_field()

    class Meta:
        model = ExternalSalesInterface
        fields = [*IDENTITY_FIELDS, *WEB_SERVICE_FIELDS, *SALES_FIELDS, *ACCOUNT_FIELDS,
                  *FLAT_FILE_FIELDS]

    def clean_password(self):
        password = self.cleaned_data.get("password", "")
        if not password and not (self.instance.pk and self.instance.has_password):
            raise forms.ValidationError(PASSWORD_REQUIRED, code="required")
        return password

    def clean_followup_emails(self):
        return email_list_normalised(self.cleaned_data.get("followup_emails", ""))

    def save(self, commit=True):
        password = self.cleaned_data.get("password")
        if password:
            self.instance.set_password(password)
        return super().save(commit=commit)
