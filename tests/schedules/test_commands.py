import json

import pytest
from django.core.management import call_command

from schedules.models import Run
from tests import factories as f
from tests.schedules import jobs_for_tests as jobs

pytestmark = pytest.mark.django_db


def call(*args):
    out, err = __import__("io").StringIO(), __import__("io").StringIO()
    code = 0
    try:
        call_command("run_job", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(("outcome", "code", "status"),
                         [("ok", 0, "OK"), ("warning", 3, "WARNING"), ("crash", 1, "ERROR")])
def test_json_output_and_exit_status(outcome, code, status):
    interface = f.InterfaceFactory(internal_name="FR * Ticketnet")
    got, out, _ = call("--interface", "FR * Ticketnet", "--job", jobs.TEST_JOB,
                       "--param", f"outcome={outcome}", "--json")
    assert got == code
    data = json.loads(out)
    run = Run.objects.get()
    assert data == {"status": status, "counts": run.counts, "messages": run.messages,
                    "run": run.pk}
    assert run.interface == interface


def test_human_summary_is_one_line():
    f.InterfaceFactory(internal_name="FR * Ticketnet")
    code, out, err = call("--interface", "FR * Ticketnet", "--job", jobs.TEST_JOB,
                          "--param", "outcome=warning")
    assert code == 3
    assert out.count("\n") == 1 and "WARNING" in out and "parked 2" in out
    assert "Enter the code, then retry." in err


def test_skipped_exits_4(monkeypatch):
    from schedules.framework import locks

    monkeypatch.setattr(locks.Lock, "acquire", lambda self: False)
    f.InterfaceFactory(internal_name="FR * Ticketnet")
    code, out, _ = call("--interface", "FR * Ticketnet", "--job", jobs.TEST_JOB, "--json")
    assert (code, json.loads(out)["status"]) == (4, "SKIPPED")


def test_bad_usage_exits_1_with_what_to_do():
    a = f.InterfaceFactory(internal_name="FR * Ticketnet")
    f.InterfaceFactory(internal_name="FR * Ticketnet")
    code, _, err = call("--interface", "Nope", "--job", jobs.TEST_JOB)
    assert code == 1 and "No interface named “Nope”" in err
    code, _, err = call("--interface", "FR * Ticketnet", "--job", jobs.TEST_JOB)
    assert code == 1 and "--institution" in err
    code, out, _ = call("--interface", "FR * Ticketnet", "--institution", a.institution.code,
                        "--job", "no_such_job", "--json")
    assert code == 1 and json.loads(out)["status"] == "ERROR"
    code, _, _ = call("--interface", "FR * Ticketnet", "--institution", a.institution.code,
                      "--job", jobs.TEST_JOB)
    assert code == 0
    assert not Run.objects.exclude(status="ok").exists()


def test_argparse_usage_errors_exit_1_not_2():
    import subprocess
    import sys

    from django.conf import settings

    proc = subprocess.run([sys.executable, "manage.py", "run_job", "--job", "x"],
                          cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert "--interface" in proc.stderr


@pytest.mark.django_db(transaction=True)  # autocommit, as a command runs: the email goes at once
def test_json_is_the_only_thing_on_stdout_with_the_console_email_backend(capsys, settings):
    """The console email backend prints the follow-up email on sys.stdout: a command's stdout
    stays one JSON object, the email goes to stderr (issue 11, item 9)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    f.InterfaceFactory(internal_name="FR * Ticketnet", followup_emails="ops@example.org")
    with pytest.raises(SystemExit) as exited:
        call_command("run_job", "--interface", "FR * Ticketnet", "--job", jobs.TEST_JOB,
                     "--param", "outcome=warning", "--json")
    out, err = capsys.readouterr()
    assert exited.value.code == 3
    assert json.loads(out)["status"] == "WARNING"  # the whole of stdout parses
    assert "ops@example.org" in err and "/admin/schedules/run/" in err  # the email
