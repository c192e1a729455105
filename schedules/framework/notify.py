"""The follow-up emails of a run, worth reading: every ERROR; a WARNING once for the same open
problems, then a daily reminder until they change; the recovery after an ERROR; nothing for a dry
run. In the institution's language, with the counts, each reason and what to do, and a link to
the run; never a credential. Each run records what it told (`Run.email`) and why not."""

import hashlib
import json
import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from channels.models import ExternalSalesInterface

from ..counts import counts_rows
from .models import Job, Run

logger = logging.getLogger(__name__)

# The same open problems are reminded at most this often.
REMINDER_AFTER = timedelta(days=1)
# Jobs whose warnings are told only when they appear or change, never as a reminder: the
# reconciliation's differences stay on its page until someone resolves them.
WITHOUT_REMINDER = (Job.RECONCILIATION,)
TOLD = (Run.Email.SENT, Run.Email.REMINDER)
TELLS = (*TOLD, Run.Email.RECOVERY)  # the plans that send an email


def run_admin_url(run_id: int) -> str:
    return settings.SITE_URL + reverse("admin:schedules_run_change", args=[run_id])


def problems_fingerprint(messages: list[dict]) -> str:
    """The warnings and errors a run ended with, as one fingerprint: two runs left with the same
    problems (same codes, counts, examples) have the same one."""
    problems = [[m.get("level"), m.get("text"), m.get("action")] for m in messages
                if m.get("level") in ("warning", "error")]
    if not problems:
        return ""
    return hashlib.sha256(json.dumps(problems, sort_keys=True).encode()).hexdigest()


def _previous(run: Run) -> Run | None:
    """The run of the same interface and job before `run` that says how things stood: ended,
    neither skipped (another run was going on) nor a dry run (it changed nothing)."""
    return (Run.objects.filter(interface_id=run.interface_id, job=run.job, pk__lt=run.pk)
            .exclude(status__in=[Run.Status.RUNNING, Run.Status.SKIPPED])
            # A key's comparison is NULL where the key is missing: has_key first.
            .filter(~Q(params__has_key="dry_run") | Q(params__dry_run=False))
            .only("pk", "status", "finished_at", "email", "problems", "problems_since",
                  "problems_emailed_at")
            .order_by("-pk").first())


def email_plan(run: Run) -> None:
    """Decide what the end of `run` tells the follow-up operators, on the run (its `email`,
    `problems` and their dates); `run_notify` sends it after commit. Call it holding the job's
    lock, with the run's status and messages final."""
    now = timezone.now()
    run.problems = problems_fingerprint(run.messages or [])
    run.email, run.problems_since, run.problems_emailed_at = Run.Email.NONE, None, None
    if run.status in (Run.Status.RUNNING, Run.Status.SKIPPED) or (run.params or {}).get("dry_run"):
        return
    if run.status == Run.Status.ERROR:
        run.email, run.problems_since, run.problems_emailed_at = Run.Email.SENT, now, now
        return
    previous = _previous(run)
    if run.status == Run.Status.OK:
        # Back to normal after an error; not when the error is a dead run this very run closed
        # (its own email already says the next run goes on).
        if (previous is not None and previous.status == Run.Status.ERROR
                and previous.finished_at is not None and previous.finished_at < run.started_at):
            run.email = Run.Email.RECOVERY
        return
    same = (previous is not None and previous.status == Run.Status.WARNING
            and previous.problems == run.problems and previous.problems_emailed_at is not None)
    if not same:
        run.email, run.problems_since, run.problems_emailed_at = Run.Email.SENT, now, now
    elif run.job not in WITHOUT_REMINDER and now - previous.problems_emailed_at >= REMINDER_AFTER:
        run.email, run.problems_since, run.problems_emailed_at = (
            Run.Email.REMINDER, previous.problems_since, now)
    else:
        run.email, run.problems_since, run.problems_emailed_at = (
            Run.Email.HELD, previous.problems_since, previous.problems_emailed_at)


EMAIL_FIELDS = ["email", "problems", "problems_since", "problems_emailed_at"]


def _scrub(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "••••••")
    return text


def _interface_secrets(interface: ExternalSalesInterface) -> list[str]:
    secrets = [interface.password_encrypted]
    try:
        secrets.append(interface.get_password())
    except Exception:  # noqa: BLE001 - an undecryptable password cannot leak either
        logger.warning("Could not decrypt the password of interface %s", interface.pk)
    return secrets


def _chain_first(run: Run) -> Run | None:
    """The run that first emailed the problems `run` is reminded of."""
    return (Run.objects.filter(interface_id=run.interface_id, job=run.job, pk__lt=run.pk,
                               problems=run.problems, email=Run.Email.SENT,
                               problems_emailed_at=run.problems_since)
            .only("pk").order_by("-pk").first())


def problems_last_told(run: Run) -> int | None:
    """The id of the last run before `run` that emailed its problems (first email or
    reminder)."""
    return (Run.objects.filter(interface_id=run.interface_id, job=run.job, pk__lt=run.pk,
                               problems=run.problems, email__in=TOLD)
            .values_list("pk", flat=True).order_by("-pk").first())


def _held_since_last_email(run: Run) -> int:
    last = problems_last_told(run)
    return Run.objects.filter(interface_id=run.interface_id, job=run.job, pk__lt=run.pk,
                              pk__gt=last or 0, problems=run.problems,
                              email=Run.Email.HELD).count()


def _previous_error(run: Run) -> Run | None:
    return (Run.objects.filter(interface_id=run.interface_id, job=run.job, pk__lt=run.pk,
                               status=Run.Status.ERROR)
            .only("pk", "finished_at").order_by("-pk").first())


def _level_label(level) -> str:
    labels = {"error": Run.Status.ERROR.label, "warning": Run.Status.WARNING.label}
    return str(labels.get(level, _("Info"))).upper()


def _subject(run: Run, interface: ExternalSalesInterface) -> str:
    names = {"interface": interface.internal_name, "job": run.get_job_display(),
             "status": run.get_status_display()}
    if run.email == Run.Email.REMINDER:
        return _("[Ticketnet] %(interface)s: %(job)s — the same problems are still open "
                 "(daily reminder)") % names
    if run.email == Run.Email.RECOVERY:
        return _("[Ticketnet] %(interface)s: %(job)s is back to normal") % names
    return _("[Ticketnet] %(interface)s: %(job)s ended %(status)s") % names


def run_notify(*, run_id: int) -> bool:
    """Send what `email_plan` decided for the run, if anything: in the institution's language,
    what ran, the counts, each reason and what to do, and a link to the run. A mail server that
    refuses it is recorded on the run (`failed`): the next run with the same problems tells
    them again."""
    run = Run.objects.select_related("interface__institution").get(pk=run_id)
    interface = run.interface
    recipients = interface.followup_email_list
    if run.email not in TELLS or not recipients:
        return False
    with translation.override(interface.institution.language):
        context = {
            "run": run, "interface": interface, "institution": interface.institution,
            "counts": counts_rows(run.counts),
            "messages": [{**m, "level_label": _level_label(m.get("level"))}
                         for m in run.messages or []],
            "url": run_admin_url(run.pk),
        }
        if run.email == Run.Email.REMINDER:
            first = _chain_first(run)
            context.update(held=_held_since_last_email(run),
                           first_url=run_admin_url(first.pk) if first else "")
        if run.email == Run.Email.RECOVERY:
            context["error_run"] = _previous_error(run)
        subject = _subject(run, interface)
        body = render_to_string("schedules/email/run_notification.txt", context)
    secrets = _interface_secrets(interface)
    try:
        send_mail(_scrub(subject, secrets), _scrub(body, secrets), settings.DEFAULT_FROM_EMAIL,
                  recipients)
    except (smtplib.SMTPException, OSError):
        logger.exception("The follow-up email of run %s could not be sent", run.pk)
        Run.objects.filter(pk=run.pk).update(email=Run.Email.FAILED, problems_emailed_at=None)
        return False
    return True
