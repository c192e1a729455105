"""A run's messages never hold a stored password: a job whose error quotes it (an exception
text, Ticketnet's answer echoing the request) has it masked before the run is saved, so the
admin's run page and the follow-up email cannot show it."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from credentials import registry as secrets
from schedules.framework import registry
from schedules.framework.errors import JobError
from schedules.framework.runner import job_run
from schedules.models import Run
from tests import factories as f

pytestmark = pytest.mark.django_db
PASSWORD = "Canary-pw-7f3a91"  # noqa: S105 - the canary the reports must never show
JOB = "test_quotes_the_password"


@pytest.fixture
def quoting_job():
    def job(ctx):
        password = ctx.interface.get_password()
        ctx.warning(f"Ticketnet answered: login refused for {{'password': '{password}'}}")
        raise JobError(f"The call failed: soap_headers={{'pwd': {password!r}}} ({password})",
                       f"Check the password {password}.")

    registry.register(JOB, job, replace=True)
    yield
    registry.unregister(JOB)


def test_the_password_is_masked_in_the_stored_messages_the_page_and_the_email(
        quoting_job, django_capture_on_commit_callbacks):
    interface = f.InterfaceFactory(password=PASSWORD, followup_emails="ops@example.org")
    secrets.forget()  # learnt again from the database, as a fresh worker would
    with django_capture_on_commit_callbacks(execute=True):
        run = job_run(interface_id=interface.pk, job=JOB)
    run = Run.objects.get(pk=run.pk)
    assert run.status == Run.Status.ERROR and len(run.messages) == 2
    assert PASSWORD not in str(run.messages)
    assert "The call failed" in run.messages[1]["text"]
    client = Client()
    client.force_login(f.staff_user(interface.institution, app_labels=("schedules",)))
    page = client.get(reverse("admin:schedules_run_change", args=[run.pk])).content.decode()
    assert "The call failed" in page and PASSWORD not in page
    [email] = mail.outbox
    assert "The call failed" in email.body and PASSWORD not in email.body
