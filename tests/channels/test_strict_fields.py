"""Strict fields: what Ticketnet reads as an integer is ASCII digits within its length (no `-1`,
no 30-digit number, no Arabic-Indic `٥٠٥`), names and texts refuse control and bidirectional
characters; refused by the model, so by the admin's forms, the API and the CSV import, with the
message at the field in English and French."""

import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from catalog.models import Event
from channels.forms import ExternalSalesInterfaceForm
from channels.validators import (
    validate_multiline_text,
    validate_plain_text,
    validate_ticketnet_integer,
)
from mappings.models import Correspondence
from mappings.services import correspondences_import_csv
from tests import factories as f

DB = settings(max_examples=20, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
REFUSED = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
# Digits str.isdigit() takes that are not ASCII: Arabic-Indic, Devanagari, fullwidth, superscripts.
FOREIGN_DIGITS = st.characters(categories=["Nd", "No"]).filter(lambda c: not c.isascii())
NOT_AN_INTEGER = st.one_of(
    st.text(min_size=1).filter(lambda t: not (t.isascii() and t.isdigit())),
    st.from_regex(r"[0-9]{10,40}", fullmatch=True),
    st.builds(lambda a, c, b: a + c + b, st.from_regex(r"[0-9]{0,3}", fullmatch=True),
              FOREIGN_DIGITS, st.from_regex(r"[0-9]{0,3}", fullmatch=True)),
)
DISGUISING = st.characters(categories=sorted(REFUSED - {"Cs"}))
FRENCH = st.text(st.characters(categories=["L", "N", "Zs", "P", "Sc", "Sm"]), max_size=60)


def _plain(text: str) -> bool:
    try:
        validate_plain_text(text)
    except ValidationError:
        return False
    return True


def with_one(strategy, inserted):
    return st.builds(lambda text, char, at: text[:at] + char + text[at:], strategy, inserted,
                     st.integers(0, 60))


# The validators, on their own ---------------------------------------------------------------

@given(st.from_regex(r"[0-9]{1,9}", fullmatch=True))
def test_ascii_integers_of_up_to_nine_digits_are_taken(value):
    validate_ticketnet_integer(value)


@pytest.mark.parametrize("value", ["-1", "+505", " 505", "5 05", "505.0", "٥٠٥", "５０５", "²",
                                   "1" * 30, "1234567890", ""])
def test_the_issue_s_institution_codes_are_refused(value):
    with pytest.raises(ValidationError):
        validate_ticketnet_integer(value)


@given(NOT_AN_INTEGER)
def test_anything_else_is_refused_as_an_integer(value):
    with pytest.raises(ValidationError):
        validate_ticketnet_integer(value)


@given(FRENCH)
def test_french_names_are_taken(value):
    validate_plain_text(value)
    validate_multiline_text(value)


@given(with_one(FRENCH, DISGUISING))
def test_a_control_or_format_character_anywhere_is_refused(value):
    with pytest.raises(ValidationError) as refused:
        validate_plain_text(value)
    bad = next(c for c in value if unicodedata.category(c) in REFUSED)
    assert f"U+{ord(bad):04X}" in refused.value.messages[0]


def test_multi_line_texts_keep_newlines_and_tabs_only():
    validate_multiline_text("Bonjour,\n\tà bientôt\r\n")
    with pytest.raises(ValidationError):
        validate_plain_text("Bonjour,\nà bientôt")
    for char in ("\u202e", "\u2066", "\u200b", "\u00ad", "\x1b", "\u2028"):
        with pytest.raises(ValidationError):
            validate_multiline_text(f"Bonjour{char}")


# The forms, the API and the import ----------------------------------------------------------

@pytest.fixture
def interface():
    return f.InterfaceFactory()


@pytest.fixture
def tariff(interface):
    return f.TariffFactory(institution=interface.institution)


def interface_data(interface, **changes):
    data = {field: getattr(interface, f"{field}_id", None) or getattr(interface, field)
            for field in ("institution", "interface_type", "channel", "internal_name", "url",
                          "login", "contact", "point_of_sale", "external_quota", "price_policy",
                          "statement_amounts",
                          "status", "followup_emails", "client_name", "institution_code",
                          "server_name")}
    return {**data, "pending_account": "True", "password": "", **changes}


@pytest.mark.django_db
@DB
@given(code=NOT_AN_INTEGER.filter(lambda t: t.strip() and "\x00" not in t))
def test_the_interface_form_refuses_an_institution_code_that_is_not_an_integer(interface, code):
    form = ExternalSalesInterfaceForm(interface_data(interface, institution_code=code),
                                      instance=interface)
    assert not form.is_valid()
    assert "institution_code" in form.errors


@pytest.mark.django_db
@DB
@given(name=with_one(FRENCH.filter(str.strip), DISGUISING.filter(lambda c: c != "\x00")))
def test_the_interface_form_refuses_disguised_names(interface, name):
    form = ExternalSalesInterfaceForm(interface_data(interface, client_name=name),
                                      instance=interface)
    if name.strip() != name and _plain(name.strip()):
        # Django's form strips the ends ("\x1f0" → "0"): the disguise is dropped, not stored.
        assert form.is_valid() and form.cleaned_data["client_name"] == name.strip()
        return
    assert not form.is_valid() and "client_name" in form.errors


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "expected"), [
    ("en", "“٥٠٥” is not a whole number"), ("fr", "« ٥٠٥ » n’est pas un nombre entier")])
def test_the_message_is_at_the_field_in_the_reader_s_language(interface, language, expected):
    with translation.override(language):
        form = ExternalSalesInterfaceForm(interface_data(interface, institution_code="٥٠٥"),
                                          instance=interface)
        assert not form.is_valid()
        assert expected in form.errors["institution_code"][0]
        form = ExternalSalesInterfaceForm(
            interface_data(interface, internal_name="FR \u202eTicketnet"), instance=interface)
        assert not form.is_valid() and "U+202E" in form.errors["internal_name"][0]


@pytest.mark.django_db
def test_a_catalogue_name_with_a_bidirectional_override_is_refused():
    event = f.EventFactory(name="Concert")
    event.name = "Concert \u202egpj.exe"
    with pytest.raises(ValidationError) as refused:
        event.full_clean()
    assert set(refused.value.message_dict) == {"name"}
    assert Event.objects.get(pk=event.pk).name == "Concert"


@pytest.mark.django_db
@DB
@given(code=NOT_AN_INTEGER.filter(lambda t: "|" not in t and "_" not in t))
def test_the_api_refuses_a_code_that_is_not_an_integer(interface, tariff, code):
    api = APIClient()
    api.force_authenticate(f.staff_user(interface.institution))
    response = api.post("/api/correspondences/", {
        "interface": interface.pk, "kind": "tariff", "object_id": tariff.pk, "code": code,
    }, format="json")
    assert response.status_code == 400 and "code" in response.data
    assert not Correspondence.objects.exists()


@pytest.mark.django_db
@DB
@given(code=NOT_AN_INTEGER.filter(
    lambda t: t.strip() and not set(t) & set("|_;,\"\r\n\x00") and t.strip() == t))
def test_the_csv_import_refuses_a_code_that_is_not_an_integer(interface, tariff, code):
    result = correspondences_import_csv(interface=interface,
                                        text=f"kind;id;code\ntariff;{tariff.pk};{code}\n")
    assert result.status == "ERROR" and result.messages[0].startswith("Line 2:")
    assert not Correspondence.objects.exists()
