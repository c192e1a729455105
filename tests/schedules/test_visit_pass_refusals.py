"""Visit passes: no catalogue export, no allotments, no quota sync — the jobs, the commands,
the schedules and the admin buttons refuse with the guide's reason; sales still come back."""

import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from channels.models import SalesChannel
from schedules.framework.runner import job_run
from schedules.jobs.schedules import schedules_ensure
from schedules.models import Job, Run
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit_pass():
    return f.InterfaceFactory(
        channel__kind=SalesChannel.Kind.TICKETNET_VISIT_PASS, institution__language="en"
    )


@pytest.fixture
def staff(client, visit_pass):
    client.force_login(f.UserFactory(institutions=[visit_pass.institution], is_superuser=True))
    return client


@pytest.mark.parametrize("job", [Job.CATALOG_EXPORT, Job.ALLOTMENT_EXPORT, Job.QUOTA_SYNC])
def test_the_jobs_refuse_with_the_guides_reason(visit_pass, job):
    run = job_run(interface_id=visit_pass.pk, job=job, params={"event_id": 0})
    assert run.status == Run.Status.ERROR
    assert "visit passes" in run.messages[-1]["text"]
    assert "without any catalogue or quota synchronisation" in run.messages[-1]["text"]


def test_the_command_refuses_too(visit_pass):
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("sync_quotas", "--interface", visit_pass.internal_name, "--json",
                     stdout=out, stderr=io.StringIO())
    assert exit_.value.code == 1
    assert "visit passes" in json.loads(out.getvalue())["messages"][-1]["text"]


def test_only_the_sales_integration_and_its_reconciliation_are_scheduled(visit_pass):
    assert [t.name.rsplit(":", 1)[1] for t in schedules_ensure(interface=visit_pass)] == [
        Job.SALES_INTEGRATION, Job.RECONCILIATION
    ]


def test_the_admin_buttons_are_disabled_with_the_reason_and_refuse(staff, visit_pass):
    page = staff.get(reverse("admin:channels_externalsalesinterface_change",
                             args=[visit_pass.pk])).content.decode()
    assert 'disabled title="The quota sync is refused' in page
    assert 'disabled title="The allotment export is refused' in page
    url = reverse("admin:channels_externalsalesinterface_run_quota_sync", args=[visit_pass.pk])
    response = staff.post(url, follow=True)
    assert "visit passes" in response.content.decode()
    assert not Run.objects.exists()


def test_the_catalogue_export_page_says_why_and_offers_nothing(staff, visit_pass):
    event = f.EventFactory(institution=visit_pass.institution)
    url = reverse("admin:channels_externalsalesinterface_catalog_export", args=[visit_pass.pk])
    page = staff.get(url, {"event": event.pk}).content.decode()
    assert 'id="export-refused"' in page and "visit passes" in page
    assert "Preview of" not in page
    confirm = reverse("admin:channels_externalsalesinterface_catalog_export_confirm",
                      args=[visit_pass.pk, event.pk])
    response = staff.post(confirm, follow=True)
    assert "visit passes" in response.content.decode()
    assert not Run.objects.exists()


def test_the_interface_page_links_to_its_correspondences(staff, visit_pass):
    page = staff.get(reverse("admin:channels_externalsalesinterface_change",
                             args=[visit_pass.pk])).content.decode()
    assert reverse("admin:mappings_correspondence_grid", args=[visit_pass.pk]) in page
    assert reverse("admin:mappings_correspondence_readiness", args=[visit_pass.pk]) in page
