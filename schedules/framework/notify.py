"""The follow-up email of a run that ended WARNING or ERROR: in the institution's language, with
the counts, each reason and what to do, and a link to the run; never a credential."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from channels.models import ExternalSalesInterface

from ..counts import counts_rows
from .models import Run

logger = logging.getLogger(__name__)


def run_admin_url(run: Run) -> str:
    return settings.SITE_URL + reverse("admin:schedules_run_change", args=[run.pk])


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


def run_notify(*, run_id: int) -> bool:
    """Email the follow-up operators about a run, in the institution's language: what ran,
    the counts, each reason and what to do, and a link to the run. Never a credential."""
    run = Run.objects.select_related("interface__institution").get(pk=run_id)
    interface = run.interface
    recipients = interface.followup_email_list
    if not recipients:
        return False
    with translation.override(interface.institution.language):
        subject = _("[Ticketnet] %(interface)s: %(job)s ended %(status)s") % {
            "interface": interface.internal_name,
            "job": run.get_job_display(),
            "status": run.get_status_display(),
        }
        body = render_to_string("schedules/email/run_notification.txt", {
            "run": run,
            "interface": interface,
            "institution": interface.institution,
            "counts": counts_rows(run.counts),
            "messages": run.messages or [],
            "url": run_admin_url(run),
        })
    secrets = _interface_secrets(interface)
    send_mail(_scrub(subject, secrets), _scrub(body, secrets), settings.DEFAULT_FROM_EMAIL,
              recipients)
    return True
