import pytest
from django.urls import reverse

from catalog.models import Event
from mappings.admin import grid_field_name
from mappings.models import Correspondence, Kind
from mappings.selectors import correspondence_rows
from tests import factories as f
from tests.mappings.factories import CorrespondenceFactory, build_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def interface():
    return f.InterfaceFactory()


@pytest.fixture
def admin_client_of(client, interface):
    client.force_login(f.staff_user(interface.institution))
    return client


def _post_data(rows, **overrides):
    data = {grid_field_name(*row.key): row.code for row in rows}
    data.update(overrides)
    return data


def test_fill_in_suggestions_then_save_all(admin_client_of, interface):
    build_event(interface=interface)
    build_event(interface=interface, kind=Event.Kind.COMPETITION, performances=2)
    url = reverse("admin:mappings_correspondence_grid", args=[interface.pk])
    rows = correspondence_rows(interface=interface)
    filled = admin_client_of.post(url, {**_post_data(rows), "fill": "1"})
    assert filled.status_code == 200
    values = {line.name: line.value for line in filled.context["table"]}
    assert all(values.values())
    assert Correspondence.objects.count() == 0  # filling does not save
    saved = admin_client_of.post(url, {**values, "save": "1"})
    assert saved.status_code == 302
    assert Correspondence.objects.filter(interface=interface).count() == len(rows)


def test_fill_respects_codes_typed_but_not_saved(admin_client_of, interface):
    build_event(interface=interface, tariffs=2)
    rows = correspondence_rows(interface=interface)
    tariffs = [r for r in rows if r.kind == Kind.TARIFF]
    url = reverse("admin:mappings_correspondence_grid", args=[interface.pk])
    response = admin_client_of.post(url, {**_post_data(rows, **{
        grid_field_name(*tariffs[0].key): "1"}), "fill": "1"})
    values = {line.name: line.value for line in response.context["table"]}
    assert values[grid_field_name(*tariffs[1].key)] == "2"


def test_save_is_all_or_nothing_with_each_rows_messages(admin_client_of, interface):
    build_event(interface=interface, zones=2)
    rows = correspondence_rows(interface=interface)
    zones = [r for r in rows if r.kind == Kind.ZONE]
    url = reverse("admin:mappings_correspondence_grid", args=[interface.pk])
    data = {grid_field_name(*r.key): r.suggestion for r in rows}
    data[grid_field_name(*zones[0].key)] = "0101"
    data[grid_field_name(*zones[1].key)] = "7"
    cat = next(r for r in rows if r.kind == Kind.CATEGORY)
    data[grid_field_name(*cat.key)] = "abc"
    response = admin_client_of.post(url, {**data, "save": "1"})
    assert response.status_code == 200
    assert Correspondence.objects.count() == 0
    errors = {line.row.key: line.errors for line in response.context["table"]}
    assert "enter 101" in " ".join(errors[zones[0].key])
    assert errors[zones[1].key] == []
    assert errors[cat.key]
    # The typed values are kept for correction.
    values = {line.row.key: line.value for line in response.context["table"]}
    assert values[zones[0].key] == "0101"


def test_duplicate_codes_in_the_grid_flag_both_rows(admin_client_of, interface):
    build_event(interface=interface, zones=2)
    rows = correspondence_rows(interface=interface)
    zones = [r for r in rows if r.kind == Kind.ZONE]
    url = reverse("admin:mappings_correspondence_grid", args=[interface.pk])
    data = {grid_field_name(*zones[0].key): "5", grid_field_name(*zones[1].key): "5"}
    response = admin_client_of.post(url, {**data, "save": "1"})
    errors = {line.row.key: line.errors for line in response.context["table"]}
    assert errors[zones[0].key] and errors[zones[1].key]


def test_grid_queries_are_bounded(admin_client_of, interface, django_assert_max_num_queries):
    url = reverse("admin:mappings_correspondence_grid", args=[interface.pk])
    build_event(interface=interface, performances=1, zones=1)
    with django_assert_max_num_queries(30) as small:
        admin_client_of.get(url)
    build_event(interface=interface, kind=Event.Kind.COMPETITION, performances=19, zones=15,
                tariffs=5)
    build_event(interface=interface, performances=3, zones=8)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = admin_client_of.get(url)
    assert len(response.context["table"]) > 50


def test_another_institutions_grid_is_unreachable(admin_client_of):
    foreign = f.InterfaceFactory()
    for name in ("grid", "export", "readiness"):
        url = reverse(f"admin:mappings_correspondence_{name}", args=[foreign.pk])
        assert admin_client_of.get(url).status_code == 404


def test_changelist_is_scoped_and_bounded(admin_client_of, interface,
                                          django_assert_max_num_queries):
    foreign = CorrespondenceFactory(code="424242")
    for _ in range(3):
        CorrespondenceFactory(interface=interface)
    url = reverse("admin:mappings_correspondence_changelist")
    with django_assert_max_num_queries(14) as small:
        page = admin_client_of.get(url).content.decode()
    assert "424242" not in page and foreign.interface.internal_name not in page
    for _ in range(20):
        CorrespondenceFactory(interface=interface)
    with django_assert_max_num_queries(len(small.captured_queries)):
        admin_client_of.get(url)


def test_readiness_view(admin_client_of, interface):
    event = build_event(interface=interface)
    url = reverse("admin:mappings_correspondence_readiness", args=[interface.pk])
    page = admin_client_of.get(url + f"?event={event.pk}").content.decode()
    assert "Enter the Ticketnet code of the event" in page
    assert admin_client_of.get(url + f"?event={f.EventFactory().pk}").status_code == 404


def test_csv_export_from_the_admin(admin_client_of, interface):
    build_event(interface=interface)
    url = reverse("admin:mappings_correspondence_export", args=[interface.pk])
    response = admin_client_of.get(url)
    lines = response.content.decode().removeprefix("\ufeff").splitlines()
    assert lines[0] == "kind;id;object;context;code;suggestion"
    assert len(lines) == len(correspondence_rows(interface=interface)) + 1
