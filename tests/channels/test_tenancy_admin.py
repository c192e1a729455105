"""A staff user who is not a superuser reaches only their institutions' objects."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from channels.models import ExternalSalesInterface, Institution
from tests import factories as f

from .conftest import client_for, interface_post

MODELS = ["institution", "saleschannel", "pointofsale", "externalquota", "contact",
          "externalsalesinterface"]


def _objects(interface):
    return {
        "institution": interface.institution,
        "saleschannel": interface.channel,
        "pointofsale": interface.point_of_sale,
        "externalquota": interface.external_quota,
        "contact": interface.contact,
        "externalsalesinterface": interface,
    }


@pytest.fixture
def mine(institution):
    return f.InterfaceFactory(institution=institution, internal_name="Mine * Ticketnet")


@pytest.fixture
def theirs(other_institution):
    return f.InterfaceFactory(institution=other_institution, internal_name="Theirs * Ticketnet")


@pytest.mark.parametrize("model", MODELS)
def test_lists_show_only_my_institution(operator_client, mine, theirs, model):
    response = operator_client.get(reverse(f"admin:channels_{model}_changelist"))
    assert response.status_code == 200
    shown = list(response.context["cl"].result_list)
    assert _objects(mine)[model] in shown
    assert _objects(theirs)[model] not in shown
    html = response.content.decode()
    assert "Théâtre" not in html  # not even in a filter


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("view", ["change", "history", "delete"])
def test_another_institutions_object_is_not_found_by_url(
    operator_client, mine, theirs, model, view
):
    url = reverse(f"admin:channels_{model}_{view}", args=[_objects(theirs)[model].pk])
    missing = reverse(f"admin:channels_{model}_{view}", args=[987654321])
    response = operator_client.get(url)
    # Exactly what a missing object gives: its existence does not leak.
    expected = 403 if (model, view) == ("institution", "delete") else 302
    assert response.status_code == operator_client.get(missing).status_code == expected
    if expected == 302:
        assert response.url == reverse("admin:index")
    response = operator_client.get(url, follow=True)
    assert "Theirs" not in response.content.decode()
    assert "Théâtre" not in response.content.decode()
    # And it cannot be changed by posting either.
    if model == "externalsalesinterface" and view == "change":
        before = ExternalSalesInterface.objects.values().get(pk=theirs.pk)
        operator_client.post(url, {"internal_name": "Hijacked"})
        assert ExternalSalesInterface.objects.values().get(pk=theirs.pk) == before


def test_related_choices_and_institution_are_limited_to_mine(operator_client, mine, theirs):
    response = operator_client.get(reverse("admin:channels_externalsalesinterface_add"))
    form = response.context["adminform"].form
    assert list(form.fields["institution"].queryset) == [mine.institution]
    assert form.initial["institution"] == mine.institution.pk
    for field in ["channel", "contact", "point_of_sale", "external_quota"]:
        choices = list(form.fields[field].queryset)
        assert getattr(mine, field) in choices
        assert getattr(theirs, field) not in choices


def test_posting_another_institutions_objects_is_refused(operator_client, setup, theirs):
    for field in ["institution", "channel", "contact", "point_of_sale", "external_quota"]:
        response = operator_client.post(
            reverse("admin:channels_externalsalesinterface_add"),
            interface_post(setup, **{field: getattr(theirs, field)}),
        )
        assert response.status_code == 200
        assert field in response.context["adminform"].form.errors, field
    assert not ExternalSalesInterface.objects.filter(institution=setup["institution"]).exists()


def test_operator_cannot_add_institutions_nor_change_members(operator_client, institution):
    assert operator_client.get(reverse("admin:channels_institution_add")).status_code == 403
    response = operator_client.get(
        reverse("admin:channels_institution_change", args=[institution.pk])
    )
    assert "members" not in response.context["adminform"].form.fields


def test_superuser_gives_a_user_their_institutions(admin_en, institution, other_institution):
    user = f.UserFactory(username="newcomer")
    url = reverse("admin:auth_user_change", args=[user.pk])
    page = admin_en.get(url)
    assert page.status_code == 200
    data = {
        "username": "newcomer", "is_active": "on", "is_staff": "on",
        "date_joined_0": "2026-01-01", "date_joined_1": "10:00:00",
        "Institution_members-TOTAL_FORMS": "2", "Institution_members-INITIAL_FORMS": "0",
        "Institution_members-MIN_NUM_FORMS": "0", "Institution_members-MAX_NUM_FORMS": "1000",
        "Institution_members-0-institution": institution.pk,
        "Institution_members-1-institution": other_institution.pk,
        "_save": "Save",
    }
    response = admin_en.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert set(user.institutions.all()) == {institution, other_institution}


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


@pytest.mark.parametrize("who", ["operator", "superuser"])
def test_changelists_have_a_bounded_number_of_queries(
    institution, operator, superuser, who, django_assert_max_num_queries
):
    client = client_for(operator if who == "operator" else superuser)
    urls = [reverse(f"admin:channels_{model}_changelist") for model in MODELS]
    f.InterfaceFactory.create_batch(2, institution=institution)
    few = [_queries(client, url) for url in urls]
    f.InterfaceFactory.create_batch(30, institution=institution)
    for _ in range(5):
        f.InterfaceFactory(institution=f.InstitutionFactory())
    many = []
    for url in urls:
        with django_assert_max_num_queries(12):
            many.append(_queries(client, url))
    assert many == few, list(zip(MODELS, few, many, strict=True))
    assert Institution.objects.count() == 6
