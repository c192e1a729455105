"""One entry of the audit log: what an operator did, to what, in which institution, when.

Ids are plain integers and names are copied, not foreign keys: an entry outlives the
institution, the user and the object it names. Entries are written once, never changed.
"""

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        EXPORT = "export", _("Export")
        CODE_CHANGE = "code_change", _("Code changed")
        CODE_UNLOCK = "code_unlock", _("Code unlocked, confirmed by Ticketnet")
        RETRY = "retry", _("Lines retried")
        SCHEDULE_EDIT = "schedule_edit", _("Schedule edited")
        CREDENTIAL_CHANGE = "credential_change", _("Password changed")

    institution_id = models.BigIntegerField(_("institution"))
    actor_id = models.BigIntegerField(_("user id"), null=True, blank=True)
    actor_username = models.CharField(
        _("user"), max_length=150, blank=True,
        help_text=_("The user's name when it happened; empty for the system."),
    )
    action = models.CharField(_("action"), max_length=32, choices=Action.choices)
    target = models.CharField(_("target"), max_length=500)
    params = models.JSONField(_("details"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-pk"]
        default_permissions = ("view",)
        indexes = [models.Index(fields=["institution_id", "-at"], name="audit_institution_at")]

    def __str__(self):
        return f"{self.get_action_display()}: {self.target}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("An audit entry is written once and never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("An audit entry is never deleted.")
