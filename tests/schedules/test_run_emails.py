"""The follow-up emails are worth reading: none for a dry run, a warning about the same open
problems once and then a daily reminder until they change, every error, the recovery after an
error; each run says what was emailed and why not."""

import datetime as dt
import smtplib
import subprocess
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.utils import timezone

from schedules.framework import runner
from schedules.framework.abandoned import runs_abandoned_check
from schedules.models import Run
from tests import factories as f
from tests.schedules import jobs_for_tests as jobs

pytestmark = pytest.mark.django_db

ROOT = Path(django_settings.BASE_DIR)


@pytest.fixture
def interface(settings):
    settings.SITE_URL = "https://bridge.example.org"
    return f.InterfaceFactory(institution=f.InstitutionFactory(language="en"),
                              followup_emails="ops@example.org")


@pytest.fixture
def emailed(django_capture_on_commit_callbacks):
    """Run the scripted job with the emails it queues sent."""
    def run(interface, outcome="ok", **params) -> Run:
        with django_capture_on_commit_callbacks(execute=True):
            result = runner.job_run(interface_id=interface.pk, job=jobs.TEST_JOB,
                                    params={"outcome": outcome, **params})
        result.refresh_from_db()
        return result
    return run


def test_a_dry_run_that_warns_emails_nobody(interface, emailed):
    run = emailed(interface, "warning", dry_run=True)
    assert run.status == Run.Status.WARNING
    assert mail.outbox == []
    assert run.email == Run.Email.NONE


def test_the_same_warning_is_emailed_once_then_held(interface, emailed):
    first = emailed(interface, "warning")
    second = emailed(interface, "warning")
    third = emailed(interface, "warning")
    assert len(mail.outbox) == 1
    assert (first.email, second.email, third.email) == ("sent", "held", "held")
    assert second.problems == first.problems != ""
    assert third.problems_emailed_at == first.problems_emailed_at


def test_a_dry_run_does_not_break_the_chain_of_held_warnings(interface, emailed):
    emailed(interface, "warning")
    emailed(interface, "warning", dry_run=True)
    assert emailed(interface, "warning").email == Run.Email.HELD
    assert len(mail.outbox) == 1


def test_a_skipped_run_does_not_break_the_chain_either(interface, emailed):
    emailed(interface, "warning")
    Run.objects.create(interface=interface, job=jobs.TEST_JOB, trigger="scheduled",
                       started_at=timezone.now(), finished_at=timezone.now(),
                       status=Run.Status.SKIPPED)
    assert emailed(interface, "warning").email == Run.Email.HELD
    assert len(mail.outbox) == 1


def test_changed_problems_are_emailed_again(interface, emailed):
    emailed(interface, "warning")
    changed = emailed(interface, "warning", text="3 lines parked: unknown tariff code 15.")
    assert changed.email == Run.Email.SENT
    assert len(mail.outbox) == 2
    assert "3 lines parked" in mail.outbox[1].body


def test_the_same_problems_a_day_later_send_one_reminder_that_says_so(interface, emailed):
    first = emailed(interface, "warning")
    emailed(interface, "warning")
    # A day goes by: the chain was last emailed 25 hours ago.
    day_ago = timezone.now() - dt.timedelta(hours=25)
    Run.objects.filter(interface=interface).update(problems_emailed_at=day_ago,
                                                   problems_since=day_ago)
    reminder = emailed(interface, "warning")
    after = emailed(interface, "warning")
    assert (reminder.email, after.email) == ("reminder", "held")
    assert len(mail.outbox) == 2
    email = mail.outbox[1]
    assert "still open" in email.subject and "daily reminder" in email.subject
    assert "2 lines parked: unknown tariff code 15." in email.body
    assert "1 run since ended with the same problems without an email" in email.body
    assert f"/admin/schedules/run/{first.pk}/change/" in email.body  # the first one emailed


def test_a_warning_after_an_ok_run_is_news_again(interface, emailed):
    emailed(interface, "warning")
    emailed(interface)
    assert emailed(interface, "warning").email == Run.Email.SENT
    assert len(mail.outbox) == 2


def test_every_error_is_emailed(interface, emailed):
    runs = [emailed(interface, "job_error") for _ in range(3)]
    assert [r.email for r in runs] == ["sent"] * 3
    assert len(mail.outbox) == 3


def test_the_recovery_after_an_error_is_emailed_once(interface, emailed):
    failed = emailed(interface, "job_error")
    recovered = emailed(interface)
    quiet = emailed(interface)
    assert (recovered.email, quiet.email) == ("recovery", "")
    assert len(mail.outbox) == 2
    email = mail.outbox[1]
    assert "back to normal" in email.subject
    assert f"ended OK after the error of run #{failed.pk}" in email.body
    assert f"/admin/schedules/run/{recovered.pk}/change/" in email.body


def test_the_recovery_email_is_in_the_institutions_language(emailed):
    interface = f.InterfaceFactory(institution=f.InstitutionFactory(language="fr"),
                                   followup_emails="ops@example.org")
    emailed(interface, "job_error")
    emailed(interface)
    assert "retour à la normale" in mail.outbox[1].subject
    assert "s'est terminée OK" in mail.outbox[1].body


def test_an_ok_run_after_a_warning_sends_nothing(interface, emailed):
    emailed(interface, "warning")
    assert emailed(interface).email == Run.Email.NONE
    assert len(mail.outbox) == 1


def test_a_dead_run_closed_by_the_next_one_is_one_email_not_two(interface, emailed):
    Run.objects.create(interface=interface, job=jobs.TEST_JOB, trigger="scheduled",
                       started_at=timezone.now())
    run = emailed(interface)
    assert run.email == Run.Email.NONE  # the abandoned run's email already says it goes on
    assert len(mail.outbox) == 1 and "ended Error" in mail.outbox[0].subject


def test_an_abandoned_run_is_emailed(interface, django_capture_on_commit_callbacks):
    dead = Run.objects.create(interface=interface, job=jobs.TEST_JOB, trigger="scheduled",
                              started_at=timezone.now() - dt.timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        assert runs_abandoned_check() == [dead.pk]
    dead.refresh_from_db()
    assert dead.email == Run.Email.SENT
    assert len(mail.outbox) == 1


def test_an_email_the_mail_server_refuses_is_said_and_sent_with_the_next_run(
        interface, emailed, monkeypatch):
    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr("schedules.framework.notify.send_mail", refuse)
    failed = emailed(interface, "warning")
    assert failed.email == Run.Email.FAILED
    assert failed.problems_emailed_at is None
    monkeypatch.undo()
    assert emailed(interface, "warning").email == Run.Email.SENT
    assert len(mail.outbox) == 1


def test_the_run_page_says_what_was_emailed(interface, emailed, admin_client):
    first = emailed(interface, "warning")
    held = emailed(interface, "warning")
    page = admin_client.get(f"/admin/schedules/run/{first.pk}/change/").content.decode()
    assert "Sent to the follow-up operators." in page
    page = admin_client.get(f"/admin/schedules/run/{held.pk}/change/").content.decode()
    assert "Not sent: the same problems were emailed with run" in page
    assert f'href="/admin/schedules/run/{first.pk}/change/"' in page


def test_make_run_gives_the_links_the_address_it_serves():
    def site_url(**env):
        out = subprocess.run(
            ["make", "--no-print-directory", "--eval", "show-site-url: ; @echo $$SITE_URL",
             "show-site-url"],
            cwd=ROOT, capture_output=True, text=True, check=True,
            env={"PATH": "/usr/bin:/bin", **env})
        return out.stdout.strip()

    assert site_url() == "http://127.0.0.1:8000"
    assert site_url(WEB_BIND="127.0.0.1:8010") == "http://127.0.0.1:8010"
    assert site_url(WEB_BIND="0.0.0.0:8010") == "http://127.0.0.1:8010"
    assert site_url(WEB_BIND="127.0.0.1:8010",
                    SITE_URL="https://bridge.example.org") == "https://bridge.example.org"
