import threading

import pytest
from django.core import mail
from django.db import connection

from schedules import tasks
from schedules.framework import runner
from schedules.framework.errors import RetryLater
from schedules.models import Run
from tests import factories as f
from tests.schedules import jobs_for_tests as jobs

pytestmark = pytest.mark.django_db


def run(interface, outcome="ok", **params):
    return runner.job_run(interface_id=interface.pk, job=jobs.TEST_JOB,
                            params={"outcome": outcome, **params})


@pytest.fixture
def interface(settings):
    settings.SITE_URL = "https://bridge.example.org"
    return f.InterfaceFactory(
        institution=f.InstitutionFactory(language="fr"),
        followup_emails="ops@example.org; lead@example.org", password="Sup3r-Secret-pw",
    )


def test_ok_records_counts_and_progress_and_sends_nothing(interface, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        r = run(interface)
    r.refresh_from_db()
    assert (r.status, r.counts, r.progress_done, r.progress_total) == ("ok", {"done": 3}, 3, 3)
    assert r.finished_at >= r.started_at
    assert r.trigger == Run.Trigger.MANUAL
    assert mail.outbox == []


def test_warning_emails_the_followup_operators_in_french_with_a_link(interface, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        r = run(interface, "warning")
    assert r.status == Run.Status.WARNING
    [email] = mail.outbox
    assert email.to == ["ops@example.org", "lead@example.org"]
    assert "Avertissement" in email.subject
    assert "s'est terminé" in email.body or "s’est terminé" in email.body
    assert "2 lines parked: unknown tariff code 15." in email.body
    assert "Enter the code, then retry." in email.body
    assert "Lignes mises en attente: 2" in email.body  # the count by its name (not "parked")
    assert f"https://bridge.example.org/admin/schedules/run/{r.pk}/change/" in email.body


def test_error_email_in_english_without_credential_or_traceback(django_capture_on_commit_callbacks):
    interface = f.InterfaceFactory(institution=f.InstitutionFactory(language="en"),
                                   password="Sup3r-Secret-pw")
    with django_capture_on_commit_callbacks(execute=True):
        r = run(interface, "crash")
    assert r.status == Run.Status.ERROR
    [email] = mail.outbox
    assert "ended Error" in email.subject
    assert "unexpected error (ValueError)" in email.body
    assert f"server logs for run {r.pk}" in email.body
    for text in (email.subject, email.body, str(r.messages)):
        assert "Sup3r-Secret-pw" not in text
        assert interface.password_encrypted not in text
        assert "Traceback" not in text


def test_a_job_error_says_what_to_do(interface, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        r = run(interface, "job_error")
    assert r.status == "error"
    assert r.messages == [{"level": "error", "text": "Ticketnet refused the export.",
                           "action": "Call Ticketnet."}]
    assert "Call Ticketnet." in mail.outbox[0].body


def test_retry_later_ends_error_emails_and_is_reraised_for_the_task(interface, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RetryLater):
        runner.job_run(interface_id=interface.pk, job=jobs.TEST_JOB,
                         params={"outcome": "retry"}, raise_retry=True)
    r = Run.objects.get()
    assert r.status == "error"
    assert "réessayée automatiquement" in r.messages[0]["action"]
    assert len(mail.outbox) == 1


def test_unknown_job_ends_error(interface):
    r = runner.job_run(interface_id=interface.pk, job="no_such_job")
    assert r.status == "error"
    assert "no_such_job" in r.messages[0]["text"]


def test_a_run_left_running_by_a_dead_worker_is_closed(interface):
    orphan = Run.objects.create(interface=interface, job=jobs.TEST_JOB, trigger="scheduled",
                                started_at="2026-01-01T00:00:00Z")
    run(interface)
    orphan.refresh_from_db()
    assert orphan.status == Run.Status.ERROR and orphan.finished_at is not None


def test_backoff_doubles_and_is_capped(settings):
    settings.SCHEDULES_RETRY_BACKOFF = 60
    settings.SCHEDULES_RETRY_BACKOFF_MAX = 600
    assert [tasks.retry_countdown(n) for n in range(6)] == [60, 120, 240, 480, 600, 600]


def test_the_task_retries_with_backoff_on_retry_later(interface, settings, monkeypatch):
    settings.SCHEDULES_RETRY_BACKOFF = 30
    settings.SCHEDULES_MAX_RETRIES = 3
    calls = []

    class Retry(Exception):
        pass

    def fake_retry(**kwargs):
        calls.append(kwargs)
        return Retry()

    monkeypatch.setattr(tasks.run_job, "retry", fake_retry)
    with pytest.raises(Retry):
        tasks.run_job.run(interface_id=interface.pk, job=jobs.TEST_JOB,
                          params={"outcome": "retry"})
    assert calls[0]["countdown"] == 30 and calls[0]["max_retries"] == 3
    assert isinstance(calls[0]["exc"], RetryLater)


@pytest.mark.django_db(transaction=True)
def test_two_triggers_at_once_give_one_run_and_one_skipped():
    interface = f.InterfaceFactory()
    jobs.started.clear()
    jobs.release.clear()
    results = {}

    def first():
        try:
            results["first"] = run(interface, "block")
        finally:
            connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    try:
        assert jobs.started.wait(20), "the first run did not start"
        second = run(interface, "ok")
        assert second.status == Run.Status.SKIPPED
        running = Run.objects.get(status=Run.Status.RUNNING)
        assert f" {running.pk})" in second.messages[0]["text"]
    finally:
        jobs.release.set()
        thread.join(30)
    assert results["first"].status == Run.Status.OK
    assert sorted(Run.objects.values_list("status", flat=True)) == ["ok", "skipped"]
    # The lock is free again.
    assert run(interface, "ok").status == Run.Status.OK
