"""One Ticketnet instance cannot produce flat files for both undated passes and visit passes:
an interface takes flat files for one of them, refused at validation with the guide's reason."""

import pytest

from channels.models import ExternalSalesInterface, SalesChannel
from schedules.jobs.schedules import schedule_name, schedules_ensure
from schedules.models import Job
from tests import factories as f

from .conftest import interface_post
from .test_interface_admin import ADD, field_errors

BOTH = {
    "flat_files_undated_passes": "on",
    "flat_files_visit_passes": "on",
    "flat_file_folder": "/srv/ticketnet/505/in",
}


@pytest.mark.parametrize(
    ("client_name", "expected"),
    [
        ("admin_en", "cannot produce flat files for both undated passes and visit passes"),
        ("admin_fr", "ne peut pas produire à la fois des fichiers plats pour pass non datés"),
    ],
)
def test_both_kinds_of_flat_files_are_refused_at_both_fields(
    request, setup, client_name, expected
):
    client = request.getfixturevalue(client_name)
    response = client.post(ADD, interface_post(setup, **BOTH))
    for field in ("flat_files_undated_passes", "flat_files_visit_passes"):
        assert any(expected in e for e in field_errors(response, field))
    assert not ExternalSalesInterface.objects.exists()


def test_one_kind_with_its_folder_is_accepted(admin_en, setup):
    data = interface_post(setup, flat_files_undated_passes="on",
                          flat_file_folder="/srv/ticketnet/505/in")
    assert admin_en.post(ADD, data).status_code == 302
    assert ExternalSalesInterface.objects.get().takes_flat_files


@pytest.mark.parametrize(
    ("fields", "field", "expected"),
    [
        ({"flat_files_visit_passes": "on"}, "flat_file_folder", "Enter the folder"),
        ({"flat_files_visit_passes": "on", "flat_file_folder": "in"}, "flat_file_folder",
         "absolute path"),
    ],
)
def test_the_drop_folder_is_required_and_absolute(admin_en, setup, fields, field, expected):
    response = admin_en.post(ADD, interface_post(setup, **fields))
    assert any(expected in e for e in field_errors(response, field))


def test_a_flat_file_channel_needs_to_know_what_its_files_are(admin_en, setup):
    setup["channel"].kind = SalesChannel.Kind.FLAT_FILE
    setup["channel"].save()
    response = admin_en.post(ADD, interface_post(setup))
    assert any("flat-file channel" in e for e in field_errors(response, "flat_files_undated_passes"))


@pytest.mark.django_db
def test_an_interface_taking_flat_files_gets_the_import_schedule_once():
    interface = f.InterfaceFactory(
        channel__kind=SalesChannel.Kind.FLAT_FILE, flat_files_undated_passes=True,
        flat_file_folder="/srv/in",
    )
    created = schedules_ensure(interface=interface)
    assert [t.name for t in created] == [
        schedule_name(interface_id=interface.pk, job=Job.FLAT_FILE_IMPORT)
    ]
    assert schedules_ensure(interface=interface) == []
